import { droppedOutcome, firedOutcome, type Occurrence } from '../../domain/occurrence/occurrence.js';
import type { OccurrenceRow } from '../ports/occurrence-store.js';

/**
 * A stored row as a ledger entry. `quotaReason` is why the job's due queued executions wait (a
 * full quota, as GetJobStats says it), empty when nothing holds them.
 */
export function occurrenceOf(row: OccurrenceRow, now: Date, quotaReason: string): Occurrence {
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
    waitingReason: row.latestStatus === 'queued' && row.scheduledAt <= now ? quotaReason : '',
  };
}
