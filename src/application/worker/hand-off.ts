import type { AcquiredExecution } from './acquire-executions.js';

/**
 * A worker waiting on this replica with a free slot for a job type, reserved for an execution
 * being created: the execution is written already leased to it, in the creating transaction, and
 * sent to it after the commit. No wake-up and no acquisition stand between a created job and its
 * handler.
 */
export interface Reservation {
  readonly workerId: string;
  readonly leaseDurationMs: number;
  /** After the commit: the execution, leased to this worker. */
  deliver(acquired: AcquiredExecution): void;
  /** The transaction failed: the slot is free again. */
  cancel(): void;
}

export interface HandOff {
  /** Reserves a slot of a waiting worker of `type`, if this replica has one. */
  reserve(type: string): Reservation | undefined;
}

export const NO_HAND_OFF: HandOff = { reserve: () => undefined };
