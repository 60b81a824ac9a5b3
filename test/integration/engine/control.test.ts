import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, everyMinutes, executionsOf, isoOf, jobOf, MINUTE, newClock, once, statuses, tick } from './engine-harness.js';

describe('engine: pause, resume, cancel (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  it('pause while running: the running occurrence finishes, nothing new fires, the job stays paused', async () => {
    const job = await createJob(server, { schedule: everyMinutes(1) });
    await tick(server, clock, MINUTE);
    const [running] = await acquire(server, 10, 60 * MINUTE);
    expect((await server.scheduler.pauseJob({ id: job.id })).job?.state).to.equal(JobState.PAUSED);
    await tick(server, clock, 5 * MINUTE);
    await complete(server, running!);
    const paused = await jobOf(server, job.id);
    expect(paused.state).to.equal(JobState.PAUSED);
    expect(paused.nextRunAt).to.equal(undefined);
    expect(statuses(await executionsOf(server, job.id))).to.deep.equal([ExecutionStatus.SUCCEEDED]);
  });

  it('resume picks up the schedule (catch-up SKIP drops what was missed while paused)', async () => {
    const job = await createJob(server, { schedule: everyMinutes(10) });
    await server.scheduler.pauseJob({ id: job.id });
    await tick(server, clock, 35 * MINUTE);
    const { job: resumed } = await server.scheduler.resumeJob({ id: job.id });
    expect(isoOf(resumed?.nextRunAt)).to.equal('2026-03-02T08:10:00.000Z');
    await tick(server, clock, 0);
    expect(await executionsOf(server, job.id)).to.have.length(0);
    expect(isoOf((await jobOf(server, job.id)).nextRunAt)).to.equal('2026-03-02T08:40:00.000Z');
    await tick(server, clock, 5 * MINUTE);
    expect((await executionsOf(server, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal(['2026-03-02T08:40:00.000Z']);
  });

  it('cancel while running: the worker learns it from its heartbeat, the execution ends cancelled, its outcome is refused', async () => {
    const job = await createJob(server, { schedule: once() });
    await tick(server, clock, 0);
    const [running] = await acquire(server);
    const { job: cancelled } = await server.scheduler.cancelJob({ id: job.id, reason: 'no longer needed' });
    expect(cancelled?.state).to.equal(JobState.CANCELLED);
    const { leases } = await server.worker.heartbeat({ workerId: 'w', leases: [{ executionId: running!.execution!.id, leaseToken: running!.leaseToken }] });
    expect(leases[0]).to.include({ held: false, cancelRequested: true });
    expect(leases[0]?.reason).to.match(/cancelled: job cancelled: no longer needed/);
    const refused = (await server.worker
      .failExecution({ executionId: running!.execution!.id, leaseToken: running!.leaseToken, errorMessage: 'aborted' })
      .catch((e: ServiceError) => e)) as ServiceError;
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    const [execution] = await executionsOf(server, job.id);
    expect(execution).to.include({ status: ExecutionStatus.CANCELLED, cancelRequested: true });
    await tick(server, clock, 10 * MINUTE);
    expect(await executionsOf(server, job.id)).to.have.length(1);
  });

  it('cancel of one execution keeps the recurring job on its schedule', async () => {
    const job = await createJob(server, { schedule: everyMinutes(1) });
    await tick(server, clock, MINUTE);
    const [running] = await acquire(server, 1, 60 * MINUTE);
    const { execution } = await server.scheduler.cancelExecution({ id: running!.execution!.id });
    expect(execution?.status).to.equal(ExecutionStatus.CANCELLED);
    const after = await jobOf(server, job.id);
    expect(after.state).to.equal(JobState.SCHEDULED);
    await tick(server, clock, MINUTE);
    expect(statuses(await executionsOf(server, job.id))).to.deep.equal([ExecutionStatus.CANCELLED, ExecutionStatus.QUEUED]);
  });

  it('refuses illegal controls with FAILED_PRECONDITION naming the state, and unknown ids with NOT_FOUND', async () => {
    const job = await createJob(server, { schedule: everyMinutes(1) });
    const resume = (await server.scheduler.resumeJob({ id: job.id }).catch((e: ServiceError) => e)) as ServiceError;
    expect(resume.code).to.equal(status.FAILED_PRECONDITION);
    expect(resume.details).to.equal('cannot resume a job that is scheduled (resume is allowed only when paused)');
    const missing = (await server.scheduler.pauseJob({ id: '6f1c4a52-1111-4222-8333-944455556666' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(missing.code).to.equal(status.NOT_FOUND);
    expect(missing.details).to.equal('job 6f1c4a52-1111-4222-8333-944455556666 does not exist');
  });
});
