import type { ExecutionStatus } from '../execution/execution-status.js';
import type { DroppedSlots } from '../firing/plan-firing.js';
import type { Trigger } from '../job/job-operations.js';

/** What became of a slot of a job's schedule (or of an occurrence started another way). */
export type OccurrenceOutcome =
  | 'fired'
  | 'deferred_by_window'
  | 'skipped_by_window'
  | 'skipped_by_overlap'
  | 'missed_not_caught_up'
  | 'triggered_by_upstream'
  | 'run_by_operator'
  | 'retried_by_operator';

/** One entry of the occurrence ledger: one slot, or a run of `slotCount` slots with one outcome. */
export interface Occurrence {
  readonly slotAt: Date;
  readonly lastSlotAt: Date;
  readonly slotCount: number;
  readonly outcome: OccurrenceOutcome;
  /** The occurrence's first attempt, its latest attempt's status and how many attempts it had. */
  readonly execution: { readonly id: string; readonly status: ExecutionStatus; readonly attempts: number } | undefined;
  readonly upstreamExecutionIds: readonly string[];
  /** When its execution was scheduled, if later than the slot (a window deferral). */
  readonly deferredTo: Date | undefined;
  readonly recordedAt: Date;
  /** Why a fired occurrence's execution still waits, when known; filled by the query. */
  readonly waitingReason: string;
}

const BY_REASON: Readonly<Record<DroppedSlots['reason'], OccurrenceOutcome>> = {
  missed: 'missed_not_caught_up',
  overlap: 'skipped_by_overlap',
  window: 'skipped_by_window',
};

/** A ledger row's outcome. */
export function droppedOutcome(reason: DroppedSlots['reason']): OccurrenceOutcome {
  return BY_REASON[reason];
}

/**
 * A first attempt's outcome, from why it was created: a clock slot scheduled later than itself
 * was deferred by a window (nothing else moves a first attempt of a slot).
 */
export function firedOutcome(trigger: Trigger, occurrenceAt: Date, scheduledAt: Date): OccurrenceOutcome {
  switch (trigger) {
    case 'upstream':
      return 'triggered_by_upstream';
    case 'run_now':
      return 'run_by_operator';
    case 'manual_retry':
      return 'retried_by_operator';
    default:
      return scheduledAt > occurrenceAt ? 'deferred_by_window' : 'fired';
  }
}
