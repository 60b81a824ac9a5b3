import type { Message } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import type { ReportOutcomesResponse } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { FIXTURE_TYPE, type FuzzLane, type Fixtures } from './fuzz-lane.js';

/**
 * Every request that ever failed the fuzz test (or was reported failing elsewhere), as a literal,
 * per RPC. They run before the generated cases in every run, whatever the seed, in `npm test` and
 * in `npm run test:fuzz`. An entry says what it caught and when; where only one status is right,
 * it names it (`expected`). A new failure found by a seed goes here, with the seed that found it.
 */
export interface Regression {
  /** What it caught, and when (printed with a failure). */
  readonly found: string;
  /** A protobuf-es init object of the RPC's request. */
  readonly request: object;
  /** The status it must get where only one (or only these) is right; unset: any but INTERNAL and UNKNOWN. */
  readonly expected?: status | readonly status[];
  /** Afterwards, the same connection must answer another call in time (a huge trailer must not break it). */
  readonly thenConnectionAnswers?: true;
  /** What else must hold of the decoded answer and the database; says what is wrong, if anything. */
  readonly check?: (answer: readonly Message[], lane: FuzzLane) => Promise<string | undefined>;
}

/** Over 64 KiB: past the default HTTP/2 header block a status message that echoes it would need. */
const BIG = 66 * 1_024;
/** Not a cron expression: 33,792 fields. */
const HUGE_CRON = '* '.repeat(BIG / 2);
const HUGE_ZONE = 'Z'.repeat(BIG);
const HUGE_PATH = 'p'.repeat(BIG);
const HUGE_NUL_KEY = `\u0000${'k'.repeat(BIG)}`;
const ASTRAL = '😀'.repeat(3_000);
const MAX_TIMESTAMP = { seconds: 253_402_300_799n, nanos: 999_999_999 };
const seconds = (iso: string) => ({ seconds: BigInt(Math.floor(Date.parse(iso) / 1_000)), nanos: 0 });

const NUL_2026_11_28 = '2026-11-28, fuzz test: PostgreSQL stores no U+0000, so a NUL here answered INTERNAL';
const CURSOR_2026_11_28 = '2026-11-28, fuzz test: a cursor beyond xid8 or bigint reached SQL (22003) and answered INTERNAL';
const TWICE_2026_12_04 = '2026-12-04, hardening issue (npm test met it in ~7% of CI runs): ReportOutcomes naming one execution twice answered INTERNAL or recorded two outcomes';
const ASTRAL_2026_12_04 = '2026-12-04, hardening issue: an error_message of 3,000 astral-plane characters (6,000 UTF-16 units, truncated to 4,096) answered INTERNAL';
const ECHO_2026_12_04 = '2026-12-04, hardening issue: a 66 kB value echoed whole in the status message; the connection then stopped answering';
const YEAR_9999_2026_12_04 = '2026-12-04, hardening issue: times at or past 9999-12-31T23:59:59.999999999Z answered INTERNAL or a Timestamp past year 9999';
const NAN_2026_12_04 = '2026-12-04, hardening issue: NaN and Infinity (not JSON) inside a Struct must be refused';
/** Found by `npm run test:fuzz` with a random seed; the literal is the smallest form that fails the same way. */
const seed = (found: string, what: string) => `${found}: ${what}`;
const S610447361 = '2026-12-04, test:fuzz seed 610447361';
const S75193849 = '2026-12-04, test:fuzz seed 75193849';
const S323526713 = '2026-12-04, test:fuzz seed 323526713';
const FIXED = '2026-12-04, npm test\'s fixed seed 20261204';

/**
 * ReportOutcomes naming one execution twice: only its first outcome is considered, fenced by its
 * own token; every repeat is refused (docs/api.md). At most one end is stored: one if an outcome
 * was accepted, none if not.
 */
function recordedOnce(executionId: string, accepted: readonly boolean[]): Regression['check'] {
  return async ([answer], lane) => {
    const got = ((answer as ReportOutcomesResponse | undefined)?.results ?? []).map((r) => r.accepted);
    if (got.join() !== accepted.join()) return `results accepted [${got.join(', ')}], not [${accepted.join(', ')}]`;
    const end = await lane.endOf(executionId);
    const ends = accepted.includes(true) ? 1 : 0;
    if (end.ends !== ends || end.retries > ends) return `execution ${executionId} (${end.status}) has ${end.ends} recorded outcomes and ${end.retries} retries; ${ends} outcome(s) and at most ${ends} retry are right`;
    return undefined;
  };
}

/** The error message is stored cut at a character boundary, not with half a surrogate pair. */
function storedWhole(executionId: string): Regression['check'] {
  return async (_, lane) => {
    const { errorMessage } = await lane.endOf(executionId);
    const kept = errorMessage?.replace(/…$/, '') ?? '';
    return kept.length > 0 && ASTRAL.startsWith(kept) ? undefined : `stored error_message ${JSON.stringify(errorMessage?.slice(-8))} (${errorMessage?.length} units) is not the sent message cut at a character boundary`;
  };
}

/**
 * Leases are handed out so that no two entries of one RPC use the same one (an entry that is
 * wrongly accepted must not make the next one fail): leases 0 and 1 belong to the cron job,
 * 2 to the `running` job, 3 and on to the held jobs (see Fixtures.leases).
 */
export function regressionRequests(f: Fixtures): Record<string, Regression[]> {
  const [jobId = '', otherJob = ''] = f.jobIds;
  const [executionId = ''] = f.executionIds;
  const [leaseToken = ''] = f.leaseTokens;
  const lease = (i: number) => f.leases[i] ?? { executionId: '', leaseToken: '' };
  const once = { kind: { case: 'once' as const, value: {} } };
  const tomorrow = { kind: { case: 'once' as const, value: { at: seconds(new Date(Date.now() + 86_400_000).toISOString()) } } };
  const job = { name: 'n', type: FIXTURE_TYPE, schedule: once };
  const validJob = { name: 'n', type: FIXTURE_TYPE, schedule: tomorrow };
  const cron = (expression: string, timeZone = 'UTC') => ({ kind: { case: 'cron' as const, value: { expression, timeZone } } });
  const hours = (every: number) => ({ kind: { case: 'interval' as const, value: { every, unit: 2 } } });
  const filter = (value: object) => ({ selector: { selection: { case: 'filter' as const, value } } });
  const echo = (request: object, found = ECHO_2026_12_04): Regression => ({ found, request, expected: status.INVALID_ARGUMENT, thenConnectionAnswers: true });
  const nul = (request: object): Regression => ({ found: NUL_2026_11_28, request, expected: status.INVALID_ARGUMENT });
  const nan = (request: object): Regression => ({ found: NAN_2026_12_04, request, expected: status.INVALID_ARGUMENT });
  const twice = (request: object, executionId: string, accepted: readonly boolean[], found = TWICE_2026_12_04): Regression => ({ found, request: { workerId: 'w', ...request }, expected: status.OK, check: recordedOnce(executionId, accepted) });
  const success = { case: 'success' as const, value: {} };
  const retryableFailure = { case: 'failure' as const, value: { errorMessage: 'boom', retryable: true } };
  const longCron = seed(S610447361, 'a 4,096-character cron expression echoed whole (4 kB status message)');
  return {
    'JobSchedulerService/CreateJob': [
      nul({ job: { ...job, name: 'a\u0000b' } }),
      nul({ job: { ...job, labels: { '\u0000': 'v' } } }),
      nul({ job: { ...job, payload: { a: { b: '\u0000' } } } }),
      nul({ job, requestId: 'r\u0000' }),
      echo({ job: { ...validJob, schedule: cron(HUGE_CRON) } }),
      echo({ job: { ...validJob, schedule: cron('0 3 * * *', HUGE_ZONE) } }),
      echo({ job: { ...validJob, labels: { [HUGE_NUL_KEY]: 'v' } } }),
      echo({ job: { ...validJob, schedule: cron('z'.repeat(4_096)) } }, `${longCron}, generated:897`),
      echo({ job: { ...validJob, schedule: cron('0 0 29 2 1', 'z'.repeat(999)) } }, seed(S75193849, 'generated:8516, a 999-character time zone echoed whole')),
      { found: YEAR_9999_2026_12_04, request: { job: { ...validJob, schedule: { kind: { case: 'once', value: { at: MAX_TIMESTAMP } } } } }, expected: [status.OK, status.INVALID_ARGUMENT] },
      { found: YEAR_9999_2026_12_04, request: { job: { ...validJob, schedule: { kind: { case: 'interval', value: { every: 1_000, unit: 3, anchor: seconds('9999-12-01T00:00:00Z') } } } } }, expected: [status.OK, status.INVALID_ARGUMENT] },
      nan({ job: { ...validJob, payload: { n: Number.NaN } } }),
      nan({ job: { ...validJob, payload: { deep: { list: [1, Number.POSITIVE_INFINITY] } } } }),
    ],
    'JobSchedulerService/BatchCreateJobs': [
      nul({ requests: [{ job }, { job: { ...job, description: '\u0000' } }] }),
      nul({ requests: [{ job, requestId: '\u0000' }] }),
      echo({ requests: [{ job: validJob }, { job: { ...validJob, schedule: cron(HUGE_CRON) } }] }),
      echo({ requests: [{ job: { ...validJob, schedule: cron('1,'.repeat(5_000)) } }] }, seed(S610447361, 'generated:371, a 10 kB cron expression echoed whole')),
      echo({ requests: [{ job: { ...validJob, schedule: cron('*/5 * * * * *', 'y'.repeat(2_611)) } }] }, seed(S75193849, 'generated:9018, a 2,611-character time zone echoed whole')),
      nan({ requests: [{ job: { ...validJob, payload: { n: Number.NEGATIVE_INFINITY } } }] }),
    ],
    'JobSchedulerService/ListJobs': [nul({ filter: { type: '\u0000' } }), nul({ filter: { labels: { a: '\u0000' } } }), echo({ filter: { labels: { [HUGE_NUL_KEY]: 'v' } } })],
    'JobSchedulerService/UpdateJob': [
      nul({ job: { id: jobId, name: '\u0000' }, updateMask: { paths: ['name'] } }),
      nul({ job: { id: jobId, payload: { '\u0000': 1 } }, updateMask: { paths: ['payload'] } }),
      echo({ job: { id: jobId, name: 'n' }, updateMask: { paths: [HUGE_PATH] } }),
      echo({ job: { id: jobId, schedule: cron(HUGE_CRON) }, updateMask: { paths: ['schedule'] } }),
      echo({ job: { id: jobId, schedule: cron('0 3 * * *', HUGE_ZONE) }, updateMask: { paths: ['schedule'] } }),
      echo({ job: { id: jobId, labels: { [HUGE_NUL_KEY]: 'v' } }, updateMask: { paths: ['labels'] } }),
      echo({ job: { id: jobId, priority: 1 }, updateMask: { paths: ['priority', 'y'.repeat(2_904), '*'] } }, seed(S610447361, 'generated:315, a 2,904-character update_mask path echoed whole')),
      echo({ job: { id: jobId, schedule: cron('z'.repeat(999)) }, updateMask: { paths: ['schedule'] } }, seed(S323526713, 'generated:7696, a 999-character cron expression echoed whole')),
      nan({ job: { id: jobId, payload: { n: Number.NaN } }, updateMask: { paths: ['payload'] } }),
    ],
    'JobSchedulerService/CancelJob': [nul({ id: otherJob, reason: 'because\u0000' })],
    'JobSchedulerService/PauseJobs': [nul(filter({ type: '\u0000' })), nul(filter({ labels: { '\u0000': '' } })), echo(filter({ labels: { [HUGE_NUL_KEY]: 'v' } }))],
    'JobSchedulerService/ResumeJobs': [nul(filter({ type: '\u0000' }))],
    'JobSchedulerService/CancelJobs': [nul({ ...filter({ type: FIXTURE_TYPE }), reason: '\u0000' }), nul(filter({ labels: { a: '\u0000' } }))],
    'JobSchedulerService/CancelExecution': [nul({ id: executionId, reason: '\u0000' })],
    'JobSchedulerService/ListExecutions': [nul({ jobType: '\u0000' })],
    'JobSchedulerService/WatchExecutions': [
      { found: CURSOR_2026_11_28, request: { cursor: '1:9223372036854775808' }, expected: status.INVALID_ARGUMENT },
      { found: CURSOR_2026_11_28, request: { cursor: '18446744073709551616:1' }, expected: status.INVALID_ARGUMENT },
      { found: CURSOR_2026_11_28, request: { cursor: '99999999999999999999:1' }, expected: status.INVALID_ARGUMENT },
      nul({ jobTypes: ['\u0000'] }),
    ],
    'JobSchedulerService/PreviewSchedule': [
      echo({ schedule: cron(HUGE_CRON), count: 3 }),
      echo({ schedule: cron('0 3 * * *', HUGE_ZONE), count: 3 }),
      echo({ schedule: cron('z'.repeat(4_096)), count: 3 }, `${longCron}, generated:515`),
      echo({ schedule: cron('* * * * MON-SUN', 'y'.repeat(2_157)), count: 10 }, seed(S75193849, 'generated:5312, a 2,157-character time zone echoed whole')),
      // These answers are judged like every answer: no Timestamp past 9999-12-31.
      { found: YEAR_9999_2026_12_04, request: { schedule: cron('0 0 1 1 *'), count: 3, after: seconds('9998-06-01T00:00:00Z') } },
      { found: YEAR_9999_2026_12_04, request: { schedule: { kind: { case: 'interval', value: { every: 1_000, unit: 3 } } }, count: 100, after: seconds('9990-01-01T00:00:00Z') } },
      { found: YEAR_9999_2026_12_04, request: { schedule: { kind: { case: 'once', value: { at: MAX_TIMESTAMP } } }, count: 1, after: seconds('9999-12-31T00:00:00Z') } },
      { found: seed(S610447361, 'generated:783, fire times past 9999 after the last second of 9999'), request: { schedule: hours(273), count: 99, after: { seconds: MAX_TIMESTAMP.seconds, nanos: 402_718_153 } } },
      { found: seed(S610447361, 'generated:928, fire times past 9999 with the default count'), request: { schedule: hours(10_000), after: { seconds: MAX_TIMESTAMP.seconds, nanos: 26 } } },
    ],
    'WorkerService/AcquireExecutions': [nul({ workerId: 'w\u0000', jobTypes: [FIXTURE_TYPE], capacity: 1 })],
    'WorkerService/Heartbeat': [
      nul({ workerId: 'w', leases: [{ executionId, leaseToken, progress: { '\u0000': 1 } }] }),
      nan({ workerId: 'w', leases: [{ ...lease(3), progress: { done: Number.NaN } }] }),
    ],
    'WorkerService/CompleteExecution': [
      nul({ executionId, leaseToken, result: { a: '\u0000' } }),
      nan({ ...lease(3), result: { n: Number.NaN } }),
      nan({ ...lease(4), result: { n: Number.POSITIVE_INFINITY } }),
    ],
    'WorkerService/FailExecution': [
      nul({ executionId, leaseToken, errorMessage: 'boom\u0000' }),
      nul({ executionId, leaseToken, errorMessage: 'boom', errorDetails: { '\u0000': 1 } }),
      nan({ ...lease(3), errorMessage: 'boom', errorDetails: { n: Number.NaN } }),
      { found: ASTRAL_2026_12_04, request: { ...lease(4), errorMessage: ASTRAL, retryable: false }, expected: status.OK, check: storedWhole(lease(4).executionId) },
    ],
    'WorkerService/ReportOutcomes': [
      nul({ workerId: 'w\u0000', outcomes: [{ executionId, leaseToken, outcome: { case: 'failure' as const, value: { errorMessage: 'x\u0000' } } }] }),
      nan({ workerId: 'w', outcomes: [{ ...lease(3), outcome: { case: 'success' as const, value: { result: { n: Number.NaN } } } }] }),
      // Only the first outcome of an execution is considered; the repeat is refused.
      twice({ outcomes: [{ ...lease(0), outcome: success }, { ...lease(0), outcome: success }] }, lease(0).executionId, [true, false]),
      twice({ outcomes: [{ ...lease(5), outcome: success }, { ...lease(5), outcome: success }] }, lease(5).executionId, [true, false]),
      twice({ outcomes: [{ ...lease(1), outcome: retryableFailure }, { ...lease(1), outcome: retryableFailure }] }, lease(1).executionId, [true, false]),
      twice({ outcomes: [{ ...lease(6), outcome: retryableFailure }, { ...lease(6), outcome: retryableFailure }] }, lease(6).executionId, [true, false]),
      twice({ outcomes: [{ ...lease(7), outcome: success }, { ...lease(7), outcome: retryableFailure }] }, lease(7).executionId, [true, false]),
      // The first names the execution with another running execution's token: it is fenced off, and the repeat is refused.
      twice({ outcomes: [{ executionId: lease(8).executionId, leaseToken: lease(9).leaseToken, outcome: retryableFailure }, { ...lease(8), outcome: success }] }, lease(8).executionId, [false, false]),
      twice(
        {
          outcomes: [
            { ...lease(11), outcome: { case: 'failure' as const, value: { errorMessage: 'first', errorDetails: {}, retryable: true } } },
            { executionId: f.executionIds[2] ?? '', leaseToken: lease(0).leaseToken, outcome: success },
            { ...lease(11), outcome: { case: 'failure' as const, value: { errorMessage: 'again', errorDetails: { a: null }, retryable: true } } },
          ],
        },
        lease(11).executionId,
        [true, false, false],
        seed(S610447361, 'generated:761, INTERNAL: a held job\'s execution failed (retryable) twice around another outcome'),
      ),
      twice(
        { outcomes: [{ executionId: lease(2).executionId, leaseToken: lease(2).executionId, outcome: retryableFailure }, { ...lease(2), outcome: retryableFailure }] },
        lease(2).executionId,
        [false, false],
        seed(FIXED, 'generated:375, INTERNAL: the `running` job\'s execution failed (retryable) under a wrong token, then under its own'),
      ),
      {
        found: ASTRAL_2026_12_04,
        request: { workerId: 'w', outcomes: [{ ...lease(10), outcome: { case: 'failure' as const, value: { errorMessage: ASTRAL, retryable: false } } }] },
        expected: status.OK,
        check: storedWhole(lease(10).executionId),
      },
    ],
  };
}
