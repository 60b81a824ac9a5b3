import type { ExecutionStatus } from '../../domain/execution/execution-status.js';
import type { LedgerRun } from '../../domain/job/job-operations.js';
import type { Trigger } from '../../domain/job/job-operations.js';

/** Slots of a job that did not fire, to record. */
export interface LedgerRecord extends LedgerRun {
  readonly jobId: string;
}

/** One row of the ledger's listing as stored: a first attempt, or a ledger row. */
export type OccurrenceRow =
  | {
      readonly kind: 'execution';
      readonly key: string;
      readonly slotAt: Date;
      readonly executionId: string;
      readonly trigger: Trigger;
      readonly scheduledAt: Date;
      readonly queuedAt: Date;
      readonly latestStatus: ExecutionStatus;
      readonly attempts: number;
      readonly upstreamExecutionIds: readonly string[];
    }
  | { readonly kind: 'dropped'; readonly key: string; readonly slotAt: Date; readonly lastSlotAt: Date; readonly count: number; readonly reason: LedgerRun['reason']; readonly recordedAt: Date };

export interface OccurrenceQuery {
  readonly jobId: string;
  readonly from: Date | undefined;
  readonly to: Date | undefined;
}

/** A position in the listing: slot time, then key. */
export interface OccurrenceCursor {
  readonly slotAt: Date;
  readonly key: string;
}

/**
 * The occurrence ledger. Fired slots are read from the executions (first attempts); only slots
 * that did not fire are stored, one row per run (reason, since).
 */
export interface OccurrenceStore {
  /** Adds the runs, extending a row of the same job, reason and `since`. */
  record(runs: readonly LedgerRecord[], now: Date): Promise<void>;
  /** Entries whose slots meet [from, to), by slot time then key, after `after`; limit + 1 read to know if more follow. */
  list(query: OccurrenceQuery, after: OccurrenceCursor | undefined, limit: number): Promise<OccurrenceRow[]>;
  /** Deletes up to `batch` rows recorded before `before`; returns how many. */
  prune(before: Date, batch: number): Promise<number>;
}
