import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionEventKind, ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import type { WatchExecutionsResponse } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { TestDatabase } from '../../support/test-database.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const TYPE = 'cluster.test';
const once = { kind: { case: 'once' as const, value: {} } };

/** Reads `count` events from a WatchExecutions stream, then cancels it. */
async function take(server: TestServer, count: number, cursor = '', jobId = ''): Promise<WatchExecutionsResponse[]> {
  const stop = new AbortController();
  const events: WatchExecutionsResponse[] = [];
  try {
    for await (const response of server.scheduler.watchExecutions({ cursor, jobId, jobTypes: [TYPE] }, { signal: stop.signal })) {
      events.push(response);
      if (events.length === count) break;
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    stop.abort();
  }
  return events;
}

describe('the API across replicas (two servers, one database, real time)', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    database = await TestDatabase.create();
    // Replica A runs no engine: whatever fires, fires on B.
    a = await startTestServer({ database, env: { SCHEDULER_ENABLED: 'false' } });
    b = await startTestServer({ database, env: { POLL_INTERVAL: '100ms', LEASE_DURATION: '5s' } });
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await database.drop();
  });

  it('a cancel sent to replica A reaches the worker connected to replica B; the execution ends cancelled', async () => {
    const { job } = await a.scheduler.createJob({ job: { name: 'long task', type: TYPE, schedule: once } });
    const { executions } = await b.worker.acquireExecutions({ workerId: 'worker-on-b', jobTypes: [TYPE], capacity: 1, wait: durationFromMs(10_000) });
    const [held] = executions;
    expect(held?.execution?.jobId).to.equal(job?.id);
    const lease = { executionId: held!.execution!.id, leaseToken: held!.leaseToken };
    expect((await b.worker.heartbeat({ workerId: 'worker-on-b', leases: [lease] })).leases[0]?.held).to.equal(true);

    await a.scheduler.cancelJob({ id: job!.id, reason: 'operator on A' });

    const { leases } = await b.worker.heartbeat({ workerId: 'worker-on-b', leases: [lease] });
    expect(leases[0]).to.include({ held: false, cancelRequested: true });
    const { execution } = await a.scheduler.getExecution({ id: lease.executionId });
    expect(execution?.status).to.equal(ExecutionStatus.CANCELLED);
  });

  it('a watcher on A sees executions dispatched and completed on B, and resumes from its cursor with no gap and no duplicate', async () => {
    const { job } = await b.scheduler.createJob({ job: { name: 'watched', type: TYPE, schedule: once } });
    // From the start of the log ("0:0"), only this job: nothing can slip past the watcher.
    const watching = take(a, 3, '0:0', job!.id);
    const { executions } = await b.worker.acquireExecutions({ workerId: 'w', jobTypes: [TYPE], capacity: 1, wait: durationFromMs(10_000) });
    await b.worker.completeExecution({ executionId: executions[0]!.execution!.id, leaseToken: executions[0]!.leaseToken });
    const seen = await watching;
    expect(seen.map((r) => r.event?.kind)).to.deep.equal([ExecutionEventKind.QUEUED, ExecutionEventKind.STARTED, ExecutionEventKind.SUCCEEDED]);
    expect(seen.every((r) => r.event?.execution?.jobId === job?.id)).to.equal(true);

    // Disconnected after the first event: resuming from its cursor yields exactly the rest.
    const resumed = await take(a, 2, seen[0]!.event!.cursor);
    expect(resumed.map((r) => r.event?.cursor)).to.deep.equal(seen.slice(1).map((r) => r.event?.cursor));

    // Events that happen while nobody watches are delivered on resume, in order.
    const cursor = seen[2]!.event!.cursor;
    const more = await Promise.all([0, 1].map(() => b.scheduler.createJob({ job: { name: 'later', type: TYPE, schedule: once } })));
    const caughtUp = await take(a, 2, cursor);
    expect(caughtUp.map((r) => r.event?.kind)).to.deep.equal([ExecutionEventKind.QUEUED, ExecutionEventKind.QUEUED]);
    expect(new Set(caughtUp.map((r) => r.event?.execution?.jobId))).to.deep.equal(new Set(more.map((m) => m.job?.id)));
  });
});
