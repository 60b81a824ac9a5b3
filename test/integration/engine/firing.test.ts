import { expect } from 'chai';
import { ExecutionStatus, ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { eventually } from '../../support/eventually.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, cron, engineServer, everyMinutes, executionsOf, isoOf, jobOf, MINUTE, newClock, once, tick, TYPE } from './engine-harness.js';

describe('engine: jobs fire on time (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  it('fires an immediate one-shot at once, and it completes', async () => {
    const job = await createJob(server, { schedule: once() });
    await tick(server, clock, 0);
    const [acquired] = await acquire(server);
    expect(acquired?.execution).to.include({ jobId: job.id, attempt: 1, trigger: ExecutionTrigger.SCHEDULE, status: ExecutionStatus.RUNNING });
    expect(isoOf(acquired?.execution?.occurrenceAt)).to.equal('2026-03-02T08:00:00.000Z');
    await complete(server, acquired!);
    expect((await jobOf(server, job.id)).state).to.equal(JobState.COMPLETED);
  });

  it('fires a one-shot at its instant, not before', async () => {
    const job = await createJob(server, { schedule: once(new Date('2026-03-02T08:30:00Z')) });
    expect((await jobOf(server, job.id)).state).to.equal(JobState.SCHEDULED);
    await tick(server, clock, 29 * MINUTE);
    expect(await executionsOf(server, job.id)).to.have.length(0);
    await tick(server, clock, MINUTE);
    await eventually(async () => expect(await executionsOf(server, job.id)).to.have.length(1));
  });

  it('fires a one-shot whose instant is long past (the original never ran those)', async () => {
    const job = await createJob(server, { schedule: once(new Date('2025-01-01T00:00:00Z')) });
    await tick(server, clock, 0);
    const executions = await executionsOf(server, job.id);
    expect(executions.map((e) => isoOf(e.occurrenceAt))).to.deep.equal(['2025-01-01T00:00:00.000Z']);
  });

  it('fires an interval job on its anchor grid and reschedules from the schedule, not from the run', async () => {
    const job = await createJob(server, { schedule: everyMinutes(15, new Date('2026-03-02T00:00:00Z')) });
    expect(isoOf((await jobOf(server, job.id)).nextRunAt)).to.equal('2026-03-02T08:15:00.000Z');
    await tick(server, clock, 15 * MINUTE);
    const [first] = await acquire(server, 10, 10 * MINUTE);
    expect(isoOf(first?.execution?.occurrenceAt)).to.equal('2026-03-02T08:15:00.000Z');
    clock.advance(7 * MINUTE); // a slow run must not push the schedule
    await complete(server, first!);
    const after = await jobOf(server, job.id);
    expect(after.state).to.equal(JobState.SCHEDULED);
    expect(isoOf(after.nextRunAt)).to.equal('2026-03-02T08:30:00.000Z');
  });

  it('fires a cron job at its wall-clock time in its zone', async () => {
    // 09:30 in Berlin (UTC+1 in March before the switch) is 08:30 UTC.
    const job = await createJob(server, { schedule: cron('30 9 * * *', 'Europe/Berlin') });
    expect(isoOf((await jobOf(server, job.id)).nextRunAt)).to.equal('2026-03-02T08:30:00.000Z');
    await tick(server, clock, 30 * MINUTE);
    await eventually(async () => expect((await executionsOf(server, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal(['2026-03-02T08:30:00.000Z']));
    expect(isoOf((await jobOf(server, job.id)).nextRunAt)).to.equal('2026-03-03T08:30:00.000Z');
  });

  it('fires through the background loops alone when time passes (no manual pass)', async () => {
    const looping = await engineServer(clock, undefined, { SCHEDULER_ENABLED: 'true' });
    try {
      const job = await createJob(looping, { schedule: everyMinutes(1) });
      clock.advance(MINUTE);
      await eventually(async () => expect(await executionsOf(looping, job.id)).to.have.length(1));
      const immediate = await createJob(looping, { schedule: once() });
      // Woken by the "jobs due" signal, not by time: the clock does not move.
      await eventually(async () => expect(await executionsOf(looping, immediate.id)).to.have.length(1));
    } finally {
      await looping.stop();
    }
  });

  it('fires a backlog with several passes in flight, each job once (DISPATCH_CONCURRENCY)', async () => {
    const lanes = await engineServer(clock, undefined, { DISPATCH_BATCH_SIZE: '4', DISPATCH_CONCURRENCY: '3' });
    try {
      const at = new Date('2026-03-02T08:10:00Z');
      const { jobs } = await lanes.scheduler.batchCreateJobs({ requests: Array.from({ length: 30 }, (_, i) => ({ job: { name: `backlog ${i}`, type: TYPE, schedule: everyMinutes(60, at) } })) });
      const dispatch = lanes.useCases.dispatch;
      const runOnce = dispatch.runOnce.bind(dispatch);
      let inFlight = 0;
      let most = 0;
      dispatch.runOnce = async () => {
        most = Math.max(most, ++inFlight);
        try {
          return await runOnce();
        } finally {
          inFlight -= 1;
        }
      };
      clock.advance(10 * MINUTE);
      const fired = await dispatch.runUntilIdle();
      expect(most).to.equal(3);
      expect(fired).to.include({ jobs: 30, executions: 30, skipped: 0 });
      for (const job of jobs) expect((await executionsOf(lanes, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal(['2026-03-02T08:10:00.000Z']);
      expect(await dispatch.runUntilIdle()).to.include({ jobs: 0, executions: 0 });
    } finally {
      await lanes.stop();
    }
  });
});
