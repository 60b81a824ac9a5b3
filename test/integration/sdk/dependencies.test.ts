import { expect } from 'chai';
import { ExecutionStatus, ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { executionsOf, uniqueType, waitFor, Workers } from './sdk-fixtures.js';

const afterUpstream = { kind: { case: 'afterUpstream', value: {} } } as const;

describe('worker SDK: a dependency chain runs through Work streams (real server)', () => {
  let server: TestServer;
  let workers: Workers;
  before(async () => {
    server = await startTestServer();
    workers = new Workers(server);
  });
  after(async () => {
    await workers.stopAll();
    expect(workers.errors()).to.deep.equal([]);
    await server.stop();
  });

  it('A → B → C, fired from the group commit that records each outcome, in order', async () => {
    const type = uniqueType('chain');
    const order: string[] = [];
    workers.start({ types: [type], handler: async (job) => void order.push(job.jobName) });
    const create = async (name: string, dependsOn: string[]) =>
      (await server.scheduler.createJob({ job: { name, type, schedule: dependsOn.length === 0 ? { kind: { case: 'once', value: { at: { seconds: 4_102_444_800n } } } } : afterUpstream, dependsOn: dependsOn.map((jobId) => ({ jobId })) } })).job!.id;
    const a = await create('A', []);
    const b = await create('B', [a]);
    const c = await create('C', [b]);
    await server.scheduler.runJob({ id: a });
    const [cRun] = await waitFor('C to succeed', async () => {
      const runs = await executionsOf(server, c);
      return runs[0]?.status === ExecutionStatus.SUCCEEDED ? runs : undefined;
    });
    expect(order).to.deep.equal(['A', 'B', 'C']);
    const [bRun] = await executionsOf(server, b);
    expect(cRun?.trigger).to.equal(ExecutionTrigger.UPSTREAM);
    expect(cRun?.upstreamExecutionIds).to.deep.equal([bRun?.id]);
  });
});
