import { droppedOutcome, firedOutcome, type Occurrence } from '../../domain/occurrence/occurrence.js';
import type { OccurrenceRow } from '../ports/occurrence-store.js';

/**
 * Why a fired occurrence's execution still waits, when the service knows; empty otherwise.
 * The one place to add reasons (a quota holding it, say): every entry passes through here.
 */
export function waitingReason(_row: Extract<OccurrenceRow, { kind: 'execution' }>, _now: Date): string {
  return '';
}

/** A stored row as a ledger entry. */
export function occurrenceOf(row: OccurrenceRow, now: Date): Occurrence {
  if (row.kind === 'dropped') {
    return { slotAt: row.slotAt, lastSlotAt: row.lastSlotAt, slotCount: row.count, outcome: droppedOutcome(row.reason), execution: undefined, upstreamExecutionIds: [], deferredTo: undefined, recordedAt: row.recordedAt, waitingReason: '' };
  }
  return {
    slotAt: row.slotAt,
    lastSlotAt: row.slotAt,
    slotCount: 1,
    outcome: firedOutcome(row.trigger, row.slotAt, row.scheduledAt),
    execution: { id: row.executionId, status: row.latestStatus, attempts: row.attempts },
    upstreamExecutionIds: row.upstreamExecutionIds,
    deferredTo: row.scheduledAt > row.slotAt ? row.scheduledAt : undefined,
    recordedAt: row.queuedAt,
    waitingReason: row.latestStatus === 'queued' ? waitingReason(row, now) : '',
  };
}
