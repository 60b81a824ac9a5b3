import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { toJson } from '@bufbuild/protobuf';
import { durationFromMs, durationMs } from '@bufbuild/protobuf/wkt';
import { ExecutionSchema } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { createJob, hourly, idCases, ms, rejects, runningJob, stateName, status, statusName, uniqueType, WORKER } from '../support/helpers.js';
import { eventually } from '../../support/eventually.js';
import type { Target } from '../support/target.js';

/** A recurring job (next fire in the future) with one queued RUN_NOW execution. */
async function queuedRun(t: Target) {
  const job = await createJob(t, { type: uniqueType(), schedule: hourly() });
  const { execution } = await t.scheduler.runJob({ id: job.id });
  return { job, execution: execution! };
}


export const executionCases: AreaCases = {
  scheduler: {
    cancelExecution: [
      ok('a queued execution ends CANCELLED; the recurring job keeps its schedule', async (t) => {
        const { job, execution } = await queuedRun(t);
        const { execution: cancelled } = await t.scheduler.cancelExecution({ id: execution.id, reason: 'contract test' });
        expect(cancelled).to.include({ id: execution.id, jobId: job.id });
        expect(statusName(cancelled?.status)).to.equal('CANCELLED');
        expect(ms(cancelled?.finishedAt)).to.be.closeTo(Date.now(), 60_000);
        const { job: after } = await t.scheduler.getJob({ id: job.id });
        expect(stateName(after?.state ?? 0)).to.equal('SCHEDULED');
        expect(ms(after?.nextRunAt)).to.equal(ms(job.nextRunAt));
      }),
      ok('a running execution ends CANCELLED, and its worker learns it from the next heartbeat', async (t) => {
        const { acquired } = await runningJob(t);
        const id = acquired.execution?.id ?? '';
        const { execution } = await t.scheduler.cancelExecution({ id, reason: 'stop it' });
        expect(statusName(execution?.status)).to.equal('CANCELLED');
        const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: id, leaseToken: acquired.leaseToken }] });
        expect(leases[0]).to.include({ executionId: id, held: false, cancelRequested: true });
        expect(leases[0]?.reason).to.match(/stop it/);
      }),
      fails('FAILED_PRECONDITION', 'an execution that already ended is refused, naming its status', async (t) => {
        const { execution } = await queuedRun(t);
        await t.scheduler.cancelExecution({ id: execution.id });
        await rejects(t.scheduler.cancelExecution({ id: execution.id }), status.FAILED_PRECONDITION, /cancelled/);
        const { acquired } = await runningJob(t);
        await t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
        await rejects(t.scheduler.cancelExecution({ id: acquired.execution?.id ?? '' }), status.FAILED_PRECONDITION, /succeeded/);
      }),
      fails('INVALID_ARGUMENT', 'a reason over 1,000 characters is refused naming reason', async (t) => {
        const { execution } = await queuedRun(t);
        await rejects(t.scheduler.cancelExecution({ id: execution.id, reason: 'x'.repeat(1001) }), status.INVALID_ARGUMENT, /^reason /);
        expect(statusName((await t.scheduler.getExecution({ id: execution.id })).execution?.status)).to.equal('QUEUED');
      }),
      ...idCases('id', (t, id) => t.scheduler.cancelExecution({ id })),
    ],

    getExecution: [
      ok('returns a queued execution as RunJob returned it', async (t) => {
        const { execution } = await queuedRun(t);
        const { execution: read } = await t.scheduler.getExecution({ id: execution.id });
        expect(toJson(ExecutionSchema, read!)).to.deep.equal(toJson(ExecutionSchema, execution));
      }),
      ok('a finished execution carries its worker, times, duration and result', async (t) => {
        const { acquired } = await runningJob(t);
        const id = acquired.execution?.id ?? '';
        await t.worker.completeExecution({ executionId: id, leaseToken: acquired.leaseToken, result: { pages: 3 } });
        const { execution } = await t.scheduler.getExecution({ id });
        expect(statusName(execution?.status)).to.equal('SUCCEEDED');
        expect(execution).to.include({ workerId: WORKER, attempt: 1, number: 1n, cancelRequested: false });
        expect(execution?.result).to.deep.equal({ pages: 3 });
        expect(ms(execution?.startedAt)).to.be.at.least(ms(execution?.queuedAt));
        expect(ms(execution?.finishedAt) - ms(execution?.startedAt)).to.equal(durationMs(execution!.duration!));
        expect(execution?.leaseExpiresAt, 'no lease once finished').to.equal(undefined);
      }),
      ...idCases('id', (t, id) => t.scheduler.getExecution({ id })),
    ],

    getJobStats: [
      ok('a job that never ran: zero counts, success_rate 0, no last execution, next_run_at as the job', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: hourly() });
        const { stats } = await t.scheduler.getJobStats({ jobId: job.id });
        expect(stats).to.include({ jobId: job.id, totalExecutions: 0n, succeeded: 0n, failed: 0n, queued: 0n, running: 0n, successRate: 0, overdue: false, consecutiveFailures: 0 });
        expect(stats?.lastExecution).to.equal(undefined);
        expect(ms(stats?.nextRunAt)).to.equal(ms(job.nextRunAt));
      }),
      ok('counts by status, success_rate = succeeded ÷ finished, last execution and last success/failure', async (t) => {
        const type = uniqueType();
        const job = await createJob(t, { type, schedule: hourly(), retryPolicy: { maxRetries: 0 } });
        await t.scheduler.runJob({ id: job.id });
        const [first] = (await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1, wait: durationFromMs(5_000) })).executions;
        await t.worker.completeExecution({ executionId: first?.execution?.id ?? '', leaseToken: first?.leaseToken ?? '' });
        await t.scheduler.runJob({ id: job.id });
        const [second] = (await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1, wait: durationFromMs(5_000) })).executions;
        await t.worker.failExecution({ executionId: second?.execution?.id ?? '', leaseToken: second?.leaseToken ?? '', errorMessage: 'boom' });
        await t.scheduler.runJob({ id: job.id });
        const { stats } = await t.scheduler.getJobStats({ jobId: job.id });
        expect(stats).to.include({ totalExecutions: 3n, succeeded: 1n, failed: 1n, queued: 1n, running: 0n, successRate: 0.5, consecutiveFailures: 1 });
        expect(stats?.lastExecution?.number).to.equal(3n);
        expect(ms(stats?.lastSuccessAt)).to.be.closeTo(Date.now(), 60_000);
        expect(ms(stats?.lastFailureAt)).to.be.at.least(ms(stats?.lastSuccessAt));
        expect(stats?.averageDuration).to.not.equal(undefined);
      }),
      ok('expect_success_within: success_expected_by is creation + the window, and overdue once it passes', async (t) => {
        const job = await createJob(t, { type: uniqueType(), expectSuccessWithin: durationFromMs(1_000) });
        const { stats } = await t.scheduler.getJobStats({ jobId: job.id });
        expect(ms(stats?.successExpectedBy)).to.equal(ms(job.createdAt) + 1_000);
        await sleep(Math.max(0, ms(stats?.successExpectedBy) - Date.now()) + 100);
        expect((await t.scheduler.getJobStats({ jobId: job.id })).stats?.overdue).to.equal(true);
      }),
      ...idCases('job_id', (t, jobId) => t.scheduler.getJobStats({ jobId })),
    ],

    getSchedulerMetrics: [
      ok('cluster-wide figures: consistent counts, a rate from 0 to 1, the 1 h window and when they were computed', async (t) => {
        const { metrics } = await t.scheduler.getSchedulerMetrics({});
        expect(ms(metrics?.computedAt)).to.be.closeTo(Date.now(), 60_000);
        expect(durationMs(metrics!.window!)).to.equal(3_600_000);
        expect(metrics?.successRate).to.be.within(0, 1);
        const m = metrics!;
        expect(m.executionsTotal).to.equal(m.executionsQueued + m.executionsRunning + m.executionsSucceeded + m.executionsFailed + m.executionsCancelled);
      }),
      ok('a job created and paused is counted (figures are at most a second old)', async (t) => {
        const before = Number((await t.scheduler.getSchedulerMetrics({})).metrics?.jobsPaused ?? 0n);
        const job = await createJob(t, { type: uniqueType() });
        await t.scheduler.pauseJob({ id: job.id });
        await eventually(async () => expect(Number((await t.scheduler.getSchedulerMetrics({})).metrics?.jobsPaused)).to.be.greaterThan(before), 5_000);
      }),
    ],

    getMetricsHistory: [
      ok('by default the last hour by minute: 60 consecutive buckets on whole minutes, the last holding now', async (t) => {
        const { buckets, step, computedAt } = await t.scheduler.getMetricsHistory({});
        expect(durationMs(step!)).to.equal(60_000);
        const starts = buckets.map((b) => ms(b.start));
        expect(starts).to.have.length(60);
        expect(starts.every((start, i) => start % 60_000 === 0 && (i === 0 || start - (starts[i - 1] as number) === 60_000))).to.equal(true);
        const now = ms(computedAt);
        expect(now - (starts.at(-1) as number)).to.be.within(0, 59_999);
        for (const b of buckets) expect(b.successRate).to.be.within(0, 1);
      }),
      ok('an execution that succeeds is counted in the bucket of its finish, with its start', async (t) => {
        const { acquired } = await runningJob(t);
        await t.worker.completeExecution({ executionId: acquired.execution!.id, leaseToken: acquired.leaseToken });
        const { buckets } = await t.scheduler.getMetricsHistory({ window: durationFromMs(120_000), step: durationFromMs(10_000) });
        expect(buckets.length).to.be.within(12, 13);
        expect(buckets.reduce((sum, b) => sum + Number(b.succeeded), 0)).to.be.at.least(1);
        expect(buckets.reduce((sum, b) => sum + Number(b.started), 0)).to.be.at.least(1);
      }),
      fails('INVALID_ARGUMENT', 'a window under a minute, a step under 10 s, or more than 1,440 buckets is refused naming the field', async (t) => {
        await rejects(t.scheduler.getMetricsHistory({ window: durationFromMs(30_000) }), status.INVALID_ARGUMENT, /^window must be from 1 minute to 24 hours/);
        await rejects(t.scheduler.getMetricsHistory({ step: durationFromMs(5_000) }), status.INVALID_ARGUMENT, /^step must be whole seconds from 10 s to 1 hour/);
        await rejects(t.scheduler.getMetricsHistory({ window: durationFromMs(86_400_000), step: durationFromMs(10_000) }), status.INVALID_ARGUMENT, /^window ÷ step must be at most 1440 buckets/);
      }),
    ],
  },
};
