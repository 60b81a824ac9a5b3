import { EXECUTION_STATUSES, isFailure, isFinished, type ExecutionStatus } from '../execution/execution-status.js';
import { percentileOfSorted } from './percentile.js';

/** What statistics need to know of one execution. */
export interface ExecutionFacts {
  readonly number: number;
  readonly occurrenceAt: Date;
  readonly attempt: number;
  readonly status: ExecutionStatus;
  readonly startedAt?: Date | undefined;
  readonly finishedAt?: Date | undefined;
}

/**
 * Run times (mean, p50, p95) are taken over a job's latest this-many finished executions that
 * started (by number), not its whole history: a job with half a million stored runs would
 * otherwise sort them all on every GetJobStats, and a recent sample is what people ask about.
 */
export const DURATION_SAMPLE = 1000;

export interface ExecutionStatistics {
  readonly total: number;
  readonly byStatus: Readonly<Record<ExecutionStatus, number>>;
  /** Executions in a terminal status. */
  readonly finished: number;
  /** succeeded ÷ finished; 0 when nothing finished. */
  readonly successRate: number;
  readonly meanDurationMs: number | undefined;
  readonly p50DurationMs: number | undefined;
  readonly p95DurationMs: number | undefined;
  /** The execution with the highest number. */
  readonly lastNumber: number | undefined;
  readonly lastSuccessAt: Date | undefined;
  readonly lastFailureAt: Date | undefined;
  /** Occurrences that ended in failure since the last one that succeeded. */
  readonly consecutiveFailures: number;
}

const FINISHED_STATUSES = EXECUTION_STATUSES.filter(isFinished);

/**
 * The one definition of success rate used everywhere (job stats, scheduler metrics, Prometheus):
 * succeeded over finished, where finished counts every terminal status and excludes queued and
 * running executions.
 */
export function successRate(succeeded: number, finished: number): number {
  return finished === 0 ? 0 : succeeded / finished;
}

export function computeStatistics(executions: readonly ExecutionFacts[]): ExecutionStatistics {
  const byStatus = Object.fromEntries(EXECUTION_STATUSES.map((status) => [status, 0])) as Record<ExecutionStatus, number>;
  const timed: { number: number; ms: number }[] = [];
  let lastNumber: number | undefined;
  let lastSuccessAt: Date | undefined;
  let lastFailureAt: Date | undefined;
  for (const execution of executions) {
    byStatus[execution.status] += 1;
    lastNumber = Math.max(lastNumber ?? execution.number, execution.number);
    const { startedAt, finishedAt } = execution;
    if (isFinished(execution.status) && startedAt && finishedAt) timed.push({ number: execution.number, ms: finishedAt.getTime() - startedAt.getTime() });
    if (execution.status === 'succeeded' && finishedAt && (!lastSuccessAt || finishedAt > lastSuccessAt)) lastSuccessAt = finishedAt;
    if (isFailure(execution.status) && finishedAt && (!lastFailureAt || finishedAt > lastFailureAt)) lastFailureAt = finishedAt;
  }
  const durations = timed
    .sort((a, b) => b.number - a.number)
    .slice(0, DURATION_SAMPLE)
    .map((t) => t.ms)
    .sort((a, b) => a - b);
  const finished = FINISHED_STATUSES.reduce((sum, status) => sum + byStatus[status], 0);
  return {
    total: executions.length,
    byStatus,
    finished,
    successRate: successRate(byStatus.succeeded, finished),
    meanDurationMs: durations.length === 0 ? undefined : durations.reduce((a, b) => a + b, 0) / durations.length,
    p50DurationMs: percentileOfSorted(durations, 50),
    p95DurationMs: percentileOfSorted(durations, 95),
    lastNumber,
    lastSuccessAt,
    lastFailureAt,
    consecutiveFailures: consecutiveFailures(executions),
  };
}

/**
 * Walks occurrences from the newest: an occurrence's outcome is that of its latest attempt.
 * Occurrences still in progress and cancelled ones neither count nor break the run; a success
 * ends it. The job row keeps the same count incrementally (settleOccurrence).
 */
function consecutiveFailures(executions: readonly ExecutionFacts[]): number {
  const latestAttempt = new Map<number, ExecutionFacts>();
  for (const execution of executions) {
    const key = execution.occurrenceAt.getTime();
    const seen = latestAttempt.get(key);
    if (!seen || execution.attempt > seen.attempt || (execution.attempt === seen.attempt && execution.number > seen.number)) {
      latestAttempt.set(key, execution);
    }
  }
  const newestFirst = [...latestAttempt.values()].sort((a, b) => b.number - a.number);
  let count = 0;
  for (const execution of newestFirst) {
    if (execution.status === 'succeeded') break;
    if (isFailure(execution.status)) count += 1;
  }
  return count;
}
