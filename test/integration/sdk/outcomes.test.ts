import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { NonRetryableError } from '../../../src/sdk/index.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createOnceJob, executionsOf, uniqueType, waitFor, Workers } from './sdk-fixtures.js';

describe('worker SDK: outcomes (real server)', () => {
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

  const ended = (jobId: string, count = 1) =>
    waitFor('the execution to end', async () => {
      const executions = await executionsOf(server, jobId);
      return executions.length >= count && executions.every((e) => e.status !== ExecutionStatus.RUNNING) && executions[0]?.status !== ExecutionStatus.QUEUED ? executions : undefined;
    });

  it('runs a job and stores the resolved value as its result', async () => {
    const type = uniqueType('echo');
    const seen: unknown[] = [];
    workers.start({
      types: [type],
      handler: async (job) => {
        seen.push({ jobName: job.jobName, jobType: job.jobType, attempt: job.attempt, payload: job.payload, occurrenceAt: job.occurrenceAt instanceof Date });
        return { doubled: (job.payload['n'] as number) * 2 };
      },
    });
    const jobId = await createOnceJob(server, type, { n: 21 });
    const [execution] = await ended(jobId);
    expect(execution?.status).to.equal(ExecutionStatus.SUCCEEDED);
    expect(execution?.result).to.deep.equal({ doubled: 42 });
    expect(seen).to.deep.equal([{ jobName: type, jobType: type, attempt: 1, payload: { n: 21 }, occurrenceAt: true }]);
    const { execution: fetched } = await server.scheduler.getExecution({ id: execution!.id });
    expect(fetched?.status).to.equal(ExecutionStatus.SUCCEEDED);
    expect(fetched?.result).to.deep.equal({ doubled: 42 });
  });

  it('fails a throwing handler with its message and details, and the retry policy queues attempt 2', async () => {
    const type = uniqueType('throws');
    workers.start({
      types: [type],
      handler: async () => {
        throw new TypeError('the widget is missing');
      },
    });
    const jobId = await createOnceJob(server, type);
    const executions = await ended(jobId, 2);
    expect(executions.map((e) => [e.attempt, e.status])).to.deep.equal([
      [1, ExecutionStatus.FAILED],
      [2, ExecutionStatus.QUEUED],
    ]);
    const error = executions[0]?.error;
    expect(error?.message).to.equal('the widget is missing');
    expect(error?.retryable).to.equal(true);
    expect(error?.details?.['name']).to.equal('TypeError');
    expect(error?.details?.['stack']).to.be.a('string').and.to.include('the widget is missing');
  });

  for (const [label, makeError] of [
    ['a NonRetryableError', () => new NonRetryableError('bad payload')],
    ['an error with retryable: false', () => Object.assign(new Error('bad payload'), { retryable: false })],
  ] as const) {
    it(`does not retry ${label}`, async () => {
      const type = uniqueType('fatal');
      workers.start({
        types: [type],
        handler: async () => {
          throw makeError();
        },
      });
      const jobId = await createOnceJob(server, type);
      const [execution] = await ended(jobId);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const executions = await executionsOf(server, jobId);
      expect(executions.map((e) => [e.attempt, e.status])).to.deep.equal([[1, ExecutionStatus.FAILED]]);
      expect(execution?.error?.message).to.equal('bad payload');
      expect(execution?.error?.retryable).to.equal(false);
    });
  }

  it('never runs more handlers than its concurrency, and finishes them all', async () => {
    const type = uniqueType('concurrency');
    let running = 0;
    let maxRunning = 0;
    const worker = workers.start({
      types: [type],
      concurrency: 3,
      handler: async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 50));
        running -= 1;
      },
    });
    const jobIds = await Promise.all(Array.from({ length: 10 }, () => createOnceJob(server, type)));
    await waitFor('every job to succeed', async () => {
      const all = (await Promise.all(jobIds.map((id) => executionsOf(server, id)))).flat();
      return all.length === 10 && all.every((e) => e.status === ExecutionStatus.SUCCEEDED) ? all : undefined;
    });
    expect(maxRunning).to.equal(3);
    expect(worker.inFlight).to.equal(0);
  });

  it('stores a result that is not an object under "value", and fails one too large to store', async () => {
    const type = uniqueType('results');
    workers.start({ types: [type], handler: async (job) => (job.payload['big'] ? { blob: 'x'.repeat(70 * 1024) } : [1, 2]) });
    const small = await createOnceJob(server, type, { big: false });
    const big = await createOnceJob(server, type, { big: true }, { maxRetries: 0 });
    const [smallDone] = await ended(small);
    const [bigDone] = await ended(big);
    expect(smallDone?.result).to.deep.equal({ value: [1, 2] });
    expect(bigDone?.status).to.equal(ExecutionStatus.FAILED);
    expect(bigDone?.error?.message).to.match(/result cannot be stored: it is \d+ bytes as JSON; the limit is 65536/);
    expect(bigDone?.error?.retryable).to.equal(false);
  });
});
