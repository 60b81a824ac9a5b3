import { expect } from 'chai';
import { DomainError } from '../../../src/domain/errors.js';
import { cancelJob, createJob, fireDueJob, pauseJob, recordAttemptFailure, rescheduleJob, resumeJob, retryJob, runJobNow, settleOccurrence } from '../../../src/domain/job/job-operations.js';
import type { Job, JobDefinition } from '../../../src/domain/job/job.js';
import { retryPolicy } from '../../../src/domain/retry/retry-policy.js';
import type { Schedule } from '../../../src/domain/schedule/schedule.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const GRACE = 60_000;

function definition(schedule: Schedule, extra: Partial<JobDefinition> = {}): JobDefinition {
  return {
    name: 'crawl',
    type: 'crawler.fetch',
    description: '',
    payload: {},
    schedule,
    retryPolicy: retryPolicy(),
    attemptTimeoutMs: undefined,
    priority: 0,
    overlapPolicy: 'skip',
    catchUpPolicy: 'skip',
    catchUpWindowMs: 3_600_000,
    labels: {},
    pauseAfterConsecutiveFailures: 0,
    expectSuccessWithinMs: undefined,
    dependsOn: [],
    executionWindows: undefined,
    ...extra,
  };
}
const hourly: Schedule = { kind: 'interval', every: 1, unit: 'hours', anchor: undefined };
const now: Schedule = { kind: 'once', at: undefined };

describe('job operations', () => {
  describe('create', () => {
    it('makes an immediate one-shot pending and due now', () => {
      const job = createJob('j', definition(now), T0);
      expect(job).to.include({ state: 'pending', version: 1, executionCount: 0, activeOccurrences: 0 });
      expect(job.nextRunAt).to.deep.equal(T0);
    });

    it('makes a one-shot in the past pending (it still runs: the original never ran those)', () => {
      expect(createJob('j', definition({ kind: 'once', at: at(-600) }), T0)).to.include({ state: 'pending' }).and.have.deep.property('nextRunAt', at(-600));
    });

    it('schedules a recurring job one period after creation', () => {
      const job = createJob('j', definition(hourly), T0);
      expect(job.state).to.equal('scheduled');
      expect(job.nextRunAt).to.deep.equal(at(60));
    });
  });

  describe('fire and settle a one-shot', () => {
    it('runs once, then completes on success', () => {
      const fired = fireDueJob(createJob('j', definition(now), T0), T0, GRACE);
      expect(fired.occurrences.map((o) => o.occurrenceAt)).to.deep.equal([T0]);
      expect(fired.job).to.include({ state: 'running', activeOccurrences: 1, executionCount: 1 });
      expect(fired.job.nextRunAt).to.equal(undefined);
      const done = settleOccurrence(fired.job, 'succeeded', at(1));
      expect(done).to.include({ state: 'completed', activeOccurrences: 0, consecutiveFailures: 0 });
      expect(done.finishedAt).to.deep.equal(at(1));
    });

    it('fails when its occurrence fails for good, and retry runs it again with attempts from 1', () => {
      const fired = fireDueJob(createJob('j', definition(now), T0), T0, GRACE).job;
      const failed = settleOccurrence(recordAttemptFailure(fired, at(1), 'boom'), 'failed', at(2), 'boom again');
      expect(failed).to.include({ state: 'failed', consecutiveFailures: 1, lastError: 'boom again', executionCount: 2 });
      const retried = retryJob(failed, at(3));
      expect(retried.job).to.include({ state: 'running', activeOccurrences: 1, executionCount: 3 });
      expect(retried).to.include({ trigger: 'manual_retry' });
      expect(retried.occurrenceAt).to.deep.equal(at(3));
    });

    it('completes even when paused while its occurrence ran', () => {
      const paused = pauseJob(fireDueJob(createJob('j', definition(now), T0), T0, GRACE).job, at(1));
      expect(paused.state).to.equal('paused');
      expect(settleOccurrence(paused, 'succeeded', at(2)).state).to.equal('completed');
    });

    it('treats run-now of a one-shot that has not fired as its run', () => {
      const job = createJob('j', definition({ kind: 'once', at: at(60) }), T0);
      const run = runJobNow(job, at(1));
      expect(run.job).to.include({ state: 'running' });
      expect(run.job.nextRunAt).to.equal(undefined);
      expect(settleOccurrence(run.job, 'succeeded', at(2)).state).to.equal('completed');
    });

    it('keeps two manual runs in one millisecond on distinct occurrences', () => {
      const first = runJobNow(createJob('j', definition(hourly), T0), at(1));
      const second = runJobNow(first.job, at(1));
      expect(second.occurrenceAt.getTime()).to.equal(first.occurrenceAt.getTime() + 1);
    });
  });

  describe('recurring jobs', () => {
    it('reschedule from the schedule, not from when the run ended', () => {
      const job = createJob('j', definition(hourly), T0);
      const fired = fireDueJob(job, at(60.5), GRACE);
      expect(fired.occurrences.map((o) => o.occurrenceAt)).to.deep.equal([at(60)]);
      expect(fired.job.nextRunAt).to.deep.equal(at(120));
      const settled = settleOccurrence(fired.job, 'succeeded', at(75));
      expect(settled).to.include({ state: 'scheduled' });
      expect(settled.nextRunAt).to.deep.equal(at(120));
    });

    it('keep their schedule after a failed occurrence by default', () => {
      const fired = fireDueJob(createJob('j', definition(hourly), T0), at(60), GRACE).job;
      expect(settleOccurrence(fired, 'failed', at(61), 'x')).to.include({ state: 'scheduled', consecutiveFailures: 1 });
    });

    it('pause after N consecutive failed occurrences when asked to, and a success resets the count', () => {
      let job = createJob('j', definition(hourly, { pauseAfterConsecutiveFailures: 2 }), T0);
      job = settleOccurrence(fireDueJob(job, at(60), GRACE).job, 'failed', at(61));
      job = settleOccurrence(fireDueJob(job, at(120), GRACE).job, 'succeeded', at(121));
      expect(job.consecutiveFailures).to.equal(0);
      job = settleOccurrence(fireDueJob(job, at(180), GRACE).job, 'failed', at(181));
      job = settleOccurrence(fireDueJob(job, at(240), GRACE).job, 'failed', at(241));
      expect(job).to.include({ state: 'paused', consecutiveFailures: 2 });
      expect(job.nextRunAt).to.equal(undefined);
    });

    it('stop firing when paused while running; the running occurrence finishes and the job stays paused', () => {
      const fired = fireDueJob(createJob('j', definition(hourly), T0), at(60), GRACE).job;
      const paused = pauseJob(fired, at(61));
      expect(paused.nextRunAt).to.equal(undefined);
      expect(settleOccurrence(paused, 'succeeded', at(62))).to.include({ state: 'paused', activeOccurrences: 0 });
    });

    it('resume at the first occurrence after the pause began, leaving missed ones to catch-up', () => {
      const paused = pauseJob(createJob('j', definition(hourly), T0), at(30));
      const resumed = resumeJob(paused, at(200));
      expect(resumed.state).to.equal('pending');
      expect(resumed.nextRunAt).to.deep.equal(at(60));
      const fired = fireDueJob(resumed, at(200), GRACE);
      expect(fired.occurrences.map((o) => o.occurrenceAt)).to.deep.equal([]); // catch-up SKIP: all three missed are dropped
      expect(fired.skipped).to.equal(3);
      expect(fired.job).to.include({ state: 'scheduled' });
      expect(fired.job.nextRunAt).to.deep.equal(at(240));
    });

    it('resume to running while an occurrence is still active', () => {
      const paused = pauseJob(fireDueJob(createJob('j', definition(hourly), T0), at(60), GRACE).job, at(61));
      expect(resumeJob(paused, at(62)).state).to.equal('running');
    });
  });

  // Every schedule ends at the last supported instant, 9999-12-30T23:59:59.999Z (instants.ts).
  describe('fired ahead of the slot (the dispatcher\'s lookahead)', () => {
    const slot = at(60);
    const aheadOfSlot = new Date(slot.getTime() - 500);
    const firedAhead = () => fireDueJob(createJob('j', definition(hourly), T0), aheadOfSlot, GRACE, slot);

    it('fires the slot as of the slot: the occurrence is the slot, the next run the one after it, last_run_at the slot', () => {
      const fired = firedAhead();
      expect(fired.occurrences).to.deep.equal([{ occurrenceAt: slot, scheduledAt: slot, windowClosesAt: undefined }]);
      expect(fired.job).to.include({ state: 'running', activeOccurrences: 1, executionCount: 1 });
      expect(fired.job.nextRunAt).to.deep.equal(at(120));
      expect(fired.job.lastRunAt).to.deep.equal(slot);
      expect(fired.job.updatedAt).to.deep.equal(aheadOfSlot);
    });

    it('cannot fire a job whose slot is beyond the instant it is fired as of', () => {
      expect(() => fireDueJob(createJob('j', definition(hourly), T0), aheadOfSlot, GRACE, new Date(slot.getTime() - 1))).to.throw(DomainError, /not due/);
    });

    it('never finds that slot again: not by a reschedule, a pause and resume, or a settle before the slot', () => {
      const fired = firedAhead().job;
      const rescheduled = rescheduleJob(fired, hourly, aheadOfSlot);
      expect(rescheduled.nextRunAt).to.deep.equal(at(120));
      const resumed = resumeJob(pauseJob(fired, aheadOfSlot), new Date(slot.getTime() - 100));
      expect(resumed.nextRunAt).to.deep.equal(at(120));
      // Its execution cancelled before the slot: the job waits again, for the slot after.
      const settled = settleOccurrence(fired, 'cancelled', aheadOfSlot);
      expect(rescheduleJob(settled, hourly, aheadOfSlot)).to.include({ state: 'scheduled' }).and.have.deep.property('nextRunAt', at(120));
    });

    it('gives a manual run before the slot an occurrence of its own', () => {
      const started = runJobNow(firedAhead().job, aheadOfSlot);
      expect(started.occurrenceAt.getTime()).to.not.equal(slot.getTime());
    });
  });

  describe('recurring jobs at the end of their schedule', () => {
    const END = new Date('9999-12-30T21:30:00Z');
    const late = (minutes: number) => new Date(END.getTime() + minutes * 60_000);

    it('fire the last occurrence with no next run, and complete when it settles, whatever its outcome', () => {
      const job = createJob('j', definition(hourly), END);
      const first = fireDueJob(job, late(60), GRACE).job;
      expect(first.nextRunAt).to.deep.equal(late(120));
      const last = fireDueJob(settleOccurrence(first, 'succeeded', late(61)), late(120), GRACE);
      expect(last.occurrences.map((o) => o.occurrenceAt)).to.deep.equal([late(120)]);
      expect(last.job).to.include({ state: 'running', nextRunAt: undefined });
      for (const outcome of ['succeeded', 'failed', 'cancelled'] as const) {
        expect(settleOccurrence(last.job, outcome, late(121)), outcome).to.include({ state: 'completed', nextRunAt: undefined, activeOccurrences: 0 }).and.have.deep.property('finishedAt', late(121));
      }
    });

    it('complete when the dispatcher drops their last occurrences (catch-up SKIP)', () => {
      const missed = fireDueJob(createJob('j', definition(hourly), END), late(180), GRACE);
      expect(missed.occurrences.map((o) => o.occurrenceAt)).to.deep.equal([]);
      expect(missed.skipped).to.equal(2);
      expect(missed.job).to.include({ state: 'completed', nextRunAt: undefined }).and.have.deep.property('finishedAt', late(180));
    });

    it('cannot be created, or rescheduled while waiting, with no fire time left', () => {
      const message = 'schedule has no fire time after 9999-12-30T23:30:00.000Z: every schedule ends at 9999-12-30T23:59:59.999Z, the last supported instant';
      expect(() => createJob('j', definition(hourly), late(120))).to.throw(DomainError, message).with.property('kind', 'InvalidArgument');
      const waiting = createJob('j', definition({ kind: 'once', at: late(150) }), late(120));
      expect(() => rescheduleJob(waiting, hourly, late(120))).to.throw(DomainError, message);
      expect(createJob('j', definition({ kind: 'once', at: undefined }), late(120)).nextRunAt).to.deep.equal(late(120));
    });
  });

  describe('refusals name both states', () => {
    it('cannot pause a completed job', () => {
      const done = settleOccurrence(fireDueJob(createJob('j', definition(now), T0), T0, GRACE).job, 'succeeded', at(1));
      expect(() => pauseJob(done, at(2))).to.throw(DomainError, 'cannot pause a job that is completed');
    });

    it('names the real state when resuming a job that already ran', () => {
      const done = settleOccurrence(fireDueJob(createJob('j', definition(now), T0), T0, GRACE).job, 'succeeded', at(1));
      expect(() => resumeJob(done, at(2))).to.throw(DomainError, 'cannot resume a job that is completed (resume is allowed only when paused)');
    });

    it('cannot retry a job that did not fail, nor touch a cancelled one', () => {
      const job = createJob('j', definition(hourly), T0);
      expect(() => retryJob(job, at(1))).to.throw(DomainError, 'cannot retry a job that is scheduled (retry is allowed only when failed)');
      const cancelled = cancelJob(job, at(1));
      expect(cancelled).to.include({ state: 'cancelled' });
      expect(() => resumeJob(cancelled, at(2))).to.throw(DomainError, 'cannot resume a job that is cancelled');
      expect(() => runJobNow(cancelled, at(2))).to.throw(DomainError, 'cannot run a job that is cancelled');
      expect(() => rescheduleJob(cancelled, now, at(2))).to.throw(DomainError, 'cannot reschedule a job that is cancelled');
    });
  });

  it('reschedule re-arms a waiting job at once', () => {
    const job = createJob('j', definition(hourly), T0);
    const changed = rescheduleJob(job, { kind: 'interval', every: 10, unit: 'minutes', anchor: undefined }, at(5));
    expect(changed.nextRunAt).to.deep.equal(at(10));
    expect(changed.version).to.equal(2);
  });

  it('every change bumps the version (the compare-and-set key)', () => {
    let job: Job = createJob('j', definition(hourly), T0);
    const versions = [job.version];
    job = pauseJob(job, at(1));
    versions.push(job.version);
    job = resumeJob(job, at(2));
    versions.push(job.version);
    expect(versions).to.deep.equal([1, 2, 3]);
  });
});
