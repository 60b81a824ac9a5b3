import { expect } from 'chai';
import fc from 'fast-check';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../../../src/domain/execution/execution-status.js';
import { computeStatistics, successRate, type ExecutionFacts } from '../../../src/domain/statistics/execution-statistics.js';
import { percentileOfSorted } from '../../../src/domain/statistics/percentile.js';

const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
let number = 0;
function execution(status: ExecutionStatus, occurrence: number, attempt = 1, durationS?: number): ExecutionFacts {
  number += 1;
  const startedAt = durationS === undefined ? undefined : t(occurrence);
  const finishedAt = durationS === undefined ? undefined : t(occurrence + durationS);
  return { number, occurrenceAt: t(occurrence), attempt, status, startedAt, finishedAt };
}

describe('execution statistics', () => {
  beforeEach(() => {
    number = 0;
  });

  it('is all zeros and undefined for no executions', () => {
    const stats = computeStatistics([]);
    expect(stats.total).to.equal(0);
    expect(stats.successRate).to.equal(0);
    expect(stats.meanDurationMs).to.equal(undefined);
    expect(stats.p95DurationMs).to.equal(undefined);
    expect(stats.lastNumber).to.equal(undefined);
    expect(stats.consecutiveFailures).to.equal(0);
  });

  it('counts by status and defines success rate as succeeded over finished', () => {
    const stats = computeStatistics([
      execution('succeeded', 0, 1, 1),
      execution('succeeded', 60, 1, 3),
      execution('failed', 120, 1, 2),
      execution('lost', 120, 2, 30),
      execution('cancelled', 180, 1, 4),
      execution('running', 240),
      execution('queued', 300),
    ]);
    expect(stats.total).to.equal(7);
    expect(stats.byStatus).to.include({ succeeded: 2, failed: 1, lost: 1, cancelled: 1, running: 1, queued: 1, timed_out: 0 });
    expect(stats.finished).to.equal(5);
    expect(stats.successRate).to.equal(2 / 5);
    expect(stats.meanDurationMs).to.equal(((1 + 3 + 2 + 30 + 4) / 5) * 1000);
    expect(stats.p50DurationMs).to.equal(3000);
    expect(stats.p95DurationMs).to.equal(30_000);
    expect(stats.lastNumber).to.equal(7);
    expect(stats.lastSuccessAt).to.deep.equal(t(63));
    expect(stats.lastFailureAt).to.deep.equal(t(150));
  });

  it('counts consecutive failed occurrences since the last success, by their latest attempt', () => {
    const stats = computeStatistics([
      execution('failed', 0, 1, 1),
      execution('succeeded', 0, 2, 1), // occurrence 0 succeeded on retry
      execution('failed', 60, 1, 1),
      execution('timed_out', 60, 2, 1), // occurrence 60 failed for good
      execution('cancelled', 120, 1, 1), // cancelled: neither counts nor breaks the run
      execution('failed', 180, 1, 1),
      execution('lost', 180, 2, 1), // occurrence 180 failed for good
      execution('failed', 240, 1, 1),
      execution('queued', 240, 2), // occurrence 240 is still being retried: not counted yet
    ]);
    expect(stats.consecutiveFailures).to.equal(2);
  });

  it('uses nearest-rank percentiles (PostgreSQL percentile_disc)', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).to.equal(2);
    expect(percentileOfSorted([1, 2, 3, 4], 95)).to.equal(4);
    expect(percentileOfSorted([7], 0)).to.equal(7);
    expect(percentileOfSorted([], 50)).to.equal(undefined);
  });

  it('property: success rate is within [0, 1] and counts add up', () => {
    const statuses = fc.constantFrom(...EXECUTION_STATUSES);
    fc.assert(
      fc.property(fc.array(fc.tuple(statuses, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 }))), (rows) => {
        number = 0;
        const stats = computeStatistics(rows.map(([status, occurrence, attempt]) => execution(status, occurrence * 60, attempt, 1)));
        const sum = Object.values(stats.byStatus).reduce((a, b) => a + b, 0);
        return sum === stats.total && stats.successRate >= 0 && stats.successRate <= 1 && stats.successRate === successRate(stats.byStatus.succeeded, stats.finished);
      }),
    );
  });
});
