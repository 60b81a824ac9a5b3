import { expect } from 'chai';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus, ExecutionTrigger } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { FailExecutionResponse, HeartbeatRequestSchema, ReportOutcomesRequestSchema } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { acquireOne, autoPausedJob, createJob, executionOf, ms, NOW, rejects, runningJob, stateOf, status, statusName, uniqueType, unknownId, UUID, WORKER } from '../support/helpers.js';
import type { Target } from '../support/target.js';
import { workStreamCases } from './work-stream.js';

type HeartbeatInit = Exclude<MessageInitShape<typeof HeartbeatRequestSchema>, { $typeName: string }>;
type ReportInit = Exclude<MessageInitShape<typeof ReportOutcomesRequestSchema>, { $typeName: string }>;
const acquire = (t: Target, request: Record<string, unknown>) => t.worker.acquireExecutions({ workerId: WORKER, jobTypes: ['contract.none'], capacity: 1, ...request });

/** The fencing cases the three outcome RPCs share: a stale token, an unknown execution, ids that are no UUIDs. */
function fencing(rpc: 'completeExecution' | 'failExecution') {
  const report = (t: Target, executionId: string, leaseToken: string) =>
    rpc === 'completeExecution' ? t.worker.completeExecution({ executionId, leaseToken }) : t.worker.failExecution({ executionId, leaseToken, errorMessage: 'boom' });
  return [
    fails('FAILED_PRECONDITION', 'a lease token that is not the current one changes nothing', async (t: Target) => {
      const { acquired } = await runningJob(t);
      const id = acquired.execution?.id ?? '';
      await rejects(report(t, id, unknownId()), status.FAILED_PRECONDITION, /lease/);
      expect(statusName((await t.scheduler.getExecution({ id })).execution?.status)).to.equal('RUNNING');
    }),
    fails('FAILED_PRECONDITION', 'an execution that already ended (cancelled) is refused, naming its status', async (t: Target) => {
      const { acquired } = await runningJob(t);
      const id = acquired.execution?.id ?? '';
      await t.scheduler.cancelExecution({ id });
      await rejects(report(t, id, acquired.leaseToken), status.FAILED_PRECONDITION, /cancelled/);
      expect(statusName((await t.scheduler.getExecution({ id })).execution?.status)).to.equal('CANCELLED');
    }),
    ok('the same outcome sent again under its lease, its first answer lost, is answered as recorded and changes nothing', async (t: Target) => {
      const { job, acquired } = await runningJob(t, { retryPolicy: { maxRetries: 1 } });
      const id = acquired.execution?.id ?? '';
      const first = await report(t, id, acquired.leaseToken);
      const again = await report(t, id, acquired.leaseToken);
      expect(again.execution).to.deep.equal(first.execution);
      // A failure's answer names the retry it queued, the second time too.
      if (rpc === 'failExecution') {
        const [once, twice] = [first, again] as FailExecutionResponse[];
        expect([once?.retry?.attempt, twice?.retry]).to.deep.equal([2, once?.retry]);
      }
      // One attempt recorded once: a failure queued one retry, not two.
      const { executions } = await t.scheduler.listExecutions({ jobId: job.id });
      expect(executions.map((e) => [e.attempt, statusName(e.status)])).to.deep.equal(rpc === 'completeExecution' ? [[1, 'SUCCEEDED']] : [[2, 'QUEUED'], [1, 'FAILED']]);
    }),
    fails('FAILED_PRECONDITION', 'the other outcome sent under the same lease after one was recorded is refused, naming what was recorded', async (t: Target) => {
      const { acquired } = await runningJob(t);
      const id = acquired.execution?.id ?? '';
      if (rpc === 'completeExecution') await t.worker.failExecution({ executionId: id, leaseToken: acquired.leaseToken, errorMessage: 'boom' });
      else await t.worker.completeExecution({ executionId: id, leaseToken: acquired.leaseToken });
      await rejects(report(t, id, acquired.leaseToken), status.FAILED_PRECONDITION, rpc === 'completeExecution' ? /already ended as failed/ : /already ended as succeeded/);
    }),
    fails('NOT_FOUND', 'an unknown execution', async (t: Target) => {
      await rejects(report(t, unknownId(), unknownId()), status.NOT_FOUND);
    }),
    fails('INVALID_ARGUMENT', 'an execution_id or lease_token that is not a UUID is refused naming it', async (t: Target) => {
      await rejects(report(t, '', unknownId()), status.INVALID_ARGUMENT, /^execution_id is required/);
      await rejects(report(t, 'exec-1', unknownId()), status.INVALID_ARGUMENT, /^execution_id "exec-1"/);
      await rejects(report(t, unknownId(), 'token'), status.INVALID_ARGUMENT, /^lease_token "token"/);
    }),
  ];
}

export const workerCases: AreaCases = {
  worker: {
    work: workStreamCases,
    acquireExecutions: [
      ok('hands out a queued execution as RUNNING under a lease, with the job name and payload', async (t) => {
        const type = uniqueType();
        const job = await createJob(t, { type, name: 'acquire me', schedule: NOW, payload: { n: 1 } });
        const before = Date.now();
        const acquired = await acquireOne(t, type, 10_000);
        expect(acquired).to.include({ jobName: 'acquire me' });
        expect(acquired.payload).to.deep.equal({ n: 1 });
        expect(acquired.leaseToken).to.match(UUID);
        expect(ms(acquired.leaseExpiresAt) - before).to.be.within(9_000, 11_000 + (Date.now() - before));
        expect(acquired.execution).to.include({ jobId: job.id, jobType: type, workerId: WORKER, attempt: 1 });
        expect(statusName(acquired.execution?.status)).to.equal('RUNNING');
        expect(ExecutionTrigger[acquired.execution?.trigger ?? 0]).to.equal('SCHEDULE');
        expect(ms(acquired.execution?.startedAt)).to.be.closeTo(Date.now(), 60_000);
        await stateOf(t, job.id, JobState.RUNNING);
      }),
      ok('highest priority first, and never more than capacity', async (t) => {
        const type = uniqueType();
        const jobs = [await createJob(t, { type, schedule: NOW, priority: -5 }), await createJob(t, { type, schedule: NOW, priority: 5 }), await createJob(t, { type, schedule: NOW, priority: 0 })];
        for (const job of jobs) await executionOf(t, job.id, (e) => e.status === ExecutionStatus.QUEUED);
        const take = async (capacity: number) => (await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity })).executions.map((a) => a.execution?.jobId);
        expect(await take(2)).to.deep.equal([jobs[1]?.id, jobs[2]?.id]);
        expect(await take(2)).to.deep.equal([jobs[0]?.id]);
        expect(await take(2)).to.deep.equal([]);
      }),
      ok('a long poll with nothing to hand out waits about `wait` and returns an empty list', async (t) => {
        const started = Date.now();
        const { executions } = await acquire(t, { jobTypes: [uniqueType()], wait: durationFromMs(300) });
        expect(executions).to.deep.equal([]);
        expect(Date.now() - started).to.be.within(250, 5_000);
      }),
      ok('a long poll returns as soon as an execution of its types is queued', async (t) => {
        const type = uniqueType();
        const started = Date.now();
        const poll = t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 1, wait: durationFromMs(20_000) });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const job = await createJob(t, { type, schedule: NOW });
        const { executions } = await poll;
        expect(executions.map((a) => a.execution?.jobId)).to.deep.equal([job.id]);
        expect(Date.now() - started).to.be.below(10_000);
      }),
      ...([
        ['a missing worker_id', { workerId: '' }, /^worker_id is required/],
        ['no job_types', { jobTypes: [] }, /^job_types must list 1 to 100/],
        ['an invalid job type', { jobTypes: ['ok', 'not ok'] }, /^job_types\[1\] /],
      ] as const).map(([what, change, message]) =>
        fails('INVALID_ARGUMENT', `${what} is refused naming the field`, async (t) => {
          await rejects(acquire(t, change), status.INVALID_ARGUMENT, message);
        }),
      ),
    ],

    heartbeat: [
      ok('extends a held lease and records progress; one status per lease, in request order', async (t) => {
        const type = uniqueType();
        await createJob(t, { type, schedule: NOW });
        const acquired = await acquireOne(t, type, 5_000);
        const id = acquired.execution?.id ?? '';
        const stranger = unknownId();
        const { leases } = await t.worker.heartbeat({
          workerId: WORKER,
          leases: [
            { executionId: id, leaseToken: acquired.leaseToken, progress: { done: 40 } },
            { executionId: stranger, leaseToken: unknownId() },
          ],
        });
        expect(leases.map((l) => [l.executionId, l.held])).to.deep.equal([
          [id, true],
          [stranger, false],
        ]);
        expect(leases[0]?.cancelRequested).to.equal(false);
        expect(ms(leases[0]?.leaseExpiresAt)).to.be.at.least(ms(acquired.leaseExpiresAt));
        expect((await t.scheduler.getExecution({ id })).execution?.progress).to.deep.equal({ done: 40 });
      }),
      ok('a lease token that is not the current one is not held (fenced) and extends nothing', async (t) => {
        const { acquired } = await runningJob(t);
        const id = acquired.execution?.id ?? '';
        const { leases } = await t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: id, leaseToken: unknownId(), progress: { evil: true } }] });
        expect(leases[0]).to.include({ executionId: id, held: false });
        expect(leases[0]?.leaseExpiresAt).to.equal(undefined);
        const { execution } = await t.scheduler.getExecution({ id });
        expect(ms(execution?.leaseExpiresAt)).to.equal(ms(acquired.leaseExpiresAt));
        expect(execution?.progress).to.equal(undefined);
      }),
      ...([
        ['a missing worker_id', { workerId: '' }, /^worker_id is required/],
        ['no leases', { leases: [] }, /^leases must list 1 to 1000/],
        ['an execution_id that is not a UUID', { leases: [{ executionId: 'x', leaseToken: '00000000-0000-4000-8000-000000000000' }] }, /^leases\[0\]\.execution_id "x"/],
        ['a lease_token that is not a UUID', { leases: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: 'x' }] }, /^leases\[0\]\.lease_token "x"/],
        [
          'NaN in progress',
          { leases: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: '00000000-0000-4000-8000-000000000000', progress: { ratio: Number.NaN } }] },
          /^leases\[0\]\.progress\["ratio"\] is NaN; JSON has no NaN or Infinity$/,
        ],
      ] satisfies [string, Partial<HeartbeatInit>, RegExp][]).map(([what, change, message]) =>
        fails('INVALID_ARGUMENT', `${what} is refused naming the field`, async (t) => {
          await rejects(t.worker.heartbeat({ workerId: WORKER, leases: [{ executionId: unknownId(), leaseToken: unknownId() }], ...change }), status.INVALID_ARGUMENT, message);
        }),
      ),
    ],

    completeExecution: [
      ok('records success with its result; the one-shot job is COMPLETED', async (t) => {
        const { job, acquired } = await runningJob(t);
        const { execution } = await t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken, result: { rows: 12 } });
        expect(statusName(execution?.status)).to.equal('SUCCEEDED');
        expect(execution?.result).to.deep.equal({ rows: 12 });
        expect(execution?.duration).to.not.equal(undefined);
        const completed = await stateOf(t, job.id, JobState.COMPLETED);
        expect(ms(completed.lastSuccessAt)).to.equal(ms(execution?.finishedAt));
      }),
      ...fencing('completeExecution'),
      fails('INVALID_ARGUMENT', 'NaN in the result is refused naming where, and the execution keeps RUNNING', async (t) => {
        const { acquired } = await runningJob(t);
        const id = acquired.execution?.id ?? '';
        await rejects(t.worker.completeExecution({ executionId: id, leaseToken: acquired.leaseToken, result: { stats: { mean: Number.NaN } } }), status.INVALID_ARGUMENT, /^result\["stats"\]\["mean"\] is NaN; JSON has no NaN or Infinity$/);
        expect(statusName((await t.scheduler.getExecution({ id })).execution?.status)).to.equal('RUNNING');
      }),
    ],

    failExecution: [
      ok('records failure; with retries left, a retry is queued after the backoff and the job keeps RUNNING', async (t) => {
        const { job, acquired } = await runningJob(t, { retryPolicy: { maxRetries: 2, initialBackoff: durationFromMs(1_000) } });
        const { execution, retry } = await t.worker.failExecution({
          executionId: acquired.execution?.id ?? '',
          leaseToken: acquired.leaseToken,
          errorMessage: 'upstream timed out',
          errorDetails: { code: 504 },
        });
        expect(statusName(execution?.status)).to.equal('FAILED');
        expect(execution?.error).to.include({ message: 'upstream timed out', retryable: true });
        expect(execution?.error?.details).to.deep.equal({ code: 504 });
        expect(retry).to.include({ jobId: job.id, attempt: 2 });
        expect(statusName(retry?.status)).to.equal('QUEUED');
        expect(ExecutionTrigger[retry?.trigger ?? 0]).to.equal('RETRY');
        expect(ms(retry?.occurrenceAt)).to.equal(ms(execution?.occurrenceAt));
        expect(ms(retry?.scheduledAt) - ms(execution?.finishedAt)).to.equal(1_000);
        const { job: after } = await t.scheduler.getJob({ id: job.id });
        expect(after).to.include({ lastError: 'upstream timed out' });
        expect(JobState[after?.state ?? 0]).to.equal('RUNNING');
      }),
      ok('retryable = false ends the occurrence: no retry, the one-shot job is FAILED', async (t) => {
        const { job, acquired } = await runningJob(t, { retryPolicy: { maxRetries: 3 } });
        const { execution, retry } = await t.worker.failExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken, errorMessage: 'bad input', retryable: false });
        expect(execution?.error?.retryable).to.equal(false);
        expect(retry).to.equal(undefined);
        expect((await stateOf(t, job.id, JobState.FAILED)).consecutiveFailures).to.equal(1);
      }),
      ok('a recurring job reaching pause_after_consecutive_failures is PAUSED, not FAILED: nothing due, the schedule kept', async (t) => {
        const job = await autoPausedJob(t, 2);
        expect(job).to.include({ consecutiveFailures: 2, lastError: 'failure 2' });
        expect(job.nextRunAt).to.equal(undefined);
        expect(ms(job.pausedAt)).to.be.closeTo(Date.now(), 60_000);
        expect(job.schedule?.kind.case).to.equal('interval');
        expect(job.finishedAt, 'a paused job has not finished').to.equal(undefined);
      }),
      ...fencing('failExecution'),
      fails('INVALID_ARGUMENT', 'a missing error_message is refused naming error_message', async (t) => {
        const { acquired } = await runningJob(t);
        await rejects(t.worker.failExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken }), status.INVALID_ARGUMENT, /^error_message is required/);
      }),
      fails('INVALID_ARGUMENT', 'Infinity in error_details is refused naming where, and the execution keeps RUNNING', async (t) => {
        const { acquired } = await runningJob(t);
        const id = acquired.execution?.id ?? '';
        await rejects(
          t.worker.failExecution({ executionId: id, leaseToken: acquired.leaseToken, errorMessage: 'boom', errorDetails: { latency: Number.POSITIVE_INFINITY } }),
          status.INVALID_ARGUMENT,
          /^error_details\["latency"\] is Infinity; JSON has no NaN or Infinity$/,
        );
        expect(statusName((await t.scheduler.getExecution({ id })).execution?.status)).to.equal('RUNNING');
      }),
    ],

    reportOutcomes: [
      ok('answers each outcome on its own, in request order: accepted, or refused with the code the single call would return', async (t) => {
        const type = uniqueType();
        for (let i = 0; i < 3; i += 1) await createJob(t, { type, schedule: NOW, retryPolicy: { maxRetries: 0 } });
        const { executions } = await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 3, wait: durationFromMs(5_000) });
        while (executions.length < 3) executions.push(...(await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 3 - executions.length, wait: durationFromMs(5_000) })).executions);
        const [a, b, c] = executions.map((x) => ({ executionId: x.execution?.id ?? '', leaseToken: x.leaseToken }));
        const unknown = unknownId();
        const { results } = await t.worker.reportOutcomes({
          workerId: WORKER,
          outcomes: [
            { ...a!, outcome: { case: 'success', value: { result: { ok: true } } } },
            { ...b!, outcome: { case: 'failure', value: { errorMessage: 'nope', retryable: false } } },
            { executionId: c!.executionId, leaseToken: unknownId(), outcome: { case: 'success', value: {} } },
            { executionId: unknown, leaseToken: unknownId(), outcome: { case: 'success', value: {} } },
          ],
        });
        expect(results.map((r) => [r.executionId, r.accepted, r.code])).to.deep.equal([
          [a!.executionId, true, 0],
          [b!.executionId, true, 0],
          [c!.executionId, false, status.FAILED_PRECONDITION],
          [unknown, false, status.NOT_FOUND],
        ]);
        expect(results[2]?.message).to.match(/lease/);
        const statusOf = async (id: string) => statusName((await t.scheduler.getExecution({ id })).execution?.status);
        expect([await statusOf(a!.executionId), await statusOf(b!.executionId), await statusOf(c!.executionId)]).to.deep.equal(['SUCCEEDED', 'FAILED', 'RUNNING']);
      }),
      ok('an execution named again in one request: only its first outcome counts, fenced by its own token; repeats are refused as INVALID_ARGUMENT', async (t) => {
        const type = uniqueType();
        const jobs = [];
        for (let i = 0; i < 3; i += 1) jobs.push(await createJob(t, { type, schedule: NOW, retryPolicy: { maxRetries: 2, initialBackoff: durationFromMs(60_000) } }));
        const { executions } = await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 3, wait: durationFromMs(5_000) });
        while (executions.length < 3) executions.push(...(await t.worker.acquireExecutions({ workerId: WORKER, jobTypes: [type], capacity: 3 - executions.length, wait: durationFromMs(5_000) })).executions);
        const [a, b, c] = executions.map((x) => ({ executionId: x.execution?.id ?? '', leaseToken: x.leaseToken }));
        const failure = { case: 'failure' as const, value: { errorMessage: 'try again' } };
        const { results } = await t.worker.reportOutcomes({
          workerId: WORKER,
          outcomes: [
            // a: failed twice with its own token (two retries of one attempt would collide)
            { ...a!, outcome: failure },
            { ...a!, outcome: failure },
            // b: a stranger's token first, then the right one: the first is fenced, the repeat refused
            { executionId: b!.executionId, leaseToken: unknownId(), outcome: { case: 'success', value: {} } },
            { ...b!, outcome: { case: 'success', value: {} } },
            // c: success, then failure with the right token: the success counts
            { ...c!, outcome: { case: 'success', value: {} } },
            { ...c!, outcome: failure },
          ],
        });
        expect(results.map((r) => [r.executionId, r.accepted, r.code])).to.deep.equal([
          [a!.executionId, true, 0],
          [a!.executionId, false, status.INVALID_ARGUMENT],
          [b!.executionId, false, status.FAILED_PRECONDITION],
          [b!.executionId, false, status.INVALID_ARGUMENT],
          [c!.executionId, true, 0],
          [c!.executionId, false, status.INVALID_ARGUMENT],
        ]);
        expect(results[1]?.message).to.match(/outcome 0 of this request already reports this execution/);
        const statusOf = async (id: string) => statusName((await t.scheduler.getExecution({ id })).execution?.status);
        expect([await statusOf(a!.executionId), await statusOf(b!.executionId), await statusOf(c!.executionId)]).to.deep.equal(['FAILED', 'RUNNING', 'SUCCEEDED']);
        const jobA = jobs.find((j) => j.id === executions[0]?.execution?.jobId)!;
        const history = (await t.scheduler.listExecutions({ jobId: jobA.id })).executions;
        expect(history.map((e) => [e.attempt, statusName(e.status)]).sort()).to.deep.equal([
          [1, 'FAILED'],
          [2, 'QUEUED'],
        ]);
        await stateOf(t, jobA.id, JobState.RUNNING);
      }),
      ...([
        ['a missing worker_id', { workerId: '' }, /^worker_id is required/],
        ['no outcomes', { outcomes: [] }, /^outcomes must list 1 to 1000/],
        ['an outcome that is neither success, failure nor release', { outcomes: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: '00000000-0000-4000-8000-000000000000' }] }, /^outcomes\[0\] must set success, failure or release/],
        ['a failure without error_message', { outcomes: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: '00000000-0000-4000-8000-000000000000', outcome: { case: 'failure', value: {} } }] }, /^outcomes\[0\]\.failure\.error_message is required/],
        ['an execution_id that is not a UUID', { outcomes: [{ executionId: 'x', leaseToken: '00000000-0000-4000-8000-000000000000', outcome: { case: 'success', value: {} } }] }, /^outcomes\[0\]\.execution_id "x"/],
        [
          'Infinity in a result',
          { outcomes: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: '00000000-0000-4000-8000-000000000000', outcome: { case: 'success', value: { result: { x: Number.POSITIVE_INFINITY } } } }] },
          /^outcomes\[0\]\.success\.result\["x"\] is Infinity; JSON has no NaN or Infinity$/,
        ],
        [
          'NaN in error_details',
          { outcomes: [{ executionId: '00000000-0000-4000-8000-000000000000', leaseToken: '00000000-0000-4000-8000-000000000000', outcome: { case: 'failure', value: { errorMessage: 'e', errorDetails: { y: [Number.NaN] } } } }] },
          /^outcomes\[0\]\.failure\.error_details\["y"\]\[0\] is NaN; JSON has no NaN or Infinity$/,
        ],
      ] satisfies [string, Partial<ReportInit>, RegExp][]).map(([what, change, message]) =>
        fails('INVALID_ARGUMENT', `${what} is refused naming the field`, async (t) => {
          await rejects(t.worker.reportOutcomes({ workerId: WORKER, outcomes: [{ executionId: unknownId(), leaseToken: unknownId(), outcome: { case: 'success', value: {} } }], ...change }), status.INVALID_ARGUMENT, message);
        }),
      ),
    ],
  },
};
