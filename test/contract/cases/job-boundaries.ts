import { expect } from 'chai';
import { toJson } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { JobSchema, type CatchUpPolicy, type Job, type OverlapPolicy } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { IntervalUnit } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import { fails, ok, type AreaCases, type ContractCase } from '../support/contract.js';
import { jobsOfType, LATER, ms, rejects, status, stateName, uniqueType, type JobInit, type ScheduleInit } from '../support/helpers.js';
import { createdTypes, type Target } from '../support/target.js';


/** A valid cron expression of exactly 500 characters: minute 0 listed again and again. */
const CRON_500 = `${'0,'.repeat(245)}0 3 * * *`.padStart(500, '0');
/**
 * Every range, length and count job.proto states for Job and the messages inside it
 * (RetryPolicy, Schedule), at its edges: the value just inside is accepted and kept as given,
 * the value just outside is refused naming the field. A comment that drifts from the service
 * fails one of these rows.
 */

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;
const EMOJI = '😀'; // one character, two UTF-16 units

/** A type of exactly `length` characters that starts with a fresh unique type (so the suite's cleanup finds its jobs). */
function typeOfLength(length: number): string {
  const type = `${uniqueType()}.`;
  const long = type + 'x'.repeat(length - type.length);
  createdTypes.add(long);
  return long;
}

const interval = (every: number, unit: IntervalUnit): ScheduleInit => ({ kind: { case: 'interval', value: { every, unit } } });
const labels = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));

/** The value at a dotted path of the job's JSON form (retryPolicy.maxBackoff → "3600s"). */
function at(job: Job, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], toJson(JobSchema, job));
}

/** The type the request gave, for rows that check it was kept. */
const GIVEN_TYPE = (input: Partial<JobInit>) => input.type;

/**
 * [what, the job's fields, a JSON path of the created job, the value it must hold there (or how
 * to get it from the input)]. JSON leaves fields at their default out: undefined there.
 */
type Accepted = readonly [string, (type: string) => Partial<JobInit>, string, unknown];

const ACCEPTED: readonly Accepted[] = [
  ['a name of 200 characters', () => ({ name: 'n'.repeat(200) }), 'name', 'n'.repeat(200)],
  ['a name of 200 emoji (characters, not UTF-16 units)', () => ({ name: EMOJI.repeat(200) }), 'name', EMOJI.repeat(200)],
  ['a name with white space around it, stored trimmed', () => ({ name: '  padded  ' }), 'name', 'padded'],
  ['a type of 100 characters', () => ({ type: typeOfLength(100) }), 'type', GIVEN_TYPE],
  ['a type using every allowed punctuation (. _ : -)', (type) => ({ type: `${type}_a:b-c.d` }), 'type', GIVEN_TYPE],
  ['a description of 2,000 characters', () => ({ description: 'd'.repeat(2000) }), 'description', 'd'.repeat(2000)],
  ['a description of 2,000 emoji', () => ({ description: EMOJI.repeat(2000) }), 'description', EMOJI.repeat(2000)],
  ['32 labels', () => ({ labels: labels(32) }), 'labels', labels(32)],
  ['a label key of 63 characters', () => ({ labels: { ['k'.repeat(63)]: 'v' } }), 'labels', { ['k'.repeat(63)]: 'v' }],
  ['a label key using every allowed punctuation (. _ / -)', () => ({ labels: { 'a.b_c/d-e': 'v' } }), 'labels', { 'a.b_c/d-e': 'v' }],
  ['a label value of 255 characters', () => ({ labels: { k: 'v'.repeat(255) } }), 'labels', { k: 'v'.repeat(255) }],
  ['a label value of 255 emoji', () => ({ labels: { k: EMOJI.repeat(255) } }), 'labels', { k: EMOJI.repeat(255) }],
  ['priority −1000 (the minimum)', () => ({ priority: -1000 }), 'priority', -1000],
  ['priority 1000 (the maximum)', () => ({ priority: 1000 }), 'priority', 1000],
  ['max_retries 0 (no retries)', () => ({ retryPolicy: { maxRetries: 0 } }), 'retryPolicy.maxRetries', 0],
  ['max_retries 100 (the maximum)', () => ({ retryPolicy: { maxRetries: 100 } }), 'retryPolicy.maxRetries', 100],
  ['initial_backoff 1 s (the minimum)', () => ({ retryPolicy: { initialBackoff: durationFromMs(SECOND) } }), 'retryPolicy.initialBackoff', '1s'],
  ['initial_backoff 24 h (the maximum) with max_backoff unset: the cap follows it', () => ({ retryPolicy: { initialBackoff: durationFromMs(DAY) } }), 'retryPolicy.maxBackoff', '86400s'],
  ['max_backoff equal to initial_backoff', () => ({ retryPolicy: { initialBackoff: durationFromMs(2 * SECOND), maxBackoff: durationFromMs(2 * SECOND) } }), 'retryPolicy.maxBackoff', '2s'],
  ['max_backoff 7 days (the maximum)', () => ({ retryPolicy: { maxBackoff: durationFromMs(7 * DAY) } }), 'retryPolicy.maxBackoff', '604800s'],
  ['multiplier 0, which means 2.0', () => ({ retryPolicy: { multiplier: 0 } }), 'retryPolicy.multiplier', 2],
  ['multiplier 1.0 (the minimum)', () => ({ retryPolicy: { multiplier: 1 } }), 'retryPolicy.multiplier', 1],
  ['multiplier 10.0 (the maximum)', () => ({ retryPolicy: { multiplier: 10 } }), 'retryPolicy.multiplier', 10],
  ['jitter 0 by default', () => ({}), 'retryPolicy.jitter', undefined],
  ['jitter 1.0 (the maximum)', () => ({ retryPolicy: { jitter: 1 } }), 'retryPolicy.jitter', 1],
  ['attempt_timeout 1 s (the minimum)', () => ({ attemptTimeout: durationFromMs(SECOND) }), 'attemptTimeout', '1s'],
  ['attempt_timeout 7 days (the maximum)', () => ({ attemptTimeout: durationFromMs(7 * DAY) }), 'attemptTimeout', '604800s'],
  ['catch_up_window 1 s (the minimum)', () => ({ catchUpWindow: durationFromMs(SECOND) }), 'catchUpWindow', '1s'],
  ['catch_up_window 7 days (the maximum)', () => ({ catchUpWindow: durationFromMs(7 * DAY) }), 'catchUpWindow', '604800s'],
  ['pause_after_consecutive_failures 1000 (the maximum)', () => ({ pauseAfterConsecutiveFailures: 1000 }), 'pauseAfterConsecutiveFailures', 1000],
  ['expect_success_within 1 s (the minimum)', () => ({ expectSuccessWithin: durationFromMs(SECOND) }), 'expectSuccessWithin', '1s'],
  ['expect_success_within 365 days (the maximum)', () => ({ expectSuccessWithin: durationFromMs(365 * DAY) }), 'expectSuccessWithin', '31536000s'],
  ['an interval of every 1 minute (the minimum)', () => ({ schedule: interval(1, IntervalUnit.MINUTES) }), 'schedule.interval.every', 1],
  ['an interval of 1,000,000 minutes (the most units)', () => ({ schedule: interval(1_000_000, IntervalUnit.MINUTES) }), 'schedule.interval.every', 1_000_000],
  ['an interval of 87,600 hours (10 years)', () => ({ schedule: interval(87_600, IntervalUnit.HOURS) }), 'schedule.interval.every', 87_600],
  ['an interval of 3,650 days (10 years)', () => ({ schedule: interval(3_650, IntervalUnit.DAYS) }), 'schedule.interval.every', 3_650],
  ['a 6-field cron expression (seconds first)', () => ({ schedule: { kind: { case: 'cron', value: { expression: '30 0 3 * * *' } } } }), 'schedule.cron.expression', '30 0 3 * * *'],
  ['a cron schedule without time zone, which means "UTC"', () => ({ schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *' } } } }), 'schedule.cron.timeZone', 'UTC'],
  ['a cron expression of 500 characters (the maximum)', () => ({ schedule: { kind: { case: 'cron', value: { expression: CRON_500 } } } }), 'schedule.cron.expression', CRON_500],
];

/** [what, the job's fields, what the message must start with: the field]. */
type Refused = readonly [string, (type: string) => Partial<JobInit>, RegExp];

const REFUSED: readonly Refused[] = [
  ['an empty name', () => ({ name: '' }), /^job\.name must be 1 to 200 characters, got 0/],
  ['a name of white space only', () => ({ name: '   ' }), /^job\.name must be 1 to 200 characters, got 0/],
  ['a name of 201 characters', () => ({ name: 'n'.repeat(201) }), /^job\.name must be 1 to 200 characters, got 201/],
  ['a name of 201 emoji', () => ({ name: EMOJI.repeat(201) }), /^job\.name must be 1 to 200 characters, got 201/],
  ['an empty type', () => ({ type: '' }), /^job\.type /],
  ['a type of 101 characters', () => ({ type: typeOfLength(101) }), /^job\.type /],
  ['a type with a character outside ". _ : -" (/)', (type) => ({ type: `${type}/x` }), /^job\.type /],
  ['a description of 2,001 characters', () => ({ description: 'd'.repeat(2001) }), /^job\.description must be at most 2000 characters, got 2001/],
  ['33 labels', () => ({ labels: labels(33) }), /^job\.labels may hold at most 32 entries, got 33/],
  ['a label key of 64 characters', () => ({ labels: { ['k'.repeat(64)]: 'v' } }), /^job\.labels key /],
  ['an empty label key', () => ({ labels: { '': 'v' } }), /^job\.labels key "" /],
  ['a label key with a space', () => ({ labels: { 'a b': 'c' } }), /^job\.labels key "a b" /],
  ['a label key with a character outside ". _ / -" (:)', () => ({ labels: { 'a:b': 'c' } }), /^job\.labels key "a:b" /],
  ['a label value of 256 characters', () => ({ labels: { k: 'v'.repeat(256) } }), /^job\.labels\["k"\] must be at most 255 characters, got 256/],
  ['a label value of 256 emoji', () => ({ labels: { k: EMOJI.repeat(256) } }), /^job\.labels\["k"\] must be at most 255 characters, got 256/],
  ['priority −1001', () => ({ priority: -1001 }), /^job\.priority /],
  ['priority 1001', () => ({ priority: 1001 }), /^job\.priority /],
  ['max_retries 101', () => ({ retryPolicy: { maxRetries: 101 } }), /^job\.retry_policy\.max_retries /],
  ['initial_backoff 0.999 s', () => ({ retryPolicy: { initialBackoff: durationFromMs(999) } }), /^job\.retry_policy\.initial_backoff /],
  ['initial_backoff 24 h + 1 ms', () => ({ retryPolicy: { initialBackoff: durationFromMs(DAY + 1) } }), /^job\.retry_policy\.initial_backoff /],
  ['max_backoff 1 ms below initial_backoff', () => ({ retryPolicy: { initialBackoff: durationFromMs(2 * SECOND), maxBackoff: durationFromMs(2 * SECOND - 1) } }), /^job\.retry_policy\.max_backoff /],
  ['max_backoff 7 days + 1 ms', () => ({ retryPolicy: { maxBackoff: durationFromMs(7 * DAY + 1) } }), /^job\.retry_policy\.max_backoff /],
  ['multiplier 0.999', () => ({ retryPolicy: { multiplier: 0.999 } }), /^job\.retry_policy\.multiplier /],
  ['multiplier 10.001', () => ({ retryPolicy: { multiplier: 10.001 } }), /^job\.retry_policy\.multiplier /],
  ['jitter −0.001', () => ({ retryPolicy: { jitter: -0.001 } }), /^job\.retry_policy\.jitter /],
  ['jitter 1.001', () => ({ retryPolicy: { jitter: 1.001 } }), /^job\.retry_policy\.jitter /],
  ['attempt_timeout 0.999 s', () => ({ attemptTimeout: durationFromMs(999) }), /^job\.attempt_timeout /],
  ['attempt_timeout 7 days + 1 ms', () => ({ attemptTimeout: durationFromMs(7 * DAY + 1) }), /^job\.attempt_timeout /],
  ['catch_up_window 0.999 s', () => ({ catchUpWindow: durationFromMs(999) }), /^job\.catch_up_window /],
  ['catch_up_window 7 days + 1 ms', () => ({ catchUpWindow: durationFromMs(7 * DAY + 1) }), /^job\.catch_up_window /],
  ['pause_after_consecutive_failures 1001', () => ({ pauseAfterConsecutiveFailures: 1001 }), /^job\.pause_after_consecutive_failures /],
  ['expect_success_within 0.999 s', () => ({ expectSuccessWithin: durationFromMs(999) }), /^job\.expect_success_within /],
  ['expect_success_within 365 days + 1 ms', () => ({ expectSuccessWithin: durationFromMs(365 * DAY + 1) }), /^job\.expect_success_within /],
  ['an overlap_policy the contract does not know', () => ({ overlapPolicy: 9 as OverlapPolicy }), /^job\.overlap_policy has an unknown value \(9\)/],
  ['a catch_up_policy the contract does not know', () => ({ catchUpPolicy: 9 as CatchUpPolicy }), /^job\.catch_up_policy has an unknown value \(9\)/],
  ['an interval of 0', () => ({ schedule: interval(0, IntervalUnit.MINUTES) }), /^job\.schedule\.interval\.every must be at least 1/],
  ['an interval of 1,000,001 minutes', () => ({ schedule: interval(1_000_001, IntervalUnit.MINUTES) }), /^job\.schedule\.interval\.every must be at most 1,000,000/],
  ['an interval of 87,601 hours (over 10 years)', () => ({ schedule: interval(87_601, IntervalUnit.HOURS) }), /^job\.schedule\.interval\.every must be at most 87600 /],
  ['an interval of 3,651 days (over 10 years)', () => ({ schedule: interval(3_651, IntervalUnit.DAYS) }), /^job\.schedule\.interval\.every must be at most 3650 /],
  ['an interval without unit', () => ({ schedule: { kind: { case: 'interval', value: { every: 1 } } } }), /^job\.schedule\.interval\.unit is required/],
  ['a cron expression of 501 characters', () => ({ schedule: { kind: { case: 'cron', value: { expression: `${CRON_500.slice(0, 2)}0${CRON_500.slice(2)}` } } } }), /^job\.schedule\.cron\.expression must be at most 500 characters, got 501/],
  ['a 7-field cron expression (a year field)', () => ({ schedule: { kind: { case: 'cron', value: { expression: '0 0 3 * * * 2030' } } } }), /^job\.schedule\.cron\.expression .*a year field is not supported/],
];

async function create(t: Target, fields: Partial<JobInit>, type = uniqueType()) {
  const { job } = await t.scheduler.createJob({ job: { name: 'boundary', type, schedule: LATER, ...fields } });
  expect(job, 'CreateJob returned no job').to.not.equal(undefined);
  return job as Job;
}

/** The payload limit: 256 KiB by default, configurable; the refusal of one byte more names it. */
const DEFAULT_PAYLOAD_LIMIT = 256 * 1024;
/** {"p":"…"}: the bytes JSON adds around the string. */
const payloadOf = (bytes: number) => ({ p: 'x'.repeat(bytes - '{"p":""}'.length) });

async function payloadLimit(t: Target): Promise<number> {
  const error = await rejects(create(t, { payload: payloadOf(DEFAULT_PAYLOAD_LIMIT + 1) }), status.INVALID_ARGUMENT, /^job\.payload is \d+ bytes encoded; the limit is \d+$/);
  const limit = Number(/the limit is (\d+)$/.exec(error.details)?.[1]);
  // The suite's own server runs with the documented default.
  if (t.own) expect(limit).to.equal(DEFAULT_PAYLOAD_LIMIT);
  return limit;
}

const createJobCases: ContractCase[] = [
  ...ACCEPTED.map(([what, fields, path, expected]) =>
    ok(`accepts ${what}`, async (t) => {
      const type = uniqueType();
      const input = fields(type);
      const job = await create(t, input, type);
      createdTypes.add(job.type);
      expect(at(job, path), path).to.deep.equal(expected === GIVEN_TYPE ? GIVEN_TYPE(input) : expected);
    }),
  ),
  ...REFUSED.map(([what, fields, message]) =>
    fails('INVALID_ARGUMENT', `refuses ${what}, naming the field, and creates nothing`, async (t) => {
      const type = uniqueType();
      const input = fields(type);
      await rejects(create(t, input, type), status.INVALID_ARGUMENT, message);
      // An empty type filter would list every job; an invalid type names none anyway.
      expect(await jobsOfType(t, input.type || type)).to.deep.equal([]);
    }),
  ),
  ok('accepts a payload of exactly the limit (256 KiB encoded unless configured), stored whole', async (t) => {
    const limit = await payloadLimit(t);
    const job = await create(t, { payload: payloadOf(limit) });
    expect(job.payload).to.deep.equal(payloadOf(limit));
  }),
  fails('INVALID_ARGUMENT', 'refuses a payload one byte over the limit, naming the field and the limit', async (t) => {
    const limit = await payloadLimit(t);
    await rejects(create(t, { payload: payloadOf(limit + 1) }), status.INVALID_ARGUMENT, new RegExp(`^job\\.payload is ${limit + 1} bytes encoded; the limit is ${limit}$`));
  }),
  ok('ignores output-only fields on create: the service assigns id, state, version and times', async (t) => {
    const type = uniqueType();
    const past = timestampFromDate(new Date('2001-01-01T00:00:00Z'));
    const job = await create(
      t,
      { id: '00000000-0000-4000-8000-000000000000', state: 7, version: 42n, executionCount: 9n, consecutiveFailures: 3, lastError: 'made up', createdAt: past, pausedAt: past, nextRunAt: past },
      type,
    );
    expect(job.id).to.not.equal('00000000-0000-4000-8000-000000000000');
    expect(stateName(job.state)).to.equal('SCHEDULED');
    expect(job).to.include({ version: 1n, executionCount: 0n, consecutiveFailures: 0, lastError: '' });
    expect(ms(job.createdAt)).to.be.closeTo(Date.now(), 60_000);
    expect(ms(job.nextRunAt)).to.equal(ms(timestampFromDate(new Date('2099-01-01T00:00:00Z'))));
    expect(job.pausedAt).to.equal(undefined);
  }),
];

export const jobBoundaryCases: AreaCases = { scheduler: { createJob: createJobCases } };
