import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { ExecutionAbortedError } from '../../../src/sdk/index.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createOnceJob, executionsOf, uniqueType, waitFor, Workers } from './sdk-fixtures.js';
import { Latch } from '../../support/latch.js';

/** The server's shortest lease: heartbeats every 1.67 s. */
const LEASE_MS = 5_000;

describe('worker SDK: leases, heartbeats, cancel and stop (real server)', () => {
  let server: TestServer;
  let workers: Workers;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());
  beforeEach(() => {
    workers = new Workers(server);
  });
  afterEach(async () => {
    await workers.stopAll();
    expect(workers.errors()).to.deep.equal([]);
  });

  const onlyExecution = async (jobId: string) => (await executionsOf(server, jobId))[0];

  it('keeps a handler that outlives its lease alive with heartbeats', async function () {
    this.timeout(15_000);
    const type = uniqueType('long');
    workers.start({ types: [type], leaseDurationMs: LEASE_MS, handler: () => new Promise((resolve) => setTimeout(() => resolve({ slept: true }), 7_000)) });
    const jobId = await createOnceJob(server, type);
    const execution = await waitFor('success', async () => {
      const e = await onlyExecution(jobId);
      return e?.status === ExecutionStatus.SUCCEEDED || e?.status === ExecutionStatus.LOST ? e : undefined;
    }, 12_000);
    expect(execution.status).to.equal(ExecutionStatus.SUCCEEDED);
    expect(execution.result).to.deep.equal({ slept: true });
    expect((await executionsOf(server, jobId)).length).to.equal(1);
  });

  it('records reported progress, which GetExecution shows while the handler runs', async () => {
    const type = uniqueType('progress');
    const release = new Latch();
    workers.start({
      types: [type],
      leaseDurationMs: LEASE_MS,
      handler: async (job) => {
        job.reportProgress({ done: 1, of: 3 });
        job.reportProgress({ done: 2, of: 3 });
        await release.promise;
      },
    });
    const jobId = await createOnceJob(server, type);
    const running = await waitFor('progress to be recorded', async () => {
      const e = await onlyExecution(jobId);
      return e?.progress ? e : undefined;
    }, LEASE_MS);
    const { execution } = await server.scheduler.getExecution({ id: running.id });
    expect(execution?.status).to.equal(ExecutionStatus.RUNNING);
    expect(execution?.progress).to.deep.equal({ done: 2, of: 3 });
    release.open();
    await waitFor('success', async () => ((await onlyExecution(jobId))?.status === ExecutionStatus.SUCCEEDED ? true : undefined));
  });

  it('aborts the handler when its job is cancelled; the execution ends CANCELLED, not FAILED', async () => {
    const type = uniqueType('cancel');
    const started = new Latch();
    let reason: unknown;
    let abortedAt = 0;
    workers.start({
      types: [type],
      leaseDurationMs: LEASE_MS,
      handler: (job) =>
        new Promise((_resolve, reject) => {
          started.open();
          job.signal.addEventListener('abort', () => {
            abortedAt = Date.now();
            reason = job.signal.reason;
            reject(job.signal.reason);
          });
        }),
    });
    const jobId = await createOnceJob(server, type);
    await started.promise;
    const cancelledAt = Date.now();
    await server.scheduler.cancelJob({ id: jobId, reason: 'no longer needed' });
    await waitFor('the handler to be aborted', () => (abortedAt > 0 ? true : undefined), LEASE_MS);
    expect(abortedAt - cancelledAt).to.be.below(LEASE_MS / 3 + 1_000);
    expect(reason).to.be.instanceOf(ExecutionAbortedError);
    expect((reason as ExecutionAbortedError).kind).to.equal('cancelled');
    expect((reason as ExecutionAbortedError).message).to.include('no longer needed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const executions = await executionsOf(server, jobId);
    expect(executions.map((e) => e.status)).to.deep.equal([ExecutionStatus.CANCELLED]);
    expect(workers.log.filter((entry) => entry.message.includes('refused'))).to.deep.equal([]);
  });

  it('stop() stops acquiring, waits for running handlers and reports their outcomes before resolving', async () => {
    const type = uniqueType('stop');
    const started = new Latch();
    let finished = false;
    const worker = workers.start({
      types: [type],
      handler: async () => {
        started.open();
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
        return { finished };
      },
    });
    const jobId = await createOnceJob(server, type);
    await started.promise;
    await worker.stop();
    expect(finished).to.equal(true);
    expect(worker.inFlight).to.equal(0);
    const execution = await onlyExecution(jobId);
    expect(execution?.status).to.equal(ExecutionStatus.SUCCEEDED);
    const later = await createOnceJob(server, type);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await onlyExecution(later))?.status).to.equal(ExecutionStatus.QUEUED);
  });

  it('stop() past its timeout aborts the handler and reports a retryable failure', async () => {
    const type = uniqueType('stop-timeout');
    const started = new Latch();
    let reason: unknown;
    const worker = workers.start({
      types: [type],
      handler: (job) =>
        new Promise(() => {
          started.open();
          job.signal.addEventListener('abort', () => (reason = job.signal.reason));
        }),
    });
    const jobId = await createOnceJob(server, type);
    await started.promise;
    await worker.stop({ timeoutMs: 100 });
    expect((reason as ExecutionAbortedError).kind).to.equal('worker_stopped');
    const [failed, retry] = await executionsOf(server, jobId);
    expect(failed?.status).to.equal(ExecutionStatus.FAILED);
    expect(failed?.error?.message).to.match(/worker stopped before the handler finished/);
    expect(retry?.attempt).to.equal(2);
    expect(retry?.status).to.equal(ExecutionStatus.QUEUED);
  });
});
