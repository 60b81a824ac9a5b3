import type { Job, JobWithoutPayload } from '../../domain/job/job.js';
import type { JobState } from '../../domain/job/job-state.js';
import type { JsonObject } from '../../domain/json.js';
import type { RetryPolicy } from '../../domain/retry/retry-policy.js';
import type { Schedule } from '../../domain/schedule/schedule.js';
import type { TraceContext } from '../../domain/trace-context.js';
import type { ExecutionWindows } from '../../domain/window/execution-windows.js';

/** The jobs columns the service writes, with their SQL types (for jsonb_to_recordset). */
export const JOB_COLUMNS = {
  id: 'uuid',
  name: 'text',
  type: 'text',
  description: 'text',
  payload: 'jsonb',
  schedule: 'jsonb',
  retry_policy: 'jsonb',
  attempt_timeout_ms: 'bigint',
  priority: 'integer',
  overlap_policy: 'text',
  catch_up_policy: 'text',
  catch_up_window_ms: 'bigint',
  labels: 'jsonb',
  pause_after_consecutive_failures: 'integer',
  expect_success_within_ms: 'bigint',
  state: 'text',
  next_run_at: 'timestamptz',
  version: 'bigint',
  active_occurrences: 'integer',
  execution_count: 'bigint',
  consecutive_failures: 'integer',
  last_error: 'text',
  last_run_at: 'timestamptz',
  last_success_at: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  paused_at: 'timestamptz',
  cancelled_at: 'timestamptz',
  finished_at: 'timestamptz',
  trace_parent: 'text',
  trace_state: 'text',
  execution_windows: 'jsonb',
} as const;

export type JobRow = Record<keyof typeof JOB_COLUMNS | 'has_downstream' | 'depends_on', unknown>;

/** The columns of what the scheduler keeps (JobChange scope 'state'); the rest is the definition, plus id and created_at. */
export const JOB_STATE_COLUMNS = [
  'state',
  'next_run_at',
  'version',
  'active_occurrences',
  'execution_count',
  'consecutive_failures',
  'last_error',
  'last_run_at',
  'last_success_at',
  'updated_at',
  'paused_at',
  'cancelled_at',
  'finished_at',
] as const satisfies readonly (keyof typeof JOB_COLUMNS)[];

const NO_DEPENDENCIES: Job['dependsOn'] = Object.freeze([]);

/** The one mapping from a jobs row to a Job. */
export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id as string,
    name: row.name as string,
    type: row.type as string,
    description: row.description as string,
    payload: row.payload as JsonObject,
    schedule: scheduleFromJson(row.schedule as Record<string, unknown>),
    retryPolicy: row.retry_policy as RetryPolicy,
    attemptTimeoutMs: optionalNumber(row.attempt_timeout_ms),
    priority: row.priority as number,
    overlapPolicy: row.overlap_policy as Job['overlapPolicy'],
    catchUpPolicy: row.catch_up_policy as Job['catchUpPolicy'],
    catchUpWindowMs: Number(row.catch_up_window_ms),
    labels: row.labels as Record<string, string>,
    pauseAfterConsecutiveFailures: row.pause_after_consecutive_failures as number,
    expectSuccessWithinMs: optionalNumber(row.expect_success_within_ms),
    state: row.state as JobState,
    nextRunAt: optionalDate(row.next_run_at),
    version: Number(row.version),
    activeOccurrences: row.active_occurrences as number,
    executionCount: Number(row.execution_count),
    consecutiveFailures: row.consecutive_failures as number,
    lastError: row.last_error as string,
    lastRunAt: optionalDate(row.last_run_at),
    lastSuccessAt: optionalDate(row.last_success_at),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    pausedAt: optionalDate(row.paused_at),
    cancelledAt: optionalDate(row.cancelled_at),
    finishedAt: optionalDate(row.finished_at),
    ...traceContextFromRow(row),
    dependsOn: (row.depends_on as Job['dependsOn'] | null) ?? NO_DEPENDENCIES,
    hasDownstream: row.has_downstream === true,
    executionWindows: (row.execution_windows as ExecutionWindows | null) ?? undefined,
  };
}

/**
 * The one mapping from a Job to the values jsonb_to_recordset reads (dates as ISO text). Spreads
 * come last here and where a record gains keys: V8 (Node 20) adds every key that follows a
 * spread on a slow path, microseconds each (docs/performance.md, "Keys after a spread").
 */
export function jobToRecord(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    name: job.name,
    type: job.type,
    description: job.description,
    payload: job.payload,
    schedule: job.schedule,
    retry_policy: job.retryPolicy,
    attempt_timeout_ms: job.attemptTimeoutMs ?? null,
    priority: job.priority,
    overlap_policy: job.overlapPolicy,
    catch_up_policy: job.catchUpPolicy,
    catch_up_window_ms: job.catchUpWindowMs,
    labels: job.labels,
    pause_after_consecutive_failures: job.pauseAfterConsecutiveFailures,
    expect_success_within_ms: job.expectSuccessWithinMs ?? null,
    created_at: iso(job.createdAt),
    trace_parent: job.traceContext?.traceparent ?? null,
    trace_state: job.traceContext?.tracestate ?? null,
    execution_windows: job.executionWindows ?? null,
    ...jobStateRecord(job),
  };
}

/** The state columns of a job's record (JOB_STATE_COLUMNS): all that a firing or a settling writes. */
export function jobStateRecord(job: JobWithoutPayload): Record<(typeof JOB_STATE_COLUMNS)[number], unknown> {
  return {
    state: job.state,
    next_run_at: iso(job.nextRunAt),
    version: job.version,
    active_occurrences: job.activeOccurrences,
    execution_count: job.executionCount,
    consecutive_failures: job.consecutiveFailures,
    last_error: job.lastError,
    last_run_at: iso(job.lastRunAt),
    last_success_at: iso(job.lastSuccessAt),
    updated_at: iso(job.updatedAt),
    paused_at: iso(job.pausedAt),
    cancelled_at: iso(job.cancelledAt),
    finished_at: iso(job.finishedAt),
  };
}

/** The stored trace context of a job or execution row, as an optional property. */
export function traceContextFromRow(row: { trace_parent: unknown; trace_state: unknown }): { traceContext?: TraceContext } {
  if (typeof row.trace_parent !== 'string') return {};
  return { traceContext: typeof row.trace_state === 'string' ? { traceparent: row.trace_parent, tracestate: row.trace_state } : { traceparent: row.trace_parent } };
}

/** Schedules are stored as JSON (dates as ISO strings, as JSON.stringify writes them). */
function scheduleFromJson(json: Record<string, unknown>): Schedule {
  switch (json.kind) {
    case 'once':
      return { kind: 'once', at: optionalDate(json.at) };
    case 'interval':
      return { kind: 'interval', every: json.every as number, unit: json.unit as 'minutes', anchor: optionalDate(json.anchor) };
    case 'after_upstream':
      return { kind: 'after_upstream' };
    default:
      return { kind: 'cron', expression: json.expression as string, timeZone: json.timeZone as string };
  }
}

export function optionalDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value : new Date(value as string);
}

export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/**
 * An instant as text for jsonb_to_recordset. toISOString writes years past 9999 as "+010000-…",
 * which PostgreSQL refuses ("time zone displacement out of range"); without the sign and zeros
 * it reads them. Requests and schedules stay within the supported instants (domain/instants.ts),
 * but a retry or deadline computed from a clock in the last days of 9999 may pass them.
 */
export function iso(date: Date | undefined): string | null {
  if (!date) return null;
  // A batch writes the same instant over and over (its "now": every event of a group commit,
  // the updated_at of every job it settles), so the last text is kept.
  const time = date.getTime();
  if (time === lastTime) return lastText;
  const text = isoText(date);
  lastTime = time;
  lastText = text;
  return text;
}

let lastTime = Number.NaN;
let lastText = '';

function isoText(date: Date): string {
  const year = date.getUTCFullYear();
  // Written field by field: about twice as fast as toISOString here, and every firing and
  // settling writes a dozen instants per job. Other years take the general path.
  if (year >= 1000 && year <= 9999) {
    return `${year}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${three(date.getUTCMilliseconds())}Z`;
  }
  const text = date.toISOString();
  // Only years past 9999 carry the sign.
  return text.charCodeAt(0) === 43 /* + */ ? text.replace(/^\+0*(?=\d{5})/, '') : text;
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
