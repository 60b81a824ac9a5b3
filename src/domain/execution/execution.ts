import type { JsonObject } from '../json.js';
import type { Trigger } from '../job/job-operations.js';
import type { ExecutionStatus } from './execution-status.js';
import type { TraceContext } from '../trace-context.js';

export interface ExecutionError {
  readonly message: string;
  readonly details: JsonObject | undefined;
  readonly retryable: boolean;
}

/** One attempt at one occurrence of a job. Durations in milliseconds. */
export interface Execution {
  readonly id: string;
  readonly jobId: string;
  readonly jobType: string;
  readonly number: number;
  readonly occurrenceAt: Date;
  readonly attempt: number;
  readonly trigger: Trigger;
  readonly status: ExecutionStatus;
  /** The job's priority when the execution was created; orders the queue. */
  readonly priority: number;
  /** The job's attempt timeout when the execution was created. */
  readonly attemptTimeoutMs: number | undefined;
  readonly queuedAt: Date;
  /** Not acquirable before this (the occurrence time, or the end of a retry's backoff). */
  readonly scheduledAt: Date;
  readonly startedAt: Date | undefined;
  readonly finishedAt: Date | undefined;
  readonly workerId: string | undefined;
  readonly leaseToken: string | undefined;
  /**
   * The lease the attempt ended under (absent while it runs, and for one that ended unstarted):
   * an outcome sent again under it, its first answer lost, is recognised as the one recorded.
   */
  readonly endedLeaseToken: string | undefined;
  readonly leaseDurationMs: number | undefined;
  readonly leaseExpiresAt: Date | undefined;
  readonly deadlineAt: Date | undefined;
  readonly cancelRequested: boolean;
  readonly error: ExecutionError | undefined;
  readonly result: JsonObject | undefined;
  readonly progress: JsonObject | undefined;
  /** The trace its occurrence was fired in (shared by the occurrence's retries); absent when untraced. */
  readonly traceContext?: TraceContext;
  /** The upstream executions whose outcomes fired this occurrence (trigger 'upstream' and its retries). */
  readonly upstreamExecutionIds: readonly string[];
  /** The close of the window it runs in, when its job cancels executions at window end: its deadline is at most this. */
  readonly windowClosesAt?: Date | undefined;
}

export interface NewExecution {
  readonly id: string;
  readonly number: number;
  readonly occurrenceAt: Date;
  readonly attempt: number;
  readonly trigger: Trigger;
  readonly scheduledAt: Date;
  readonly traceContext?: TraceContext;
  readonly upstreamExecutionIds?: readonly string[];
  readonly windowClosesAt?: Date | undefined;
}

const NONE: readonly string[] = Object.freeze([]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A queued execution of a job, with the job's routing, priority and timeout copied onto it.
 * Built as one literal: spreading `fields` and then adding the other keys gave every execution a
 * map of its own in V8, about 50 µs per execution, the largest part of a dispatcher pass's CPU.
 * The optional keys are present exactly when `fields` has them.
 */
export function queuedExecution(job: { id: string; type: string; priority: number; attemptTimeoutMs: number | undefined }, fields: NewExecution, now: Date): Execution {
  const execution: Mutable<Execution> = {
    id: fields.id,
    jobId: job.id,
    jobType: job.type,
    number: fields.number,
    occurrenceAt: fields.occurrenceAt,
    attempt: fields.attempt,
    trigger: fields.trigger,
    status: 'queued',
    priority: job.priority,
    attemptTimeoutMs: job.attemptTimeoutMs,
    queuedAt: now,
    scheduledAt: fields.scheduledAt,
    startedAt: undefined,
    finishedAt: undefined,
    workerId: undefined,
    leaseToken: undefined,
    endedLeaseToken: undefined,
    leaseDurationMs: undefined,
    leaseExpiresAt: undefined,
    deadlineAt: undefined,
    cancelRequested: false,
    error: undefined,
    result: undefined,
    progress: undefined,
    upstreamExecutionIds: fields.upstreamExecutionIds ?? NONE,
  };
  if ('traceContext' in fields) execution.traceContext = fields.traceContext;
  if ('windowClosesAt' in fields) execution.windowClosesAt = fields.windowClosesAt;
  return execution;
}

/** Ids in the order PostgreSQL sorts uuids (lowercase hex text order). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order workers receive queued executions in: higher priority first, then earlier scheduled, then id. */
export function compareQueueOrder(a: Execution, b: Execution): number {
  return b.priority - a.priority || a.scheduledAt.getTime() - b.scheduledAt.getTime() || compareIds(a.id, b.id);
}
