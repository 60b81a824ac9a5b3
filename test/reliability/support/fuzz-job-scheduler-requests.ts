import fc from 'fast-check';
import { FIXTURE_TYPE, type Fixtures } from './fuzz-lane.js';
import { executionWindows, job, labels, maskPath, schedule } from './fuzz-jobs.js';
import { duration, enumOf, fixtureValues, int64, jobType, jobTypes, text, timestamp, uint32 } from './fuzz-primitives.js';

/** JobSchedulerService: every RPC's request, around the rows that exist (fixtures); cursors from other queries or forged. */
export function jobSchedulerRequests(f: Fixtures): Record<string, fc.Arbitrary<object>> {
  const { anyId, jobId, executionId, pageToken } = fixtureValues(f);
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
  };
}

/** Its RPCs that only read: they run many cases at once, and must leave the database as it was whatever they answer. */
export const JOB_SCHEDULER_READ_ONLY = [
  'JobSchedulerService/GetJob',
  'JobSchedulerService/ListJobs',
  'JobSchedulerService/ListExecutions',
  'JobSchedulerService/GetExecution',
  'JobSchedulerService/GetJobStats',
  'JobSchedulerService/GetSchedulerMetrics',
  'JobSchedulerService/WatchExecutions',
  'JobSchedulerService/PreviewSchedule',
  'JobSchedulerService/GetMetricsHistory',
  'JobSchedulerService/ListOccurrences',
];
