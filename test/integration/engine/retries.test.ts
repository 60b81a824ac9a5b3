import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus, ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, createJob, engineServer, everyMinutes, executionsOf, fail, isoOf, jobOf, MINUTE, newClock, once, statuses, tick } from './engine-harness.js';

describe('engine: retries (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  it('retries after exactly 60, 120 and 240 s by default, then the one-shot fails for good', async () => {
    const job = await createJob(server, { schedule: once() });
    await tick(server, clock, 0);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const [acquired] = await acquire(server);
      expect(acquired?.execution?.attempt, `attempt ${attempt}`).to.equal(attempt);
      const failedAt = clock.now().getTime();
      const { retry } = await fail(server, acquired!);
      if (attempt === 4) {
        expect(retry).to.equal(undefined);
        break;
      }
      const scheduledAt = new Date(isoOf(retry?.scheduledAt) as string).getTime();
      delays.push((scheduledAt - failedAt) / 1000);
      expect(retry).to.include({ attempt: attempt + 1, trigger: ExecutionTrigger.RETRY, status: ExecutionStatus.QUEUED });
      // Not acquirable one second before its time, acquirable at it.
      clock.advance(scheduledAt - failedAt - 1000);
      expect(await acquire(server)).to.have.length(0);
      clock.advance(1000);
    }
    expect(delays).to.deep.equal([60, 120, 240]);
    const executions = await executionsOf(server, job.id);
    expect(statuses(executions)).to.deep.equal([ExecutionStatus.FAILED, ExecutionStatus.FAILED, ExecutionStatus.FAILED, ExecutionStatus.FAILED]);
    expect(executions.map((e) => Number(e.number))).to.deep.equal([1, 2, 3, 4]);
    expect(new Set(executions.map((e) => isoOf(e.occurrenceAt))).size).to.equal(1);
    const failed = await jobOf(server, job.id);
    expect(failed).to.include({ state: JobState.FAILED, consecutiveFailures: 1, lastError: 'boom' });
  });

  it('follows a custom policy (2 retries, 10 s, x3) and stops at a non-retryable failure', async () => {
    const job = await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 2, initialBackoff: durationFromMs(10_000), multiplier: 3 } });
    await tick(server, clock, 0);
    const [first] = await acquire(server);
    const { retry } = await fail(server, first!);
    expect(new Date(isoOf(retry?.scheduledAt) as string).getTime() - clock.now().getTime()).to.equal(10_000);
    clock.advance(10_000);
    const [second] = await acquire(server);
    const result = await fail(server, second!, false);
    expect(result.retry).to.equal(undefined);
    expect((await jobOf(server, job.id)).state).to.equal(JobState.FAILED);
  });

  it('keeps a recurring job on its schedule after an occurrence exhausts its retries', async () => {
    const job = await createJob(server, { schedule: everyMinutes(60), retryPolicy: { maxRetries: 0 } });
    await tick(server, clock, 60 * MINUTE);
    const [acquired] = await acquire(server);
    await fail(server, acquired!);
    const after = await jobOf(server, job.id);
    expect(after).to.include({ state: JobState.SCHEDULED, consecutiveFailures: 1 });
    expect(isoOf(after.nextRunAt)).to.equal('2026-03-02T10:00:00.000Z');
  });

  it('pauses a recurring job after N consecutive failed occurrences when asked to', async () => {
    const job = await createJob(server, { schedule: everyMinutes(1), retryPolicy: { maxRetries: 0 }, pauseAfterConsecutiveFailures: 2 });
    for (let i = 0; i < 2; i += 1) {
      await tick(server, clock, MINUTE);
      const [acquired] = await acquire(server);
      await fail(server, acquired!);
    }
    expect((await jobOf(server, job.id)).state).to.equal(JobState.PAUSED);
    await tick(server, clock, 10 * MINUTE);
    expect(await executionsOf(server, job.id)).to.have.length(2);
  });

  it('retry of a failed one-shot runs it now with attempts from 1', async () => {
    const job = await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 0 } });
    await tick(server, clock, 0);
    await fail(server, (await acquire(server))[0]!);
    const { job: retried, execution } = await server.scheduler.retryJob({ id: job.id });
    expect(retried?.state).to.equal(JobState.RUNNING);
    expect(execution).to.include({ attempt: 1, trigger: ExecutionTrigger.MANUAL_RETRY, number: 2n });
    expect((await acquire(server))[0]?.execution?.id).to.equal(execution?.id);
  });
});
