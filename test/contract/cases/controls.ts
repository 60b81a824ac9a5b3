import { expect } from 'chai';
import { ExecutionStatus, ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { autoPausedJob, completedJob, createJob, executionOf, failedJob, hourly, idCases, LATER, LATER_AT, ms, NOW, rejects, status, stateName, uniqueType } from '../support/helpers.js';
import type { Target } from '../support/target.js';

const scheduledJob = (t: Target) => createJob(t, { type: uniqueType(), schedule: LATER });

async function pausedJob(t: Target) {
  const job = await scheduledJob(t);
  return (await t.scheduler.pauseJob({ id: job.id })).job!;
}

async function cancelledJob(t: Target) {
  const job = await scheduledJob(t);
  return (await t.scheduler.cancelJob({ id: job.id })).job!;
}

/** An operation refused in a state: FAILED_PRECONDITION whose message names that state. */
function refusedIn(state: string, make: (t: Target) => Promise<{ id: string }>, call: (t: Target, id: string) => Promise<unknown>) {
  return fails('FAILED_PRECONDITION', `refused for a ${state} job, naming the state`, async (t) => {
    const job = await make(t);
    await rejects(call(t, job.id), status.FAILED_PRECONDITION, new RegExp(`\\b${state}\\b`));
  });
}

const pause = (t: Target, id: string) => t.scheduler.pauseJob({ id });
const resume = (t: Target, id: string) => t.scheduler.resumeJob({ id });
const cancel = (t: Target, id: string) => t.scheduler.cancelJob({ id });
const retry = (t: Target, id: string) => t.scheduler.retryJob({ id });
const run = (t: Target, id: string) => t.scheduler.runJob({ id });

export const controlCases: AreaCases = {
  scheduler: {
    pauseJob: [
      ok('a scheduled job becomes PAUSED: next_run_at cleared, paused_at set, version bumped', async (t) => {
        const job = await scheduledJob(t);
        const { job: paused } = await t.scheduler.pauseJob({ id: job.id });
        expect(stateName(paused?.state ?? 0)).to.equal('PAUSED');
        expect(paused?.nextRunAt).to.equal(undefined);
        expect(ms(paused?.pausedAt)).to.be.closeTo(Date.now(), 60_000);
        expect(paused?.version).to.equal(job.version + 1n);
      }),
      refusedIn('paused', pausedJob, pause),
      refusedIn('cancelled', cancelledJob, pause),
      refusedIn('completed', completedJob, pause),
      ...idCases('id', pause),
    ],

    resumeJob: [
      ok('a paused one-shot is SCHEDULED for its instant again, paused_at cleared', async (t) => {
        const job = await pausedJob(t);
        const { job: resumed } = await t.scheduler.resumeJob({ id: job.id });
        expect(stateName(resumed?.state ?? 0)).to.equal('SCHEDULED');
        expect(ms(resumed?.nextRunAt)).to.equal(LATER_AT.getTime());
        expect(resumed?.pausedAt).to.equal(undefined);
      }),
      ok('a paused recurring job is SCHEDULED for its next fire time', async (t) => {
        const anchor = new Date('2026-01-01T00:00:00Z');
        const job = await createJob(t, { type: uniqueType(), schedule: hourly(anchor) });
        await t.scheduler.pauseJob({ id: job.id });
        const { job: resumed } = await t.scheduler.resumeJob({ id: job.id });
        expect(stateName(resumed?.state ?? 0)).to.equal('SCHEDULED');
        expect(ms(resumed?.nextRunAt)).to.equal(ms(job.nextRunAt));
      }),
      ok('a recurring job paused after too many consecutive failures is SCHEDULED again; consecutive_failures is kept', async (t) => {
        const job = await autoPausedJob(t, 2);
        const { job: resumed } = await t.scheduler.resumeJob({ id: job.id });
        expect(stateName(resumed?.state ?? 0)).to.equal('SCHEDULED');
        expect(ms(resumed?.nextRunAt)).to.be.greaterThan(Date.now());
        expect(resumed).to.include({ consecutiveFailures: 2 });
        expect(resumed?.pausedAt).to.equal(undefined);
      }),
      refusedIn('scheduled', scheduledJob, resume),
      refusedIn('cancelled', cancelledJob, resume),
      ...idCases('id', resume),
    ],

    cancelJob: [
      ok('a scheduled job becomes CANCELLED: cancelled_at set, nothing due', async (t) => {
        const job = await scheduledJob(t);
        const { job: cancelled } = await t.scheduler.cancelJob({ id: job.id, reason: 'contract test' });
        expect(stateName(cancelled?.state ?? 0)).to.equal('CANCELLED');
        expect(cancelled?.nextRunAt).to.equal(undefined);
        expect(ms(cancelled?.cancelledAt)).to.be.closeTo(Date.now(), 60_000);
      }),
      ok('a queued execution of the job is cancelled with it', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: NOW });
        const queued = await executionOf(t, job.id, (e) => e.status === ExecutionStatus.QUEUED);
        await t.scheduler.cancelJob({ id: job.id, reason: 'no longer needed' });
        const { execution } = await t.scheduler.getExecution({ id: queued.id });
        expect(ExecutionStatus[execution?.status ?? 0]).to.equal('CANCELLED');
        expect(ms(execution?.finishedAt)).to.be.closeTo(Date.now(), 60_000);
      }),
      refusedIn('cancelled', cancelledJob, cancel),
      refusedIn('completed', completedJob, cancel),
      fails('INVALID_ARGUMENT', 'a reason over 1,000 characters is refused naming reason', async (t) => {
        const job = await scheduledJob(t);
        await rejects(t.scheduler.cancelJob({ id: job.id, reason: 'x'.repeat(1001) }), status.INVALID_ARGUMENT, /^reason /);
        expect(stateName((await t.scheduler.getJob({ id: job.id })).job?.state ?? 0)).to.equal('SCHEDULED');
      }),
      ...idCases('id', cancel),
    ],

    retryJob: [
      ok('a FAILED job runs again now: RUNNING, with a queued MANUAL_RETRY execution at attempt 1', async (t) => {
        const job = await failedJob(t);
        const { job: retried, execution } = await t.scheduler.retryJob({ id: job.id });
        expect(stateName(retried?.state ?? 0)).to.equal('RUNNING');
        expect(execution).to.include({ jobId: job.id, attempt: 1, number: 2n });
        expect(ExecutionTrigger[execution?.trigger ?? 0]).to.equal('MANUAL_RETRY');
        expect(ExecutionStatus[execution?.status ?? 0]).to.equal('QUEUED');
      }),
      fails('FAILED_PRECONDITION', 'refused for a recurring job paused after too many consecutive failures (it is PAUSED, not FAILED), pointing to resume', async (t) => {
        const job = await autoPausedJob(t, 1);
        await rejects(retry(t, job.id), status.FAILED_PRECONDITION, /cannot retry a job that is paused .*resume/);
        expect(stateName((await t.scheduler.getJob({ id: job.id })).job?.state ?? 0)).to.equal('PAUSED');
      }),
      refusedIn('scheduled', scheduledJob, retry),
      refusedIn('completed', completedJob, retry),
      refusedIn('cancelled', cancelledJob, retry),
      ...idCases('id', retry),
    ],

    runJob: [
      ok('a scheduled job runs now: RUNNING, with a queued RUN_NOW execution', async (t) => {
        const job = await scheduledJob(t);
        const { job: running, execution } = await t.scheduler.runJob({ id: job.id });
        expect(stateName(running?.state ?? 0)).to.equal('RUNNING');
        expect(running?.executionCount).to.equal(1n);
        expect(execution).to.include({ jobId: job.id, jobType: job.type, number: 1n, attempt: 1 });
        expect(ExecutionTrigger[execution?.trigger ?? 0]).to.equal('RUN_NOW');
        expect(ExecutionStatus[execution?.status ?? 0]).to.equal('QUEUED');
        expect(ms(execution?.scheduledAt)).to.be.closeTo(Date.now(), 60_000);
      }),
      ok('a COMPLETED job runs again', async (t) => {
        const job = await completedJob(t);
        const { job: running } = await t.scheduler.runJob({ id: job.id });
        expect(stateName(running?.state ?? 0)).to.equal('RUNNING');
      }),
      ok('a PAUSED job runs once and stays paused', async (t) => {
        const job = await pausedJob(t);
        const { job: after, execution } = await t.scheduler.runJob({ id: job.id });
        expect(after?.state).to.equal(JobState.PAUSED);
        expect(ExecutionStatus[execution?.status ?? 0]).to.equal('QUEUED');
      }),
      refusedIn('cancelled', cancelledJob, run),
      ...idCases('id', run),
    ],
  },
};
