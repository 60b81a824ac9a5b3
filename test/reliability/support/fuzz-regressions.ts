import type { Message } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
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

const NUL_2026_11_28 = '2026-11-28, fuzz test: PostgreSQL stores no U+0000, so a NUL here answered INTERNAL';
const CURSOR_2026_11_28 = '2026-11-28, fuzz test: a cursor beyond xid8 or bigint reached SQL (22003) and answered INTERNAL';

export function regressionRequests(f: Fixtures): Record<string, Regression[]> {
  const [jobId = '', otherJob = ''] = f.jobIds;
  const [executionId = ''] = f.executionIds;
  const [leaseToken = ''] = f.leaseTokens;
  const once = { kind: { case: 'once' as const, value: {} } };
  const job = { name: 'n', type: FIXTURE_TYPE, schedule: once };
  const filter = (value: object) => ({ selector: { selection: { case: 'filter' as const, value } } });
  const nul = (request: object): Regression => ({ found: NUL_2026_11_28, request, expected: status.INVALID_ARGUMENT });
  return {
    'JobSchedulerService/CreateJob': [
      nul({ job: { ...job, name: 'a\u0000b' } }),
      nul({ job: { ...job, labels: { '\u0000': 'v' } } }),
      nul({ job: { ...job, payload: { a: { b: '\u0000' } } } }),
      nul({ job, requestId: 'r\u0000' }),
    ],
    'JobSchedulerService/BatchCreateJobs': [nul({ requests: [{ job }, { job: { ...job, description: '\u0000' } }] }), nul({ requests: [{ job, requestId: '\u0000' }] })],
    'JobSchedulerService/ListJobs': [nul({ filter: { type: '\u0000' } }), nul({ filter: { labels: { a: '\u0000' } } })],
    'JobSchedulerService/UpdateJob': [nul({ job: { id: jobId, name: '\u0000' }, updateMask: { paths: ['name'] } }), nul({ job: { id: jobId, payload: { '\u0000': 1 } }, updateMask: { paths: ['payload'] } })],
    'JobSchedulerService/CancelJob': [nul({ id: otherJob, reason: 'because\u0000' })],
    'JobSchedulerService/PauseJobs': [nul(filter({ type: '\u0000' })), nul(filter({ labels: { '\u0000': '' } }))],
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
    'WorkerService/AcquireExecutions': [nul({ workerId: 'w\u0000', jobTypes: [FIXTURE_TYPE], capacity: 1 })],
    'WorkerService/Heartbeat': [nul({ workerId: 'w', leases: [{ executionId, leaseToken, progress: { '\u0000': 1 } }] })],
    'WorkerService/CompleteExecution': [nul({ executionId, leaseToken, result: { a: '\u0000' } })],
    'WorkerService/FailExecution': [nul({ executionId, leaseToken, errorMessage: 'boom\u0000' }), nul({ executionId, leaseToken, errorMessage: 'boom', errorDetails: { '\u0000': 1 } })],
    'WorkerService/ReportOutcomes': [nul({ workerId: 'w\u0000', outcomes: [{ executionId, leaseToken, outcome: { case: 'failure' as const, value: { errorMessage: 'x\u0000' } } }] })],
  };
}
