import type { Execution } from '../../domain/execution/execution.js';
import type { ExecutionStatus } from '../../domain/execution/execution-status.js';
import type { Trigger } from '../../domain/job/job-operations.js';
import type { JsonObject } from '../../domain/json.js';
import { iso, optionalDate, optionalNumber, traceContextFromRow } from './job-row.js';

/** The executions columns the service writes, with their SQL types (for jsonb_to_recordset). */
export const EXECUTION_COLUMNS = {
  id: 'uuid',
  job_id: 'uuid',
  job_type: 'text',
  number: 'bigint',
  occurrence_at: 'timestamptz',
  attempt: 'integer',
  trigger: 'text',
  status: 'text',
  priority: 'integer',
  attempt_timeout_ms: 'bigint',
  queued_at: 'timestamptz',
  scheduled_at: 'timestamptz',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  worker_id: 'text',
  lease_token: 'uuid',
  ended_lease_token: 'uuid',
  lease_duration_ms: 'bigint',
  lease_expires_at: 'timestamptz',
  deadline_at: 'timestamptz',
  cancel_requested: 'boolean',
  error_message: 'text',
  error_details: 'jsonb',
  error_retryable: 'boolean',
  result: 'jsonb',
  progress: 'jsonb',
  trace_parent: 'text',
  trace_state: 'text',
  upstream_execution_ids: 'uuid[]',
  window_closes_at: 'timestamptz',
} as const;

export type ExecutionRow = Record<keyof typeof EXECUTION_COLUMNS, unknown>;

/**
 * The columns an execution's life changes after it was queued (start, heartbeats, the end);
 * the rest (job, number, occurrence, attempt, trigger, priority, timeout, queue times) is fixed
 * at insert, and ExecutionStore.update neither sends nor rewrites it.
 */
export const EXECUTION_MUTABLE_COLUMNS = [
  'status',
  'started_at',
  'finished_at',
  'worker_id',
  'lease_token',
  'ended_lease_token',
  'lease_duration_ms',
  'lease_expires_at',
  'deadline_at',
  'cancel_requested',
  'error_message',
  'error_details',
  'error_retryable',
  'result',
  'progress',
] as const satisfies readonly (keyof typeof EXECUTION_COLUMNS)[];

const NONE: readonly string[] = Object.freeze([]);

/** The one mapping from an executions row to an Execution. */
export function executionFromRow(row: ExecutionRow): Execution {
  return {
    id: row.id as string,
    jobId: row.job_id as string,
    jobType: row.job_type as string,
    number: Number(row.number),
    occurrenceAt: row.occurrence_at as Date,
    attempt: row.attempt as number,
    trigger: row.trigger as Trigger,
    status: row.status as ExecutionStatus,
    priority: row.priority as number,
    attemptTimeoutMs: optionalNumber(row.attempt_timeout_ms),
    queuedAt: row.queued_at as Date,
    scheduledAt: row.scheduled_at as Date,
    startedAt: optionalDate(row.started_at),
    finishedAt: optionalDate(row.finished_at),
    workerId: (row.worker_id as string | null) ?? undefined,
    leaseToken: (row.lease_token as string | null) ?? undefined,
    endedLeaseToken: (row.ended_lease_token as string | null) ?? undefined,
    leaseDurationMs: optionalNumber(row.lease_duration_ms),
    leaseExpiresAt: optionalDate(row.lease_expires_at),
    deadlineAt: optionalDate(row.deadline_at),
    cancelRequested: row.cancel_requested as boolean,
    error:
      row.error_message === null || row.error_message === undefined
        ? undefined
        : { message: row.error_message as string, details: (row.error_details as JsonObject | null) ?? undefined, retryable: (row.error_retryable as boolean | null) ?? false },
    result: (row.result as JsonObject | null) ?? undefined,
    progress: (row.progress as JsonObject | null) ?? undefined,
    ...traceContextFromRow(row),
    upstreamExecutionIds: (row.upstream_execution_ids as string[] | null) ?? NONE,
    ...(row.window_closes_at ? { windowClosesAt: optionalDate(row.window_closes_at) } : {}),
  };
}

/** The one mapping from an Execution to the values jsonb_to_recordset reads. */
export function executionToRecord(execution: Execution): Record<string, unknown> {
  return {
    id: execution.id,
    job_id: execution.jobId,
    job_type: execution.jobType,
    number: execution.number,
    occurrence_at: iso(execution.occurrenceAt),
    attempt: execution.attempt,
    trigger: execution.trigger,
    priority: execution.priority,
    attempt_timeout_ms: execution.attemptTimeoutMs ?? null,
    queued_at: iso(execution.queuedAt),
    scheduled_at: iso(execution.scheduledAt),
    trace_parent: execution.traceContext?.traceparent ?? null,
    trace_state: execution.traceContext?.tracestate ?? null,
    // Null, not an empty array, for the executions no upstream fired: nothing extra to store.
    upstream_execution_ids: execution.upstreamExecutionIds.length === 0 ? null : execution.upstreamExecutionIds,
    window_closes_at: iso(execution.windowClosesAt),
    ...executionMutableRecord(execution),
  };
}

/** The values of EXECUTION_MUTABLE_COLUMNS: what ExecutionStore.update writes. */
export function executionMutableRecord(execution: Execution): Record<(typeof EXECUTION_MUTABLE_COLUMNS)[number], unknown> {
  return {
    status: execution.status,
    started_at: iso(execution.startedAt),
    finished_at: iso(execution.finishedAt),
    worker_id: execution.workerId ?? null,
    lease_token: execution.leaseToken ?? null,
    ended_lease_token: execution.endedLeaseToken ?? null,
    lease_duration_ms: execution.leaseDurationMs ?? null,
    lease_expires_at: iso(execution.leaseExpiresAt),
    deadline_at: iso(execution.deadlineAt),
    cancel_requested: execution.cancelRequested,
    error_message: execution.error?.message ?? null,
    error_details: execution.error?.details ?? null,
    error_retryable: execution.error?.retryable ?? null,
    result: execution.result ?? null,
    progress: execution.progress ?? null,
  };
}
