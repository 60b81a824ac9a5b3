import fc from 'fast-check';
import { FIXTURE_TYPE, type Fixtures } from './fuzz-lane.js';

/**
 * Requests for every RPC, from plausible to hostile: boundary and out-of-range numbers, empty,
 * huge and strange strings (NUL, lone surrogates, right-to-left marks, SQL), NaN and infinite
 * doubles, durations and timestamps at and beyond their limits, unknown enum values, deep and
 * huge Struct payloads, invalid cron expressions and time zones, ids of other kinds of rows,
 * and page tokens and cursors from other queries or forged. Every value can still be encoded
 * (hostile bytes are sent raw, see fuzz.test.ts); a request is a protobuf-es init object.
 */

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;
const MIN_TS = -62_135_596_800n;
const MAX_TS = 253_402_300_799n;
const NOW_S = BigInt(Math.floor(Date.now() / 1000));

const repeat = (text: string, n: number) => text.repeat(n);
/** Built once: huge values are shared, not regenerated. */
const HUGE_TEXT = repeat('x', 300_000);
const deep = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
};
const wide = (keys: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
const HOSTILE_STRUCTS = [deep(32), deep(100), deep(1_000), wide(2_000), { big: repeat('b', 70_000) }, { big: repeat('b', 300_000) }, { '\u0000': 1 }, { a: '\u0000' }, { '': '' }, { a: '\uD800' }, { n: Number.NaN, i: Number.POSITIVE_INFINITY, m: -0 }];

const odd = fc.constantFrom(
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '💥💥💥',
  'é',
  "'; DROP TABLE jobs; --",
  '%s%n%x',
  '../../etc/passwd',
  'null',
  '{"$ne":null}',
  '\\',
  '"',
);

/** Any text, biased towards the limits the API documents (100, 128, 200, 1000, 2000, 4096 characters). */
const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: odd },
  { weight: 1, arbitrary: fc.constantFrom(99, 100, 101, 127, 128, 129, 199, 200, 201, 999, 1000, 1001, 2000, 2001, 4096, 4097).map((n) => repeat('z', n)) },
  { weight: 1, arbitrary: fc.nat({ max: 3_000 }).map((n) => repeat('y', n)) },
);
const textOrHuge = fc.oneof({ weight: 50, arbitrary: text }, { weight: 1, arbitrary: fc.constant(HUGE_TEXT) });

const jobType = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(FIXTURE_TYPE, 'fuzz.other', 'a', 'a.b:c-d_e', repeat('t', 100), repeat('t', 101), 'has space', 'ünï', '*') },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/) },
  { weight: 1, arbitrary: text },
);

const uint32 = fc.oneof(fc.constantFrom(0, 1, 2, 5, 10, 99, 100, 101, 500, 501, 1000, 1001, 10_000, 2 ** 31, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 }));
const int32 = fc.oneof(fc.constantFrom(0, 1, -1, 1000, 1001, -1000, -1001, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const int64 = fc.oneof(fc.constantFrom(0n, 1n, -1n, 2n ** 53n + 1n, I64_MAX, I64_MIN), fc.bigInt(I64_MIN, I64_MAX));
const uint64 = fc.oneof(fc.constantFrom(0n, 1n, U64_MAX), fc.bigInt(0n, U64_MAX));
const double = fc.oneof(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 0.5, 1, 1.0000001, 2, 10, 10.0001, -1, 1e308, Number.MIN_VALUE), fc.double());
/** Any number of an open enum, mostly its own values, sometimes one it does not define. */
const enumOf = (max: number) => fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) });

const nanos = fc.oneof(fc.constantFrom(0, 1, -1, 500_000_000, 999_999_999, 1_000_000_000, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const seconds = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 4n, 5n, 59n, 60n, 61n, 3_600n, 3_601n, 86_400n, 604_800n, 604_801n, 315_576_000_000n, 315_576_000_001n, I64_MAX, I64_MIN),
  fc.bigInt(0n, 100_000n),
  fc.bigInt(I64_MIN, I64_MAX),
);
const duration = fc.option(fc.record({ seconds, nanos }), { nil: undefined });
/** AcquireExecutions waits: mostly short or invalid, rarely a real long poll (each costs the call deadline). */
const wait = fc.oneof(
  { weight: 20, arbitrary: fc.option(fc.record({ seconds: fc.constantFrom(0n, -1n, 61n, 3_600n, I64_MAX, I64_MIN), nanos: fc.constantFrom(0, 1_000_000, -1, 1_000_000_000) }), { nil: undefined }) },
  { weight: 1, arbitrary: duration },
);
const timestamp = fc.option(
  fc.record({
    seconds: fc.oneof(fc.constantFrom(0n, -1n, NOW_S, NOW_S + 60n, NOW_S - 86_400n, MIN_TS, MIN_TS - 1n, MAX_TS, MAX_TS + 1n, I64_MAX, I64_MIN), fc.bigInt(MIN_TS, MAX_TS), fc.bigInt(I64_MIN, I64_MAX)),
    nanos,
  }),
  { nil: undefined },
);

/** google.protobuf.Struct payloads: small JSON mostly; deep, wide, huge and odd ones sometimes. */
const struct = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRUCTS) },
) as fc.Arbitrary<Record<string, never>>;
const optionalStruct = fc.option(struct, { nil: undefined });

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
const schedule = fc.option(
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
const labels = fc.oneof(
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
/** Every field of Job, output-only ones included, with hostile values. */
const hhmm = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('00:00', '09:00', '17:30', '23:59', '24:00', '9:00', '', '12:60', '12:00:00') }, { weight: 1, arbitrary: text });
/** Execution windows: often valid, often not (zones, times, days, overlaps, policies). */
const executionWindows = fc.option(
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
const job = fc.oneof(
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
const maskPath = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...UPDATABLE) },
  { weight: 2, arbitrary: fc.constantFrom('state', 'next_run_at', 'version', 'id', 'created_at', 'colour', 'retry_policy.max_retries', 'retryPolicy', 'NAME', '*', '', 'name,type', 'job.name') },
  { weight: 1, arbitrary: text },
);

/** The shapes every RPC takes, built around the rows that exist (fixtures). */
export function requestArbitraries(f: Fixtures): Record<string, fc.Arbitrary<object>> {
  const tweakedIds = [...f.jobIds, ...f.executionIds].flatMap((id) => [id.toUpperCase(), ` ${id}`, id.replace(/-/g, ''), `${id.slice(0, -1)}g`]);
  const anyId = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...f.jobIds, ...f.executionIds) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom(...tweakedIds) },
    { weight: 2, arbitrary: text },
  );
  const jobId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...f.jobIds) }, { weight: 2, arbitrary: anyId });
  const executionId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...f.executionIds) }, { weight: 2, arbitrary: anyId });
  const leaseToken = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...f.leaseTokens, ...f.executionIds) }, { weight: 2, arbitrary: fc.uuid() }, { weight: 1, arbitrary: text });
  /** An execution and a token: its own sometimes (accepted), another's or none most of the time. */
  const lease = fc.oneof(
    { weight: 1, arbitrary: f.leases.length > 0 ? fc.constantFrom(...f.leases) : fc.record({ executionId, leaseToken }) },
    { weight: 6, arbitrary: fc.record({ executionId, leaseToken }) },
  );
  const forgedTokens = f.pageTokens.flatMap((token) => {
    const raw = Buffer.from(token, 'base64url').toString('utf8');
    return [
      `${token.slice(0, -3)}AAA`,
      token.slice(1),
      Buffer.from(raw.replace(/"q":"[^"]*"/, '"q":"AAAAAAAAAAAA"')).toString('base64url'),
      Buffer.from(raw.replace(/:"[0-9a-f-]{36}"/g, ':"\' OR 1=1 --"')).toString('base64url'),
      Buffer.from(raw.replace(/:(\d+)/g, ':1e300')).toString('base64url'),
      Buffer.from(raw.replace(/:(\d+)/g, ':-1')).toString('base64url'),
    ];
  });
  const pageToken = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.constantFrom(...f.pageTokens, ...forgedTokens, 'bm90IGEgdG9rZW4', Buffer.from('null').toString('base64url'), Buffer.from('{"p":{}}').toString('base64url')) },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 80 }) },
    { weight: 1, arbitrary: text },
  );
  const cursor = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.constantFrom(...f.cursors, '0:0', '1:1', '999999999:1', '-1:5', 'a:b', '1:', ':1', '18446744073709551615:1', '18446744073709551616:1', '1:9223372036854775808', '00001:00001', '1:1:1') },
    { weight: 1, arbitrary: fc.tuple(fc.bigInt(-(10n ** 20n), 10n ** 20n), fc.bigInt(-(10n ** 20n), 10n ** 20n)).map(([a, b]) => `${a}:${b}`) },
    { weight: 1, arbitrary: text },
  );
  const createJobRequest = fc.record({ job: fc.option(job, { nil: undefined }), requestId: fc.oneof(fc.constant(''), fc.uuid(), fc.constantFrom('fuzz-request-1', 'fuzz-request-2'), text) }, { requiredKeys: [] });
  const jobFilter = fc.record({ states: fc.array(enumOf(7), { maxLength: 4 }), type: fc.oneof(fc.constant(''), jobType), labels }, { requiredKeys: [] });
  const manyIds = fc.constant(Array.from({ length: 1_001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
  const selector = fc.option(
    fc.oneof(
      fc.record({ selection: fc.record({ case: fc.constant('ids' as const), value: fc.record({ ids: fc.oneof({ weight: 8, arbitrary: fc.array(anyId, { maxLength: 5 }) }, { weight: 1, arbitrary: manyIds }) }) }) }),
      fc.record({ selection: fc.record({ case: fc.constant('filter' as const), value: jobFilter }) }),
      fc.constant({}),
    ),
    { nil: undefined },
  );
  const manyLeases = fc.constant(Array.from({ length: 1_001 }, () => ({ executionId: f.executionIds[0] ?? '', leaseToken: f.leaseTokens[0] ?? '' })));
  const outcome = fc.oneof(
    fc.record({ case: fc.constant('success' as const), value: fc.record({ result: optionalStruct }) }),
    fc.record({ case: fc.constant('failure' as const), value: fc.record({ errorMessage: textOrHuge, errorDetails: optionalStruct, retryable: fc.option(fc.boolean(), { nil: undefined }) }) }),
    fc.constant({ case: undefined }),
  );
  const jobTypes = fc.oneof({ weight: 8, arbitrary: fc.array(jobType, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(Array.from({ length: 101 }, (_, i) => `t${i}`)) });
  return {
    'JobSchedulerService/CreateJob': createJobRequest,
    'JobSchedulerService/BatchCreateJobs': fc.record({
      requests: fc.oneof({ weight: 8, arbitrary: fc.array(createJobRequest, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant(Array.from({ length: 1_001 }, () => ({ job: { name: 'n', type: FIXTURE_TYPE, schedule: { kind: { case: 'once' as const, value: {} } } } }))) }),
    }),
    'JobSchedulerService/GetJob': fc.record({ id: jobId }),
    'JobSchedulerService/ListJobs': fc.record({ filter: fc.option(jobFilter, { nil: undefined }), pageSize: uint32, pageToken }, { requiredKeys: [] }),
    'JobSchedulerService/UpdateJob': fc.record(
      {
        job: fc.option(fc.tuple(job, jobId).map(([j, i]) => ({ ...j, id: i })), { nil: undefined }),
        updateMask: fc.option(fc.record({ paths: fc.array(maskPath, { maxLength: 4 }) }), { nil: undefined }),
        expectedVersion: fc.option(int64, { nil: undefined }),
      },
      { requiredKeys: [] },
    ),
    'JobSchedulerService/DeleteJob': fc.record({ id: jobId, force: fc.boolean() }),
    'JobSchedulerService/PauseJob': fc.record({ id: jobId }),
    'JobSchedulerService/ResumeJob': fc.record({ id: jobId }),
    'JobSchedulerService/CancelJob': fc.record({ id: jobId, reason: text }),
    'JobSchedulerService/RetryJob': fc.record({ id: jobId }),
    'JobSchedulerService/RunJob': fc.record({ id: jobId }),
    'JobSchedulerService/PauseJobs': fc.record({ selector }, { requiredKeys: [] }),
    'JobSchedulerService/ResumeJobs': fc.record({ selector }, { requiredKeys: [] }),
    'JobSchedulerService/CancelJobs': fc.record({ selector, reason: text }, { requiredKeys: [] }),
    'JobSchedulerService/CancelExecution': fc.record({ id: executionId, reason: text }),
    'JobSchedulerService/ListExecutions': fc.record({ jobId: fc.oneof(fc.constant(''), jobId), statuses: fc.array(enumOf(7), { maxLength: 4 }), jobType: fc.oneof(fc.constant(''), jobType), pageSize: uint32, pageToken }, { requiredKeys: [] }),
    'JobSchedulerService/GetExecution': fc.record({ id: executionId }),
    'JobSchedulerService/GetJobStats': fc.record({ jobId }),
    'JobSchedulerService/GetSchedulerMetrics': fc.constant({}),
    'JobSchedulerService/WatchExecutions': fc.record({ jobId: fc.oneof(fc.constant(''), jobId), jobTypes, cursor }, { requiredKeys: [] }),
    'JobSchedulerService/PreviewSchedule': fc.record({ schedule, count: uint32, after: timestamp, executionWindows }, { requiredKeys: [] }),
    'JobSchedulerService/ListOccurrences': fc.record({ jobId, from: timestamp, to: timestamp, pageSize: uint32, pageToken }, { requiredKeys: [] }),
    'JobSchedulerService/GetMetricsHistory': fc.record({ window: duration, step: duration }, { requiredKeys: [] }),
    // The one message of a Work stream: a start (often valid) with credits, outcomes and progress.
    'WorkerService/Work': fc.record(
      {
        start: fc.record({ workerId: textOrHuge, jobTypes, leaseDuration: duration, held: fc.array(lease, { maxLength: 3 }) }, { requiredKeys: [] }),
        credits: uint32,
        outcomes: fc.array(fc.tuple(lease, outcome).map(([l, o]) => ({ ...l, outcome: o })), { maxLength: 3 }),
        progress: fc.array(fc.tuple(lease, optionalStruct).map(([l, progress]) => ({ ...l, progress })), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    'WorkerService/AcquireExecutions': fc.record({ workerId: textOrHuge, jobTypes, capacity: uint32, wait, leaseDuration: duration }, { requiredKeys: [] }),
    'WorkerService/Heartbeat': fc.record(
      {
        workerId: text,
        leases: fc.oneof({ weight: 8, arbitrary: fc.array(fc.tuple(lease, optionalStruct).map(([l, progress]) => ({ ...l, progress })), { maxLength: 3 }) }, { weight: 1, arbitrary: manyLeases }),
      },
      { requiredKeys: [] },
    ),
    'WorkerService/CompleteExecution': fc.tuple(lease, optionalStruct).map(([l, result]) => ({ ...l, result })),
    'WorkerService/FailExecution': fc
      .tuple(lease, fc.record({ errorMessage: textOrHuge, errorDetails: optionalStruct, retryable: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] }))
      .map(([l, failure]) => ({ ...l, ...failure })),
    ...webhookArbitraries(anyId, jobId, pageToken),
    ...quotaArbitraries(),
    'WorkerService/ReportOutcomes': fc.record(
      {
        workerId: text,
        outcomes: fc.oneof(
          { weight: 8, arbitrary: fc.array(fc.tuple(lease, outcome).map(([l, o]) => ({ ...l, outcome: o })), { maxLength: 3 }) },
          { weight: 1, arbitrary: manyLeases.map((leases) => leases.map((l) => ({ ...l, outcome: { case: 'success' as const, value: {} } }))) },
        ),
      },
      { requiredKeys: [] },
    ),
  };
}

/** WebhookService: URLs of every shape (schemes, hosts, credentials, lengths), events out of range, secrets almost right. */
function webhookArbitraries(anyId: fc.Arbitrary<string>, jobId: fc.Arbitrary<string>, pageToken: fc.Arbitrary<string>): Record<string, fc.Arbitrary<object>> {
  const url = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('https://hooks.example.com/fuzz', 'http://hooks.example.com/x', 'ftp://x', 'https://', 'https://[::1', '//x', 'https://u:p@h.example.com', 'javascript:alert(1)', 'https://169.254.169.254/', `https://h.example.com/${'a'.repeat(3000)}`) },
    { weight: 2, arbitrary: fc.webUrl() },
    { weight: 1, arbitrary: text },
  );
  const events = fc.array(fc.integer({ min: -2, max: 7 }), { maxLength: 6 });
  const secret = fc.oneof(fc.constant(''), fc.constantFrom(`whsec_${Buffer.alloc(32, 3).toString('base64')}`, 'whsec_', `whsec_${'A'.repeat(200)}`, `whsec_${Buffer.alloc(16).toString('base64')}`), text);
  const scope = fc.oneof(
    fc.constant({ case: undefined }),
    fc.record({ case: fc.constant('jobType' as const), value: fc.oneof(jobType, text) }),
    fc.record({ case: fc.constant('jobId' as const), value: jobId }),
  );
  const subscription = fc.record({ url, events, scope, description: text, enabled: fc.option(fc.boolean(), { nil: undefined }), id: fc.oneof(fc.constant(''), anyId) }, { requiredKeys: [] });
  return {
    'WebhookService/CreateSubscription': fc.record({ subscription: fc.option(subscription, { nil: undefined }), secret }, { requiredKeys: [] }),
    'WebhookService/GetSubscription': fc.record({ id: anyId }),
    'WebhookService/ListSubscriptions': fc.record({ pageSize: uint32, pageToken }, { requiredKeys: [] }),
    'WebhookService/UpdateSubscription': fc.record({ id: anyId, url: fc.option(url, { nil: undefined }), events, description: fc.option(text, { nil: undefined }), enabled: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] }),
    'WebhookService/DeleteSubscription': fc.record({ id: anyId }),
    'WebhookService/RotateSecret': fc.record({ id: anyId, secret }, { requiredKeys: [] }),
    'WebhookService/ListDeliveries': fc.record({ subscriptionId: anyId, status: fc.integer({ min: -1, max: 5 }), pageSize: uint32, pageToken }, { requiredKeys: [] }),
  };
}

/** QuotaService: keys half-given, label pairs split, limits of zero, huge and absent, periods out of range. */
function quotaArbitraries(): Record<string, fc.Arbitrary<object>> {
  const key = fc.record(
    { jobType: fc.oneof(jobType, text), labelKey: fc.oneof(fc.constant('tenant'), text), labelValue: fc.oneof(fc.constant('acme'), text) },
    { requiredKeys: [] },
  );
  const rateLimit = fc.option(fc.record({ maxStarts: uint32, period: duration }, { requiredKeys: [] }), { nil: undefined });
  const quota = fc.record({ key: fc.option(key, { nil: undefined }), maxRunning: fc.option(uint32, { nil: undefined }), rateLimit }, { requiredKeys: [] });
  return {
    'QuotaService/SetQuota': fc.record({ quota: fc.option(quota, { nil: undefined }) }, { requiredKeys: [] }),
    'QuotaService/GetQuota': fc.record({ key: fc.option(key, { nil: undefined }) }, { requiredKeys: [] }),
    'QuotaService/ListQuotas': fc.record({ jobType: fc.oneof(jobType, text) }, { requiredKeys: [] }),
    'QuotaService/DeleteQuota': fc.record({ key: fc.option(key, { nil: undefined }) }, { requiredKeys: [] }),
  };
}

/** RPCs that only read: they run many cases at once, and must leave the database as it was whatever they answer. */
export const READ_ONLY = new Set([
  'JobSchedulerService/GetJob',
  'JobSchedulerService/ListJobs',
  'JobSchedulerService/ListExecutions',
  'JobSchedulerService/GetExecution',
  'JobSchedulerService/GetJobStats',
  'JobSchedulerService/GetSchedulerMetrics',
  'JobSchedulerService/WatchExecutions',
  'JobSchedulerService/PreviewSchedule',
  'JobSchedulerService/GetMetricsHistory',
  'WebhookService/GetSubscription',
  'WebhookService/ListSubscriptions',
  'WebhookService/ListDeliveries',
  'QuotaService/GetQuota',
  'QuotaService/ListQuotas',
  'JobSchedulerService/ListOccurrences',
]);
