import fc from 'fast-check';
import type { Fixtures } from './fuzz-lane.js';
import { duration, fixtureValues, I64_MAX, I64_MIN, jobTypes, optionalStruct, text, textOrHuge, uint32 } from './fuzz-primitives.js';

/** AcquireExecutions waits: mostly short or invalid, rarely a real long poll (each costs the call deadline). */
const wait = fc.oneof(
  { weight: 20, arbitrary: fc.option(fc.record({ seconds: fc.constantFrom(0n, -1n, 61n, 3_600n, I64_MAX, I64_MIN), nanos: fc.constantFrom(0, 1_000_000, -1, 1_000_000_000) }), { nil: undefined }) },
  { weight: 1, arbitrary: duration },
);

/** WorkerService: leases of every kind (own, others', none, a thousand at once) with outcomes, progress and waits. */
export function workerRequests(f: Fixtures): Record<string, fc.Arbitrary<object>> {
  const { lease } = fixtureValues(f);
  const manyLeases = fc.constant(Array.from({ length: 1_001 }, () => ({ executionId: f.executionIds[0] ?? '', leaseToken: f.leaseTokens[0] ?? '' })));
  const outcome = fc.oneof(
    fc.record({ case: fc.constant('success' as const), value: fc.record({ result: optionalStruct }) }),
    fc.record({ case: fc.constant('failure' as const), value: fc.record({ errorMessage: textOrHuge, errorDetails: optionalStruct, retryable: fc.option(fc.boolean(), { nil: undefined }) }) }),
    fc.constant({ case: undefined }),
  );
  return {
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
