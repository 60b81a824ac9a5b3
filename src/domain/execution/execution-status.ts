import { DomainError } from '../errors.js';

export const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'lost'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * The execution status machine: queued → running → one terminal status; a queued execution can
 * also be cancelled before it starts, and a worker can give back a running one it never started
 * (released: queued again, the same attempt). Terminal statuses have no way out.
 */
export const EXECUTION_TRANSITIONS: Readonly<Record<ExecutionStatus, readonly ExecutionStatus[]>> = {
  queued: ['running', 'cancelled'],
  running: ['queued', 'succeeded', 'failed', 'cancelled', 'timed_out', 'lost'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
  lost: [],
};

export function isFinished(status: ExecutionStatus): boolean {
  return EXECUTION_TRANSITIONS[status].length === 0;
}

/** Finished without success: these count as failures in statistics and retries. */
export function isFailure(status: ExecutionStatus): boolean {
  return status === 'failed' || status === 'timed_out' || status === 'lost';
}

export function canMoveExecution(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return EXECUTION_TRANSITIONS[from].includes(to);
}

export function moveExecution(from: ExecutionStatus, to: ExecutionStatus): ExecutionStatus {
  if (!canMoveExecution(from, to)) {
    throw DomainError.illegalTransition(
      isFinished(from) ? `the execution already ended as ${from}; it cannot become ${to}` : `an execution that is ${from} cannot become ${to}`,
    );
  }
  return to;
}
