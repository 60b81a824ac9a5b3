import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createJobSchedulerClient, createWorkerClient, type WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { CLIENT_MAX_RECEIVE_BYTES } from '../../../src/adapters/grpc/mapping/message-bytes.js';
import { createOnceJob, executionsOf, uniqueType, waitFor, Workers } from './sdk-fixtures.js';

const PAYLOAD_CHARS = 200_000;
/** 30 payloads of 200 kB: 6 MB, more than the 4 MiB a gRPC client receives in one message by default. */
const JOBS = 30;
/** A client at gRPC's default receive limit, as workers in other languages and grpcurl are (the SDK's own limit is higher). */
const DEFAULT_RECEIVE = { 'grpc.max_receive_message_length': CLIENT_MAX_RECEIVE_BYTES };

/**
 * Executions whose payloads add up to more than a client's receive limit. The service used to
 * send them in one message: the worker's stream failed with RESOURCE_EXHAUSTED, it reconnected,
 * and was sent the same again, so none of them ever ran.
 */
describe('worker SDK: executions whose payloads add up to more than a client receives at once (real server)', () => {
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

  async function queued(type: string): Promise<string[]> {
    const ids = [];
    for (let i = 0; i < JOBS; i += 1) ids.push(await createOnceJob(server, type, { i, data: 'x'.repeat(PAYLOAD_CHARS) }));
    return ids;
  }

  it('delivers them over the Work stream in several messages, and every one runs', async () => {
    const type = uniqueType('large-payloads');
    const jobIds = await queued(type);
    const seen = new Map<number, number>();
    workers.start({
      types: [type],
      channelOptions: DEFAULT_RECEIVE,
      concurrency: JOBS,
      handler: async (job) => {
        seen.set(job.payload['i'] as number, (job.payload['data'] as string).length);
      },
    });
    await waitFor('every execution to succeed', async () => {
      const executions = (await Promise.all(jobIds.map((id) => executionsOf(server, id)))).flat();
      return executions.length === JOBS && executions.every((e) => e.status === ExecutionStatus.SUCCEEDED) ? true : undefined;
    });
    expect([...seen.keys()].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: JOBS }, (_, i) => i));
    expect(new Set(seen.values())).to.deep.equal(new Set([PAYLOAD_CHARS]));
    // The stream was never broken (a message too large ends it with RESOURCE_EXHAUSTED).
    expect(workers.log.filter((entry) => entry.message.includes('Work stream ended'))).to.deep.equal([]);
  });

  it('answers AcquireExecutions with what fits in 4 MiB and leaves the rest queued for the next call', async () => {
    const type = uniqueType('large-payloads-unary');
    const jobIds = await queued(type);
    const client = createWorkerClient(server.address, undefined, DEFAULT_RECEIVE);
    try {
      await acquireAll(client, jobIds, type);
    } finally {
      client.close();
    }
  });

  async function acquireAll(client: WorkerClient, jobIds: string[], type: string): Promise<void> {
    const first = await client.acquireExecutions({ workerId: 'w', jobTypes: [type], capacity: JOBS });
    expect(first.executions.length).to.be.within(1, JOBS - 1);
    const statuses = (await Promise.all(jobIds.map((id) => executionsOf(server, id)))).flat().map((e) => e.status);
    expect(statuses.filter((s) => s === ExecutionStatus.RUNNING)).to.have.length(first.executions.length);
    expect(statuses.filter((s) => s === ExecutionStatus.QUEUED)).to.have.length(JOBS - first.executions.length);
    const ids = new Set(first.executions.map((a) => a.execution!.id));
    while (ids.size < JOBS) {
      const next = await client.acquireExecutions({ workerId: 'w', jobTypes: [type], capacity: JOBS });
      expect(next.executions).to.not.be.empty;
      for (const acquired of next.executions) {
        expect(ids.has(acquired.execution!.id)).to.equal(false);
        ids.add(acquired.execution!.id);
      }
    }
    const executions = (await Promise.all(jobIds.map((id) => executionsOf(server, id)))).flat();
    // Each one was handed out once, as its first attempt: the ones given back were never started.
    expect(executions.map((e) => [e.status, e.attempt])).to.deep.equal(Array.from({ length: JOBS }, () => [ExecutionStatus.RUNNING, 1]));
  }

  it('runs an execution larger than 4 MiB when MAX_PAYLOAD_BYTES allows one, and GetJob reads its job', async () => {
    // Such an execution cannot be split: a client at gRPC's default limit can never receive it.
    // Before, the SDK's Work stream ended on it and, reconnected, was sent it again, until its
    // attempts ran out; the SDK and the typed clients now accept what the service can hold.
    const big = await startTestServer({ env: { MAX_PAYLOAD_BYTES: String(6 * 1024 * 1024), GRPC_MAX_RECEIVE_BYTES: String(16 * 1024 * 1024) } });
    const bigWorkers = new Workers(big);
    try {
      const type = uniqueType('payload-over-4mib');
      const chars = 5_000_000;
      const jobId = await createOnceJob(big, type, { data: 'q'.repeat(chars) });
      expect(((await big.scheduler.getJob({ id: jobId })).job?.payload?.['data'] as string).length).to.equal(chars);
      let seen = 0;
      bigWorkers.start({ types: [type], handler: async (job) => void (seen = (job.payload['data'] as string).length) });
      await waitFor('the execution to succeed', async () => ((await executionsOf(big, jobId))[0]?.status === ExecutionStatus.SUCCEEDED ? true : undefined));
      expect(seen).to.equal(chars);
      expect(bigWorkers.log.filter((entry) => entry.message.includes('Work stream ended'))).to.deep.equal([]);
      // A client at gRPC's default limit still cannot read it: that is its own limit, named.
      const limited = createJobSchedulerClient(big.address, undefined, DEFAULT_RECEIVE);
      const refused = await limited.getJob({ id: jobId }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      limited.close();
      expect(refused).to.match(/RESOURCE_EXHAUSTED.*larger than max/);
    } finally {
      await bigWorkers.stopAll();
      await big.stop();
    }
  });
});
