import fc from 'fast-check';
import { FIXTURE_TYPE } from './fuzz-lane.js';
import { double, duration, enumOf, int32, int64, jobType, NOW_S, odd, repeat, struct, text, textOrHuge, timestamp, uint32, uint64 } from './fuzz-primitives.js';

/**
 * The Job message and what it holds, for JobSchedulerService requests: schedules (invalid cron
 * expressions and time zones among them), retry policies, labels, execution windows, whole jobs
 * with hostile fields, and update masks.
 */

const cronExpression = fc.oneof(
  fc.constantFrom(
    '* * * * *',
    '*/5 * * * * *',
    '0 3 * * *',
    '0 0 31 2 *',
    '0 0 30 2 *',
    '0 0 29 2 1',
    '59 23 31 12 *',
    '0 0 1 1 * 2099',
    '@daily',
    '60 * * * *',
    '* * * * * * *',
    '*/0 * * * *',
    '1-0 * * * *',
    '0-59/1000 * * * *',
    'L * * * *',
    '0 0 L * *',
    '0 0 ? * MON#5',
    '* * * * MON-SUN',
    '٣ * * * *',
    '0x1 * * * *',
    '1e1 * * * *',
    '-1 * * * *',
    repeat(',', 50),
    repeat('* ', 200),
    repeat('1,', 5_000),
  ),
  fc.tuple(...Array.from({ length: 5 }, () => fc.constantFrom('*', '0', '1', '59', '60', '*/7', '1-5', '5-1', 'L', 'W', '?', 'JAN', 'MON', '#', '/'))).map((fields) => fields.join(' ')),
  text,
);
const timeZone = fc.oneof(
  fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Etc/GMT+12', 'Etc/GMT-14', '', 'utc', 'Mars/Olympus_Mons', 'UTC+5', '+05:00', 'Europe/../UTC', 'EST5EDT', 'Local', 'America/Argentina/ComodRivadavia'),
  text,
);
const plausibleSchedule = fc.oneof(
  fc.record({ kind: fc.record({ case: fc.constant('cron' as const), value: fc.record({ expression: fc.constantFrom('* * * * *', '0 3 * * *', '*/15 * * * * *', '30 2 * * 0'), timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kathmandu') }) }) }),
  fc.record({ kind: fc.record({ case: fc.constant('interval' as const), value: fc.record({ every: fc.integer({ min: 1, max: 1000 }), unit: fc.integer({ min: 1, max: 3 }) }) }) }),
  fc.record({ kind: fc.record({ case: fc.constant('once' as const), value: fc.record({ at: fc.bigInt(NOW_S, NOW_S + 10n ** 8n).map((s) => ({ seconds: s, nanos: 0 })) }) }) }),
);
export const schedule = fc.option(
  fc.oneof(
    { weight: 2, arbitrary: plausibleSchedule },
    fc.record({ kind: fc.record({ case: fc.constant('once' as const), value: fc.record({ at: timestamp }) }) }),
    fc.record({ kind: fc.record({ case: fc.constant('interval' as const), value: fc.record({ every: uint32, unit: enumOf(3), anchor: timestamp }) }) }),
    fc.record({ kind: fc.record({ case: fc.constant('cron' as const), value: fc.record({ expression: cronExpression, timeZone }) }) }),
    fc.constant({}),
  ),
  { nil: undefined },
);

const retryPolicy = fc.option(
  fc.record({ maxRetries: fc.option(uint32, { nil: undefined }), initialBackoff: duration, maxBackoff: duration, multiplier: double, jitter: double }, { requiredKeys: [] }),
  { nil: undefined },
);
export const labels = fc.oneof(
  { weight: 5, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), odd), text, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constant(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`label${i}`, 'v']))) },
  { weight: 1, arbitrary: fc.constant({ [repeat('k', 300)]: repeat('v', 300) }) },
);

/** The values a job definition would plausibly hold. */
const plausibleJob = fc.record({
  name: fc.string({ minLength: 1, maxLength: 20 }),
  type: fc.constantFrom(FIXTURE_TYPE, 'fuzz.other'),
  schedule: fc.constantFrom(
    { kind: { case: 'once' as const, value: { at: { seconds: NOW_S + 86_400n, nanos: 0 } } } },
    { kind: { case: 'cron' as const, value: { expression: '0 4 * * *', timeZone: 'UTC' } } },
    { kind: { case: 'interval' as const, value: { every: 6, unit: 2 } } },
  ),
  payload: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
});
const hhmm = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('00:00', '09:00', '17:30', '23:59', '24:00', '9:00', '', '12:60', '12:00:00') }, { weight: 1, arbitrary: text });
/** Execution windows: often valid, often not (zones, times, days, overlaps, policies). */
export const executionWindows = fc.option(
  fc.record(
    {
      timeZone: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('Europe/Berlin', 'UTC', 'Australia/Lord_Howe', 'Mars/Olympus', '+01:00', '') }, { weight: 1, arbitrary: text }),
      windows: fc.oneof(
        { weight: 8, arbitrary: fc.array(fc.record({ days: fc.array(enumOf(7), { maxLength: 8 }), start: hhmm, end: hhmm }, { requiredKeys: [] }), { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.constant(Array.from({ length: 33 }, (_, i) => ({ days: [(i % 7) + 1], start: '00:00', end: '00:01' }))) },
      ),
      outsidePolicy: enumOf(2),
      endPolicy: enumOf(2),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
/** Every field of Job, output-only ones included, with hostile values. */
const hostileJobFields = {
  id: fc.string(),
  name: textOrHuge,
  type: jobType,
  description: textOrHuge,
  payload: struct,
  schedule,
  retryPolicy,
  attemptTimeout: duration,
  priority: int32,
  overlapPolicy: enumOf(2),
  catchUpPolicy: enumOf(3),
  catchUpWindow: duration,
  labels,
  pauseAfterConsecutiveFailures: uint32,
  expectSuccessWithin: duration,
  executionWindows,
  state: enumOf(7),
  nextRunAt: timestamp,
  version: int64,
  executionCount: uint64,
  consecutiveFailures: uint32,
  lastError: text,
  createdAt: timestamp,
  finishedAt: timestamp,
};
/** A plausible job with one or two hostile fields, or a job of hostile fields only. */
export const job = fc.oneof(
  { weight: 2, arbitrary: plausibleJob },
  {
    weight: 5,
    arbitrary: fc.tuple(plausibleJob, fc.record(hostileJobFields, { requiredKeys: [] })).chain(([plausible, hostile]) =>
      fc.subarray(Object.keys(hostile), { minLength: 1, maxLength: 2 }).map((keys) => ({ ...plausible, ...Object.fromEntries(keys.map((k) => [k, hostile[k as keyof typeof hostile]])) })),
    ),
  },
  { weight: 2, arbitrary: fc.record(hostileJobFields, { requiredKeys: [] }) },
);

const UPDATABLE = ['name', 'type', 'description', 'payload', 'schedule', 'retry_policy', 'attempt_timeout', 'priority', 'overlap_policy', 'catch_up_policy', 'catch_up_window', 'labels', 'pause_after_consecutive_failures', 'expect_success_within', 'execution_windows'];
export const maskPath = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...UPDATABLE) },
  { weight: 2, arbitrary: fc.constantFrom('state', 'next_run_at', 'version', 'id', 'created_at', 'colour', 'retry_policy.max_retries', 'retryPolicy', 'NAME', '*', '', 'name,type', 'job.name') },
  { weight: 1, arbitrary: text },
);
