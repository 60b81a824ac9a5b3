import { expect } from 'chai';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ExecutionEventKind, ExecutionStatus, ExecutionTrigger, type Execution } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { ok, type AreaCases } from '../support/contract.js';
import { liveWatch } from '../support/event-stream.js';
import { acquireOne, createJob, executionOf, failedJob, hourly, ms, rejects, runningJob, stateName, stateOf, status, statusName, uniqueType, WORKER } from '../support/helpers.js';
import { eventually } from '../../support/eventually.js';
import type { Target } from '../support/target.js';

/**
 * The state changes the proto comments name that the per-RPC files do not already show: how
 * executions end without a worker's report (TIMED_OUT, LOST), what a pause does to an occurrence
 * already running, and what cancelling the one execution of a one-shot does to its job. Each
 * waits on the real service, so a comment that drifts from behaviour fails here.
 */

const executionOfId = async (t: Target, id: string) => (await t.scheduler.getExecution({ id })).execution as Execution;

/** The job's executions by attempt, once `count` of them exist. */
function attemptsOf(t: Target, jobId: string, count: number): Promise<Execution[]> {
  return eventually(async () => {
    const { executions } = await t.scheduler.listExecutions({ jobId });
    expect(executions, 'executions of the job').to.have.length(count);
    return [...executions].sort((a, b) => a.attempt - b.attempt);
  }, 20_000);
}

export const transitionCases: AreaCases = {
  scheduler: {
    createJob: [
      ok('a one-shot at an instant in the past is queued at once: RUNNING, its execution due at that instant', async (t) => {
        const past = new Date('2020-06-01T00:00:00Z');
        const job = await createJob(t, { type: uniqueType(), schedule: { kind: { case: 'once', value: { at: timestampFromDate(past) } } } });
        expect(stateName(job.state)).to.equal('RUNNING');
        expect(job.nextRunAt).to.equal(undefined);
        const execution = await executionOf(t, job.id);
        expect(ms(execution.occurrenceAt)).to.equal(past.getTime());
        expect(ms(execution.scheduledAt), 'due at its occurrence').to.equal(past.getTime());
      }),
    ],

    pauseJob: [
      ok('pausing a RUNNING one-shot lets its execution finish; the job is PAUSED, then COMPLETED', async (t) => {
        const { job, acquired } = await runningJob(t);
        const { job: paused } = await t.scheduler.pauseJob({ id: job.id });
        expect(stateName(paused?.state ?? 0)).to.equal('PAUSED');
        const { execution } = await t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
        expect(statusName(execution?.status)).to.equal('SUCCEEDED');
        const completed = await stateOf(t, job.id, JobState.COMPLETED);
        expect(completed.pausedAt).to.equal(undefined);
        expect(ms(completed.finishedAt)).to.equal(ms(execution?.finishedAt));
      }),
      ok('pausing a RUNNING recurring job lets its execution finish; the job stays PAUSED', async (t) => {
        const type = uniqueType();
        const job = await createJob(t, { type, schedule: hourly() });
        await t.scheduler.runJob({ id: job.id });
        const acquired = await acquireOne(t, type);
        await t.scheduler.pauseJob({ id: job.id });
        await t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
        const after = await t.scheduler.getJob({ id: job.id });
        expect(stateName(after.job?.state ?? 0)).to.equal('PAUSED');
        expect(after.job?.nextRunAt).to.equal(undefined);
        expect(ms(after.job?.lastSuccessAt)).to.be.closeTo(Date.now(), 60_000);
      }),
    ],

    resumeJob: [
      ok('a job paused while its occurrence runs resumes to RUNNING', async (t) => {
        const { job } = await runningJob(t);
        await t.scheduler.pauseJob({ id: job.id });
        const { job: resumed } = await t.scheduler.resumeJob({ id: job.id });
        expect(stateName(resumed?.state ?? 0)).to.equal('RUNNING');
      }),
    ],

    runJob: [
      ok('a one-shot that has not fired: RunJob is its run (next_run_at cleared); a recurring job keeps its next_run_at', async (t) => {
        const oneShot = await createJob(t, { type: uniqueType() });
        expect((await t.scheduler.runJob({ id: oneShot.id })).job?.nextRunAt).to.equal(undefined);
        const recurring = await createJob(t, { type: uniqueType(), schedule: hourly() });
        expect(ms((await t.scheduler.runJob({ id: recurring.id })).job?.nextRunAt)).to.equal(ms(recurring.nextRunAt));
      }),
      ok('a FAILED job runs again: RUNNING, with a RUN_NOW execution', async (t) => {
        const job = await failedJob(t);
        const { job: running, execution } = await t.scheduler.runJob({ id: job.id });
        expect(stateName(running?.state ?? 0)).to.equal('RUNNING');
        expect(running?.finishedAt).to.equal(undefined);
        expect(ExecutionTrigger[execution?.trigger ?? 0]).to.equal('RUN_NOW');
      }),
    ],

    cancelExecution: [
      ok("cancelling a one-shot's execution ends the job FAILED with the reason as last_error; RetryJob runs it again", async (t) => {
        const { job, acquired } = await runningJob(t);
        const { execution } = await t.scheduler.cancelExecution({ id: acquired.execution?.id ?? '', reason: 'wrong input' });
        expect(execution?.error).to.include({ message: 'cancelled by an operator: wrong input', retryable: false });
        const failed = await stateOf(t, job.id, JobState.FAILED);
        expect(failed.lastError).to.equal('cancelled by an operator: wrong input');
        expect(failed.consecutiveFailures, 'a cancel is not a failure').to.equal(0);
        expect(ms(failed.finishedAt)).to.equal(ms(execution?.finishedAt));
        const { job: retried } = await t.scheduler.retryJob({ id: job.id });
        expect(stateName(retried?.state ?? 0)).to.equal('RUNNING');
      }),
    ],

    cancelJob: [
      ok('a running execution is cancelled with its job; its worker learns it from the heartbeat', async (t) => {
        const { job, acquired } = await runningJob(t);
        await t.scheduler.cancelJob({ id: job.id, reason: 'retired' });
        expect(statusName((await executionOfId(t, acquired.execution?.id ?? '')).status)).to.equal('CANCELLED');
        const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken }] });
        expect(leases[0]).to.include({ held: false, cancelRequested: true });
        await rejects(t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken }), status.FAILED_PRECONDITION, /cancelled/);
      }),
    ],

    deleteJob: [
      ok("forced, a running execution's worker learns from its heartbeat that the execution is gone", async (t) => {
        const { job, acquired } = await runningJob(t);
        await t.scheduler.deleteJob({ id: job.id, force: true });
        const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken }] });
        expect(leases[0]).to.include({ held: false, cancelRequested: true });
        expect(leases[0]?.reason).to.match(/no longer exists/);
      }),
    ],
  },

  worker: {
    acquireExecutions: [
      ok('among equal priorities, the earliest scheduled_at first', async (t) => {
        const type = uniqueType();
        const at = (iso: string) => ({ kind: { case: 'once' as const, value: { at: timestampFromDate(new Date(iso)) } } });
        const later = await createJob(t, { type, schedule: at('2021-01-01T00:00:00Z') });
        const earlier = await createJob(t, { type, schedule: at('2020-01-01T00:00:00Z') });
        for (const job of [later, earlier]) await executionOf(t, job.id, (e) => e.status === ExecutionStatus.QUEUED);
        const { executions } = await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 2 });
        expect(executions.map((a) => a.execution?.jobId)).to.deep.equal([earlier.id, later.id]);
      }),
      ok("the payload handed out is the job's at acquisition, not at queueing", async (t) => {
        const type = uniqueType();
        const job = await createJob(t, { type, payload: { version: 1 } });
        await t.scheduler.runJob({ id: job.id });
        await t.scheduler.updateJob({ job: { id: job.id, payload: { version: 2 } }, updateMask: { paths: ['payload'] } });
        expect((await acquireOne(t, type)).payload).to.deep.equal({ version: 2 });
      }),
      ok('a retry waiting out its backoff (scheduled_at ahead) is not handed out', async (t) => {
        const { job, acquired, type } = await runningJob(t, { retryPolicy: { maxRetries: 1, initialBackoff: durationFromMs(3_600_000) } });
        const { retry } = await t.worker.failExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken, errorMessage: 'later' });
        expect(statusName(retry?.status)).to.equal('QUEUED');
        expect((await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1 })).executions).to.deep.equal([]);
        expect(stateName((await t.scheduler.getJob({ id: job.id })).job?.state ?? 0), 'waiting for a retry is RUNNING').to.equal('RUNNING');
      }),
    ],

    heartbeat: [
      ok('progress replaces the previous; a heartbeat without progress keeps it', async (t) => {
        const { acquired } = await runningJob(t);
        const lease = { executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken };
        await t.worker.heartbeat({ workerId: WORKER, leases: [{ ...lease, progress: { a: 1 } }] });
        await t.worker.heartbeat({ workerId: WORKER, leases: [{ ...lease, progress: { b: 2 } }] });
        await t.worker.heartbeat({ workerId: WORKER, leases: [lease] });
        expect((await executionOfId(t, lease.executionId)).progress).to.deep.equal({ b: 2 });
      }),
      ok(
        'an attempt past attempt_timeout ends TIMED_OUT: the heartbeat says stop, the event is TIMED_OUT, the policy retries it',
        async (t) => {
          const type = uniqueType();
          const { stream } = await liveWatch(t, [type]);
          try {
            const job = await createJob(t, { type, schedule: { kind: { case: 'once', value: {} } }, attemptTimeout: durationFromMs(1_000), retryPolicy: { maxRetries: 1, initialBackoff: durationFromMs(3_600_000) } });
            const acquired = await acquireOne(t, type, 60_000);
            const first = acquired.execution as Execution;
            expect(ms(first.deadlineAt) - ms(first.startedAt), 'deadline_at = started_at + attempt_timeout').to.equal(1_000);
            const [timedOut, retry] = await attemptsOf(t, job.id, 2);
            expect(statusName(timedOut?.status)).to.equal('TIMED_OUT');
            expect(timedOut?.error?.retryable).to.equal(true);
            expect(timedOut?.leaseExpiresAt, 'no lease once ended').to.equal(undefined);
            expect(retry).to.include({ attempt: 2 });
            expect(ExecutionTrigger[retry?.trigger ?? 0]).to.equal('RETRY');
            expect((await t.scheduler.getJob({ id: job.id })).job?.executionCount, 'execution_count counts attempts').to.equal(2n);
            const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: first.id, leaseToken: acquired.leaseToken }] });
            expect(leases[0]).to.include({ held: false, cancelRequested: true });
            const event = await stream.take((e) => e.execution?.id === first.id && e.kind === ExecutionEventKind.TIMED_OUT);
            expect(statusName(event.execution?.status)).to.equal('TIMED_OUT');
          } finally {
            stream.close();
          }
        },
        30_000,
      ),
      ok(
        'a lease that expires without a heartbeat ends LOST: held = false without cancel_requested, the event is LOST, the policy retries it',
        async (t) => {
          const type = uniqueType();
          const { stream } = await liveWatch(t, [type]);
          try {
            const job = await createJob(t, { type, schedule: { kind: { case: 'once', value: {} } }, retryPolicy: { maxRetries: 1, initialBackoff: durationFromMs(3_600_000) } });
            const acquired = await acquireOne(t, type, 5_000);
            const [lost, retry] = await attemptsOf(t, job.id, 2);
            expect(statusName(lost?.status)).to.equal('LOST');
            expect(lost?.error?.retryable).to.equal(true);
            expect(retry).to.include({ attempt: 2 });
            const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken }] });
            expect(leases[0]).to.include({ held: false, cancelRequested: false });
            await rejects(t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken }), status.FAILED_PRECONDITION, /lost/);
            const event = await stream.take((e) => e.execution?.id === acquired.execution?.id && e.kind === ExecutionEventKind.LOST, 10_000);
            expect(statusName(event.execution?.status)).to.equal('LOST');
          } finally {
            stream.close();
          }
        },
        30_000,
      ),
    ],
  },
};
