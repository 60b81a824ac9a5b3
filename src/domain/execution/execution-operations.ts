import type { JsonObject } from '../json.js';
import { moveExecution, type ExecutionStatus } from './execution-status.js';
import type { Execution, ExecutionError } from './execution.js';

const NO_LEASE = { leaseToken: undefined, leaseExpiresAt: undefined } as const;

/** A worker acquires a queued execution under a lease; the attempt's deadline starts now. */
export function startExecution(execution: Execution, workerId: string, leaseToken: string, leaseDurationMs: number, now: Date): Execution {
  return {
    ...execution,
    status: moveExecution(execution.status, 'running'),
    startedAt: now,
    workerId,
    leaseToken,
    leaseDurationMs,
    leaseExpiresAt: new Date(now.getTime() + leaseDurationMs),
    deadlineAt: attemptDeadline(execution, now),
  };
}

/**
 * The earlier of the attempt timeout and the close of the execution's window (end policy
 * CANCEL). The claim SQL computes the same (execution-start-sql.ts, START_ASSIGNMENTS).
 */
export function attemptDeadline(execution: Pick<Execution, 'attemptTimeoutMs' | 'windowClosesAt'>, now: Date): Date | undefined {
  const timeout = execution.attemptTimeoutMs === undefined ? undefined : now.getTime() + execution.attemptTimeoutMs;
  const close = execution.windowClosesAt?.getTime();
  const deadline = timeout === undefined ? close : close === undefined ? timeout : Math.min(timeout, close);
  return deadline === undefined ? undefined : new Date(deadline);
}

/** The reaper found the deadline passed: the window closing, not the timeout, set it. */
export function endedByWindow(execution: Pick<Execution, 'deadlineAt' | 'windowClosesAt'>): boolean {
  return execution.windowClosesAt !== undefined && execution.deadlineAt !== undefined && execution.deadlineAt.getTime() === execution.windowClosesAt.getTime();
}

/**
 * The worker gives back an execution it never started (it was waiting for a free slot when the
 * worker stopped): queued again as it was, the same attempt, as if never acquired. Not a failure:
 * no attempt of the retry policy is used up.
 */
export function releaseExecution(execution: Execution): Execution {
  return {
    ...execution,
    ...NO_LEASE,
    status: moveExecution(execution.status, 'queued'),
    startedAt: undefined,
    workerId: undefined,
    leaseDurationMs: undefined,
    deadlineAt: undefined,
  };
}

/** A heartbeat: the lease runs for its duration from now (never beyond the attempt deadline's relevance). */
export function extendLease(execution: Execution, now: Date, progress: JsonObject | undefined): Execution {
  return {
    ...execution,
    leaseExpiresAt: new Date(now.getTime() + (execution.leaseDurationMs ?? 0)),
    progress: progress ?? execution.progress,
  };
}

export function succeedExecution(execution: Execution, now: Date, result: JsonObject | undefined): Execution {
  return { ...execution, ...NO_LEASE, endedLeaseToken: execution.leaseToken, status: moveExecution(execution.status, 'succeeded'), finishedAt: now, result };
}

/** failed (the worker said so), timed_out (deadline passed) or lost (lease expired). */
export function failExecution(execution: Execution, status: Extract<ExecutionStatus, 'failed' | 'timed_out' | 'lost'>, error: ExecutionError, now: Date): Execution {
  return { ...execution, ...NO_LEASE, endedLeaseToken: execution.leaseToken, status: moveExecution(execution.status, status), finishedAt: now, error };
}

/** Cancelled by an operator, queued or running; a running worker learns it from its heartbeat. */
export function cancelExecution(execution: Execution, now: Date, reason: string): Execution {
  return {
    ...execution,
    ...NO_LEASE,
    endedLeaseToken: execution.leaseToken,
    status: moveExecution(execution.status, 'cancelled'),
    finishedAt: now,
    cancelRequested: true,
    error: { message: reason, details: undefined, retryable: false },
  };
}

/** The run time of a finished execution that started. */
export function durationMs(execution: Pick<Execution, 'startedAt' | 'finishedAt'>): number | undefined {
  return execution.startedAt && execution.finishedAt ? execution.finishedAt.getTime() - execution.startedAt.getTime() : undefined;
}
