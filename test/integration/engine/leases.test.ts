import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { eventually } from '../../support/eventually.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, executionsOf, isoOf, newClock, once, statuses, tick } from './engine-harness.js';

describe('engine: leases, rescue, timeouts, fencing (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  it('heartbeats extend the lease, and a lease that expires is rescued as lost and retried', async () => {
    const job = await createJob(server, { schedule: once() });
    await tick(server, clock, 0);
    const [acquired] = await acquire(server, 1, 10_000);
    const lease = { executionId: acquired!.execution!.id, leaseToken: acquired!.leaseToken };
    await tick(server, clock, 8_000);
    const { leases } = await server.worker.heartbeat({ workerId: 'w', leases: [lease] });
    expect(leases[0]).to.include({ held: true, cancelRequested: false });
    expect(isoOf(leases[0]?.leaseExpiresAt)).to.equal(new Date(clock.now().getTime() + 10_000).toISOString());
    await tick(server, clock, 9_000); // still within the extended lease
    expect(statuses(await executionsOf(server, job.id))).to.deep.equal([ExecutionStatus.RUNNING]);
    await tick(server, clock, 2_000); // expired: the reaper rescues it
    const executions = await eventually(async () => {
      const rows = await executionsOf(server, job.id);
      expect(statuses(rows)).to.deep.equal([ExecutionStatus.LOST, ExecutionStatus.QUEUED]);
      return rows;
    });
    expect(executions[0]?.error?.message).to.match(/lease expired/);
    expect(executions[1]?.attempt).to.equal(2);

    // The worker that lost its lease is told so, and its outcome is refused and changes nothing.
    const late = await server.worker.heartbeat({ workerId: 'w', leases: [lease] });
    expect(late.leases[0]).to.include({ held: false, cancelRequested: false });
    const refused = (await complete(server, acquired!).catch((e: ServiceError) => e)) as ServiceError;
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.details).to.match(/already ended as lost/);
    expect(statuses(await executionsOf(server, job.id))).to.deep.equal([ExecutionStatus.LOST, ExecutionStatus.QUEUED]);
  });

  it('refuses an outcome presented with the wrong lease token', async () => {
    await createJob(server, { schedule: once() });
    await tick(server, clock, 0);
    const [acquired] = await acquire(server);
    const forged = await server.worker
      .completeExecution({ executionId: acquired!.execution!.id, leaseToken: '00000000-0000-4000-8000-000000000000' })
      .catch((e: ServiceError) => e);
    expect((forged as ServiceError).code).to.equal(status.FAILED_PRECONDITION);
    expect((forged as ServiceError).details).to.match(/lease token does not match/);
    await complete(server, acquired!);
  });

  it('ends an attempt past its timeout as timed out, tells the worker to abort, and retries', async () => {
    const job = await createJob(server, { schedule: once(), attemptTimeout: durationFromMs(30_000) });
    await tick(server, clock, 0);
    const [acquired] = await acquire(server, 1, 120_000);
    expect(isoOf(acquired?.execution?.deadlineAt)).to.equal(new Date(clock.now().getTime() + 30_000).toISOString());
    await tick(server, clock, 31_000);
    await eventually(async () => expect(statuses(await executionsOf(server, job.id))).to.have.length(2));
    const { leases } = await server.worker.heartbeat({ workerId: 'w', leases: [{ executionId: acquired!.execution!.id, leaseToken: acquired!.leaseToken }] });
    expect(leases[0]).to.include({ held: false, cancelRequested: true });
    expect(leases[0]?.reason).to.match(/timed out/);
    expect(statuses(await executionsOf(server, job.id))).to.deep.equal([ExecutionStatus.TIMED_OUT, ExecutionStatus.QUEUED]);
  });

  it('hands out executions by priority, then by due time, up to the capacity', async () => {
    const low = await createJob(server, { schedule: once(), priority: -5 });
    const high = await createJob(server, { schedule: once(), priority: 10 });
    const normal = await createJob(server, { schedule: once() });
    await tick(server, clock, 0);
    const first = await acquire(server, 2);
    expect(first.map((a) => a.execution?.jobId)).to.deep.equal([high.id, normal.id]);
    expect((await acquire(server, 2)).map((a) => a.execution?.jobId)).to.deep.equal([low.id]);
  });
});
