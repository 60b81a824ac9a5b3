import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus, ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState, OutsideWindowPolicy, OverlapPolicy, WindowEndPolicy } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { lateMorning } from './window-fixtures.js';
import { WorkSession } from '../../support/work-session.js';
import { acquire, createJob, cron, engineServer, TYPE, executionsOf, fail, isoOf, jobOf, MINUTE, newClock, once, tick } from './engine-harness.js';

const HOUR = 60 * MINUTE;

describe('engine: execution windows', function () {
  this.timeout(60_000);
  let clock: FakeClock;
  let server: TestServer;

  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(async () => server.stop());

  it('defers a fire time outside every window to the next opening, keeping the slot as occurrence_at', async () => {
    const job = await createJob(server, { schedule: cron('0 * * * *'), overlapPolicy: OverlapPolicy.ALLOW, executionWindows: lateMorning() });
    await tick(server, clock, HOUR); // 09:00 UTC, outside
    const [deferred] = await executionsOf(server, job.id);
    expect([isoOf(deferred?.occurrenceAt), isoOf(deferred?.scheduledAt), deferred?.status]).to.deep.equal(['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z', ExecutionStatus.QUEUED]);
    expect(await acquire(server)).to.have.length(0);
    clock.advance(HOUR - 1);
    expect(await acquire(server)).to.have.length(0);
    clock.advance(1);
    const [taken] = await acquire(server);
    expect(taken?.execution?.id).to.equal(deferred?.id);
  });

  it('skips a fire time outside every window with policy SKIP and fires the next one inside', async () => {
    const job = await createJob(server, { schedule: cron('0 * * * *'), executionWindows: lateMorning({ outsidePolicy: OutsideWindowPolicy.SKIP }) });
    await tick(server, clock, HOUR); // 09:00 UTC
    expect(await executionsOf(server, job.id)).to.have.length(0);
    expect((await jobOf(server, job.id)).state).to.equal(JobState.SCHEDULED);
    await tick(server, clock, HOUR); // 10:00 UTC, inside
    const executions = await executionsOf(server, job.id);
    expect(executions.map((e) => [isoOf(e.occurrenceAt), isoOf(e.scheduledAt)])).to.deep.equal([['2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z']]);
  });

  it('queues an immediate one-shot created outside its window for the opening; nothing is handed out before', async () => {
    const job = await createJob(server, { schedule: once(), executionWindows: lateMorning() });
    expect(job.state).to.equal(JobState.RUNNING);
    const [execution] = await executionsOf(server, job.id);
    expect([isoOf(execution?.occurrenceAt), isoOf(execution?.scheduledAt)]).to.deep.equal(['2026-03-02T08:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    expect(await acquire(server)).to.have.length(0);
    clock.advance(2 * HOUR);
    expect(await acquire(server)).to.have.length(1);
  });

  it('does not hand a one-shot created outside its window to a waiting Work session', async () => {
    const session = await WorkSession.open(server.worker, { start: { workerId: 'stream-worker', jobTypes: [TYPE] }, credits: 2 });
    // Wait until the session asked for work and found none: its credits are free for a hand-off.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const job = await createJob(server, { schedule: once(), executionWindows: lateMorning() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(session.executions).to.have.length(0);
    expect((await executionsOf(server, job.id)).map((e) => e.status)).to.deep.equal([ExecutionStatus.QUEUED]);
    await session.close();
  });

  it('with end policy CANCEL, the deadline is the window close and the execution ends cancelled "window closed", without a retry', async () => {
    clock.advance(2.5 * HOUR); // 10:30 UTC, inside
    const job = await createJob(server, { schedule: once(), attemptTimeout: durationFromMs(2 * HOUR), executionWindows: lateMorning({ endPolicy: WindowEndPolicy.CANCEL }) });
    const [taken] = await acquire(server);
    expect(isoOf(taken?.execution?.deadlineAt)).to.equal('2026-03-02T11:00:00.000Z');
    expect(isoOf(taken?.execution?.windowClosesAt)).to.equal('2026-03-02T11:00:00.000Z');
    await tick(server, clock, 30 * MINUTE + 1);
    const executions = await executionsOf(server, job.id);
    expect(executions.map((e) => e.status)).to.deep.equal([ExecutionStatus.CANCELLED]);
    expect(executions[0]?.error?.message).to.equal('window closed at 2026-03-02T11:00:00.000Z (execution_windows.end_policy CANCEL)');
    expect((await jobOf(server, job.id)).state).to.equal(JobState.FAILED);
  });

  it('with end policy CANCEL, an execution still queued when its window closes is not handed out but cancelled', async () => {
    const job = await createJob(server, { schedule: once(), executionWindows: lateMorning({ endPolicy: WindowEndPolicy.CANCEL }) });
    const [queued] = await executionsOf(server, job.id);
    expect([isoOf(queued?.scheduledAt), isoOf(queued?.windowClosesAt)]).to.deep.equal(['2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000Z']);
    clock.advance(3 * HOUR); // 11:00 UTC: the window has just closed
    expect(await acquire(server)).to.have.length(0);
    await tick(server, clock, 0);
    const [ended] = await executionsOf(server, job.id);
    expect([ended?.status, ended?.error?.message]).to.deep.equal([ExecutionStatus.CANCELLED, 'window closed at 2026-03-02T11:00:00.000Z before a worker took it (execution_windows.end_policy CANCEL)']);
  });

  it('with end policy CANCEL, an attempt timeout earlier than the close still ends it as timed out', async () => {
    clock.advance(2.5 * HOUR);
    const job = await createJob(server, { schedule: once(), attemptTimeout: durationFromMs(MINUTE), retryPolicy: { maxRetries: 0 }, executionWindows: lateMorning({ endPolicy: WindowEndPolicy.CANCEL }) });
    const [taken] = await acquire(server);
    expect(isoOf(taken?.execution?.deadlineAt)).to.equal('2026-03-02T10:31:00.000Z');
    await tick(server, clock, MINUTE + 1);
    expect((await executionsOf(server, job.id)).map((e) => e.status)).to.deep.equal([ExecutionStatus.TIMED_OUT]);
  });

  it('with end policy CONTINUE (the default), a running execution outlives its window', async () => {
    clock.advance(2.5 * HOUR);
    const job = await createJob(server, { schedule: once(), executionWindows: lateMorning() });
    const [taken] = await acquire(server, 10, HOUR);
    expect(taken?.execution?.deadlineAt).to.equal(undefined);
    expect(taken?.execution?.windowClosesAt).to.equal(undefined);
    await tick(server, clock, 45 * MINUTE); // 11:15, after the close
    expect((await executionsOf(server, job.id)).map((e) => e.status)).to.deep.equal([ExecutionStatus.RUNNING]);
  });

  it('RunJob runs now outside the windows; its automatic retry waits for the next window', async () => {
    const job = await createJob(server, { schedule: cron('0 0 1 1 *'), retryPolicy: { maxRetries: 1, initialBackoff: durationFromMs(1_000) }, executionWindows: lateMorning() });
    await server.scheduler.runJob({ id: job.id });
    const [taken] = await acquire(server);
    expect(taken?.execution?.trigger).to.equal(ExecutionTrigger.RUN_NOW);
    const { retry } = await fail(server, taken!);
    expect(isoOf(retry?.scheduledAt)).to.equal('2026-03-02T10:00:00.000Z');
    clock.advance(MINUTE);
    expect(await acquire(server)).to.have.length(0);
  });

  it('is set and cleared by UpdateJob (update_mask "execution_windows") and returned by GetJob and ListJobs, defaults filled in', async () => {
    const job = await createJob(server, { schedule: cron('0 * * * *') });
    expect(job.executionWindows).to.equal(undefined);
    await server.scheduler.updateJob({ job: { id: job.id, executionWindows: lateMorning() }, updateMask: { paths: ['execution_windows'] } });
    const windows = (await jobOf(server, job.id)).executionWindows;
    expect(windows?.timeZone).to.equal('Europe/Berlin');
    expect(windows?.windows.map((w) => [w.days, w.start, w.end])).to.deep.equal([[[1, 2, 3, 4, 5], '11:00', '12:00']]);
    expect([windows?.outsidePolicy, windows?.endPolicy]).to.deep.equal([OutsideWindowPolicy.DEFER, WindowEndPolicy.CONTINUE]);
    const { jobs } = await server.scheduler.listJobs({});
    expect(jobs.find((j) => j.id === job.id)?.executionWindows?.timeZone).to.equal('Europe/Berlin');
    await server.scheduler.updateJob({ job: { id: job.id }, updateMask: { paths: ['execution_windows'] } });
    expect((await jobOf(server, job.id)).executionWindows).to.equal(undefined);
  });

  it('refuses invalid windows with INVALID_ARGUMENT naming the field, in CreateJob and UpdateJob', async () => {
    const refusal = async (executionWindows: Record<string, unknown>) => {
      const error = (await createJob(server, { schedule: cron('0 * * * *'), executionWindows }).catch((e: ServiceError) => e)) as ServiceError;
      expect(error.code).to.equal(status.INVALID_ARGUMENT);
      return error.details;
    };
    expect(await refusal(lateMorning({ timeZone: 'Mars/Olympus' }))).to.equal('job.execution_windows.time_zone must be an IANA time zone such as "Europe/Berlin", got "Mars/Olympus"');
    expect(await refusal(lateMorning({ windows: [{ days: [1], start: '25:00', end: '12:00' }] }))).to.equal('job.execution_windows.windows[0].start must be a time "HH:MM" from 00:00 to 23:59, got "25:00"');
    expect(await refusal(lateMorning({ windows: [{ days: [], start: '09:00', end: '12:00' }] }))).to.equal('job.execution_windows.windows[0].days must name at least one day');
    expect(await refusal(lateMorning({ outsidePolicy: 7 }))).to.equal('job.execution_windows.outside_policy has an unknown value (7)');
    const job = await createJob(server, { schedule: cron('0 * * * *') });
    const overlap = (await server.scheduler
      .updateJob({ job: { id: job.id, executionWindows: lateMorning({ windows: [{ days: [1], start: '09:00', end: '12:00' }, { days: [1], start: '11:00', end: '13:00' }] }) }, updateMask: { paths: ['execution_windows'] } })
      .catch((e: ServiceError) => e)) as ServiceError;
    expect(overlap.code).to.equal(status.INVALID_ARGUMENT);
    expect(overlap.details).to.equal('job.execution_windows: windows[0] (Monday 09:00-12:00) overlaps windows[1] (Monday 11:00-13:00); make them touch or merge them into one window');
  });

  it('PreviewSchedule shows the fire times after windows: deferred to the opening, or skipped slots left out', async () => {
    const preview = async (outsidePolicy: OutsideWindowPolicy) => {
      const { fireTimes } = await server.scheduler.previewSchedule({ schedule: cron('0 * * * *'), count: 4, after: timestampFromDate(new Date('2026-03-02T07:30:00Z')), executionWindows: lateMorning({ outsidePolicy }) });
      return fireTimes.map(isoOf);
    };
    // 08:00 and 09:00 wait for 10:00; 10:00 is inside; 11:00 is at the close, outside: the next day.
    expect(await preview(OutsideWindowPolicy.DEFER)).to.deep.equal(['2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z']);
    expect(await preview(OutsideWindowPolicy.SKIP)).to.deep.equal(['2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z', '2026-03-04T10:00:00.000Z', '2026-03-05T10:00:00.000Z']);
    const refused = (await server.scheduler.previewSchedule({ schedule: cron('0 * * * *'), executionWindows: lateMorning({ timeZone: '' }) }).catch((e: ServiceError) => e)) as ServiceError;
    expect(refused.code).to.equal(status.INVALID_ARGUMENT);
    expect(refused.details).to.match(/^execution_windows\.time_zone must be an IANA time zone/);
  });
});
