import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { toJson } from '@bufbuild/protobuf';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { CatchUpPolicy, JobSchema, JobView, OverlapPolicy } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { IntervalUnit } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { createJob, hourly, jobsOfType, LAST_TIMESTAMP, LATER, LATER_AT, ms, NOW, rejects, status, stateName, uniqueType, unknownId, UNSUPPORTED_INSTANT, UUID, type JobInit } from '../support/helpers.js';
import type { Target } from '../support/target.js';

/** CreateJob requests that must be refused, with the field the message must name (ranges: job-boundaries.ts). */
const INVALID_JOBS: readonly [string, (type: string) => Partial<JobInit> | undefined, RegExp][] = [
  ['no job', () => undefined, /^job is required/],
  ['a type with a space', () => ({ type: 'not valid' }), /^job\.type /],
  ['no schedule', (type) => ({ type, schedule: undefined }), /^job\.schedule is required/],
  ['an invalid cron expression', (type) => ({ type, schedule: { kind: { case: 'cron', value: { expression: '61 * * * *' } } } }), /^job\.schedule\.cron\.expression /],
  ['an unknown time zone', (type) => ({ type, schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: 'Mars/Base' } } } }), /^job\.schedule\.cron\.time_zone /],
  [
    'a one-shot at the last Timestamp, 9999-12-31T23:59:59.999999999Z',
    (type) => ({ type, schedule: { kind: { case: 'once', value: { at: LAST_TIMESTAMP } } } }),
    new RegExp(`^job\\.schedule\\.once\\.at${UNSUPPORTED_INSTANT.source}9999-12-31T23:59:59\\.999Z$`),
  ],
  [
    'an interval anchored on the first day of the Timestamp range',
    (type) => ({ type, schedule: { kind: { case: 'interval', value: { every: 1, unit: IntervalUnit.DAYS, anchor: { seconds: -62_135_596_800n, nanos: 0 } } } } }),
    new RegExp(`^job\\.schedule\\.interval\\.anchor${UNSUPPORTED_INSTANT.source}0001-01-01T00:00:00\\.000Z$`),
  ],
  ['a negative attempt timeout', (type) => ({ type, attemptTimeout: { seconds: -1n, nanos: 0 } }), /^job\.attempt_timeout /],
  ['NaN in the payload', (type) => ({ type, payload: { a: { b: Number.NaN } } }), /^job\.payload\["a"\]\["b"\] is NaN; JSON has no NaN or Infinity$/],
  ['-Infinity in a list of the payload', (type) => ({ type, payload: { a: [1, Number.NEGATIVE_INFINITY] } }), /^job\.payload\["a"\]\[1\] is -Infinity; JSON has no NaN or Infinity$/],
];

function jobRequest(type: string, job: Partial<JobInit> | undefined): { job?: JobInit } {
  return job === undefined ? {} : { job: { name: 'contract test', type, schedule: LATER, ...job } };
}

async function expectNoJobs(target: Target, type: string): Promise<void> {
  expect(await jobsOfType(target, type), `jobs of ${type}`).to.deep.equal([]);
}

export const jobCases: AreaCases = {
  scheduler: {
    createJob: [
      ok('a one-shot due now is RUNNING at once, its first execution queued, with every documented default filled in', async (t) => {
        const type = uniqueType();
        const before = Date.now();
        const { job } = await t.scheduler.createJob({ job: { name: 'defaults', type, schedule: NOW } });
        expect(job?.id).to.match(UUID);
        expect(job).to.include({ name: 'defaults', type, priority: 0, description: '', consecutiveFailures: 0, lastError: '', pauseAfterConsecutiveFailures: 0 });
        expect(stateName(job?.state ?? 0)).to.equal('RUNNING');
        expect(job?.version).to.equal(1n);
        expect(job?.executionCount).to.equal(1n);
        expect(job?.payload).to.deep.equal({});
        expect(toJson(JobSchema, job!)).to.deep.include({
          retryPolicy: { maxRetries: 3, initialBackoff: '60s', maxBackoff: '3600s', multiplier: 2 },
          overlapPolicy: 'OVERLAP_POLICY_SKIP',
          catchUpPolicy: 'CATCH_UP_POLICY_SKIP',
          catchUpWindow: '3600s',
        });
        expect(job?.attemptTimeout).to.equal(undefined);
        expect(job?.expectSuccessWithin).to.equal(undefined);
        expect(ms(job?.createdAt)).to.be.within(before - 5_000, Date.now() + 5_000);
        expect(job?.nextRunAt, 'next_run_at of a one-shot that has fired').to.equal(undefined);
        expect(ms(job?.lastRunAt)).to.equal(ms(job?.createdAt));
        expect(ms(job?.updatedAt)).to.equal(ms(job?.createdAt));
        const { executions } = await t.scheduler.listExecutions({ jobId: job?.id ?? '' });
        expect(executions.map((e) => [e.attempt, e.number, ExecutionStatus[e.status], ms(e.occurrenceAt)])).to.deep.equal([[1, 1n, 'QUEUED', ms(job?.createdAt)]]);
      }),
      ok('a one-shot at a future instant is SCHEDULED for that instant, and every input field is kept', async (t) => {
        const type = uniqueType();
        const input: JobInit = {
          name: 'all fields',
          type,
          description: 'kept as given',
          payload: { url: 'https://example.com', depth: 2, tags: ['a', 'b'], nested: { on: true } },
          schedule: LATER,
          retryPolicy: { maxRetries: 5, initialBackoff: durationFromMs(2_000), maxBackoff: durationFromMs(60_000), multiplier: 3, jitter: 0.5 },
          attemptTimeout: durationFromMs(30_000),
          priority: -7,
          overlapPolicy: OverlapPolicy.ALLOW,
          catchUpPolicy: CatchUpPolicy.RUN_ALL,
          catchUpWindow: durationFromMs(600_000),
          labels: { team: 'contract', tier: 'b' },
          pauseAfterConsecutiveFailures: 4,
          expectSuccessWithin: durationFromMs(86_400_000),
        };
        const { job } = await t.scheduler.createJob({ job: input });
        expect(stateName(job?.state ?? 0)).to.equal('SCHEDULED');
        expect(ms(job?.nextRunAt)).to.equal(LATER_AT.getTime());
        const json = toJson(JobSchema, job!) as Record<string, unknown>;
        expect(json).to.deep.include({
          name: 'all fields',
          description: 'kept as given',
          payload: input.payload,
          schedule: { once: { at: '2099-01-01T00:00:00Z' } },
          retryPolicy: { maxRetries: 5, initialBackoff: '2s', maxBackoff: '60s', multiplier: 3, jitter: 0.5 },
          attemptTimeout: '30s',
          priority: -7,
          overlapPolicy: 'OVERLAP_POLICY_ALLOW',
          catchUpPolicy: 'CATCH_UP_POLICY_RUN_ALL',
          catchUpWindow: '600s',
          labels: { team: 'contract', tier: 'b' },
          pauseAfterConsecutiveFailures: 4,
          expectSuccessWithin: '86400s',
        });
      }),
      ok('a one-shot at the last supported instant is kept to the millisecond, nanoseconds cut', async (t) => {
        const at = { seconds: 253_402_214_399n, nanos: 999_999_999 }; // 9999-12-30T23:59:59.999999999Z
        const job = await createJob(t, { type: uniqueType(), schedule: { kind: { case: 'once', value: { at } } } });
        expect(toJson(JobSchema, job)).to.deep.include({ schedule: { once: { at: '9999-12-30T23:59:59.999Z' } }, nextRunAt: '9999-12-30T23:59:59.999Z' });
        expect(stateName(job.state)).to.equal('SCHEDULED');
      }),
      ok('an interval without anchor first fires one period after creation', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: hourly() });
        expect(stateName(job.state)).to.equal('SCHEDULED');
        expect(ms(job.nextRunAt) - ms(job.createdAt)).to.equal(3_600_000);
      }),
      ok('repeating a request with the same request_id returns the first job and creates no second one', async (t) => {
        const type = uniqueType();
        const request = { requestId: randomUUID(), job: { name: 'once only', type, schedule: LATER, payload: { b: 1, a: 2 } } };
        const first = await t.scheduler.createJob(request);
        const again = await t.scheduler.createJob({ ...request, job: { ...request.job, payload: { a: 2, b: 1 } } });
        expect(again.job?.id).to.equal(first.job?.id);
        expect((await jobsOfType(t, type)).map((j) => j.id)).to.deep.equal([first.job?.id]);
      }),
      ok('concurrent identical requests with one request_id all return the one job', async (t) => {
        const type = uniqueType();
        const request = { requestId: randomUUID(), job: { name: 'raced', type, schedule: LATER } };
        const answers = await Promise.all(Array.from({ length: 8 }, () => t.scheduler.createJob(request)));
        const ids = new Set(answers.map((a) => a.job?.id));
        expect(ids.size).to.equal(1);
        expect((await jobsOfType(t, type)).map((j) => j.id)).to.deep.equal([...ids]);
      }),
      fails('ALREADY_EXISTS', 'the same request_id with a different job is refused, naming the earlier job', async (t) => {
        const type = uniqueType();
        const requestId = randomUUID();
        const { job } = await t.scheduler.createJob({ requestId, job: { name: 'first', type, schedule: LATER } });
        await rejects(t.scheduler.createJob({ requestId, job: { name: 'second', type, schedule: LATER } }), status.ALREADY_EXISTS, new RegExp(`request_id .*${job?.id}`));
        expect(await jobsOfType(t, type)).to.have.length(1);
      }),
      ...INVALID_JOBS.map(([what, job, field]) =>
        fails('INVALID_ARGUMENT', `${what} is refused naming the field, and nothing is created`, async (t) => {
          const type = uniqueType();
          await rejects(t.scheduler.createJob(jobRequest(type, job(type))), status.INVALID_ARGUMENT, field);
          await expectNoJobs(t, type);
        }),
      ),
      fails('INVALID_ARGUMENT', 'a request_id longer than 128 characters is refused naming request_id', async (t) => {
        const type = uniqueType();
        await rejects(t.scheduler.createJob({ requestId: 'r'.repeat(129), job: { name: 'n', type, schedule: LATER } }), status.INVALID_ARGUMENT, /^request_id /);
        await expectNoJobs(t, type);
      }),
    ],

    batchCreateJobs: [
      ok('creates every job, returned in request order', async (t) => {
        const type = uniqueType();
        const names = ['first', 'second', 'third'];
        const { jobs } = await t.scheduler.batchCreateJobs({ requests: names.map((name) => ({ job: { name, type, schedule: LATER } })) });
        expect(jobs.map((j) => j.name)).to.deep.equal(names);
        expect(new Set(jobs.map((j) => j.id)).size).to.equal(3);
        expect((await jobsOfType(t, type)).map((j) => j.id).sort()).to.deep.equal(jobs.map((j) => j.id).sort());
      }),
      ok('a request_id repeated within one batch yields one job', async (t) => {
        const type = uniqueType();
        const request = { requestId: randomUUID(), job: { name: 'twice', type, schedule: LATER } };
        const { jobs } = await t.scheduler.batchCreateJobs({ requests: [request, request] });
        expect(jobs).to.have.length(2);
        expect(jobs[1]?.id).to.equal(jobs[0]?.id);
        expect(await jobsOfType(t, type)).to.have.length(1);
      }),
      ...([
        ['an empty name at index 2', 2, { name: '' }, /^requests\[2\]\.job\.name /],
        ['a missing schedule at index 1', 1, { schedule: undefined }, /^requests\[1\]\.job\.schedule is required/],
        ['an invalid cron expression at index 0', 0, { schedule: { kind: { case: 'cron', value: { expression: 'nope' } } } }, /^requests\[0\]\.job\.schedule\.cron\.expression /],
        ['a negative retry multiplier at index 1', 1, { retryPolicy: { multiplier: -1 } }, /^requests\[1\]\.job\.retry_policy\.multiplier /],
        ['Infinity in the payload at index 1', 1, { payload: { n: Number.POSITIVE_INFINITY } }, /^requests\[1\]\.job\.payload\["n"\] is Infinity; JSON has no NaN or Infinity$/],
        ['a one-shot at the last Timestamp at index 2', 2, { schedule: { kind: { case: 'once', value: { at: LAST_TIMESTAMP } } } }, /^requests\[2\]\.job\.schedule\.once\.at must be from /],
      ] as const).map(([what, index, change, message]) =>
        fails('INVALID_ARGUMENT', `all or nothing: ${what} is named by its index and no job is created`, async (t) => {
          const type = uniqueType();
          const requests = [0, 1, 2].map((i) => ({ job: { name: `job ${i}`, type, schedule: LATER, ...(i === index ? change : {}) } as JobInit }));
          await rejects(t.scheduler.batchCreateJobs({ requests }), status.INVALID_ARGUMENT, message);
          await expectNoJobs(t, type);
        }),
      ),
      ok('view BASIC answers every field but the payload, which is stored all the same', async (t) => {
        const type = uniqueType();
        const { jobs } = await t.scheduler.batchCreateJobs({ requests: [{ job: { name: 'basic', type, schedule: LATER, payload: { url: 'https://example.org' }, labels: { team: 'x' } } }], view: JobView.BASIC });
        const stored = (await t.scheduler.getJob({ id: jobs[0]?.id ?? '' })).job;
        expect(stored?.payload).to.deep.equal({ url: 'https://example.org' });
        expect({ ...jobs[0], payload: stored?.payload }).to.deep.equal(stored);
        expect(jobs[0]?.payload).to.equal(undefined);
      }),
      fails('INVALID_ARGUMENT', 'a view that is no JobView is refused naming view, and no job is created', async (t) => {
        const type = uniqueType();
        await rejects(t.scheduler.batchCreateJobs({ requests: [{ job: { name: 'n', type, schedule: LATER } }], view: 7 as JobView }), status.INVALID_ARGUMENT, /^view has an unknown value \(7\): JOB_VIEW_FULL or JOB_VIEW_BASIC/);
        await expectNoJobs(t, type);
      }),
      fails('INVALID_ARGUMENT', 'an empty batch is refused naming requests', async (t) => {
        await rejects(t.scheduler.batchCreateJobs({ requests: [] }), status.INVALID_ARGUMENT, /^requests /);
      }),
      fails('ALREADY_EXISTS', 'a request_id used before for a different job names the index, and no job of the batch is created', async (t) => {
        const requestId = randomUUID();
        await t.scheduler.createJob({ requestId, job: { name: 'earlier', type: uniqueType(), schedule: LATER } });
        const type = uniqueType();
        const requests = [{ job: { name: 'fresh', type, schedule: LATER } }, { requestId, job: { name: 'different', type, schedule: LATER } }];
        await rejects(t.scheduler.batchCreateJobs({ requests }), status.ALREADY_EXISTS, /requests\[1\]/);
        await expectNoJobs(t, type);
      }),
    ],

    getJob: [
      ok('returns the job as CreateJob returned it', async (t) => {
        const created = await createJob(t, { type: uniqueType(), payload: { k: 'v' }, labels: { a: 'b' } });
        const { job } = await t.scheduler.getJob({ id: created.id });
        expect(toJson(JobSchema, job!)).to.deep.equal(toJson(JobSchema, created));
      }),
      ok('accepts the id in upper case', async (t) => {
        const created = await createJob(t, { type: uniqueType() });
        expect((await t.scheduler.getJob({ id: created.id.toUpperCase() })).job?.id).to.equal(created.id);
      }),
      fails('INVALID_ARGUMENT', 'a missing id is refused naming id', async (t) => {
        await rejects(t.scheduler.getJob({}), status.INVALID_ARGUMENT, /^id is required/);
      }),
      fails('INVALID_ARGUMENT', 'an id that is not a UUID is refused naming id', async (t) => {
        await rejects(t.scheduler.getJob({ id: 'job-1' }), status.INVALID_ARGUMENT, /^id "job-1" is not a valid id/);
      }),
      fails('NOT_FOUND', 'an unknown id', async (t) => {
        const id = unknownId();
        await rejects(t.scheduler.getJob({ id }), status.NOT_FOUND, new RegExp(id));
      }),
    ],
  },
};
