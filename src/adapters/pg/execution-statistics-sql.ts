import { EXECUTION_STATUSES, isFinished } from '../../domain/execution/execution-status.js';
import { successRate, type ExecutionStatistics } from '../../domain/statistics/execution-statistics.js';
import { countsOf } from './counts.js';
import { optionalDate, optionalNumber } from './job-row.js';

/**
 * Turns the aggregates PostgreSQL computed (execution-sql.ts, statistics) into the domain's
 * ExecutionStatistics, using the domain's success-rate definition. The conformance suite checks
 * that the result equals computeStatistics() over the same rows.
 */
export function computeStatisticsFromAggregates(row: Record<string, unknown>): ExecutionStatistics {
  const byStatus = countsOf(EXECUTION_STATUSES, row.by_status);
  const total = EXECUTION_STATUSES.reduce((sum, status) => sum + byStatus[status], 0);
  const finished = EXECUTION_STATUSES.filter(isFinished).reduce((sum, status) => sum + byStatus[status], 0);
  return {
    total,
    byStatus,
    finished,
    successRate: successRate(byStatus.succeeded, finished),
    meanDurationMs: optionalNumber(row.mean_ms),
    p50DurationMs: optionalNumber(row.p50_ms),
    p95DurationMs: optionalNumber(row.p95_ms),
    lastNumber: optionalNumber(row.last_number),
    lastSuccessAt: optionalDate(row.last_success_at),
    lastFailureAt: optionalDate(row.last_failure_at),
    consecutiveFailures: Number(row.consecutive_failures ?? 0),
  };
}
