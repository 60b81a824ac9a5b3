import type { StoredDependency } from '../../application/ports/dependency-store.js';
import type { StoredExecutionEvent } from '../../application/ports/event-store.js';
import type { Execution } from '../../domain/execution/execution.js';
import type { Job } from '../../domain/job/job.js';
import type { Quota } from '../../domain/quota/quota.js';
import type { LedgerRecord } from '../../application/ports/occurrence-store.js';

/** Everything the in-memory store holds. Values are immutable, so a shallow copy is a snapshot. */
export interface MemoryState {
  jobs: Map<string, Job>;
  requests: Map<string, { jobId: string; fingerprint: string }>;
  executions: Map<string, Execution>;
  dependencies: StoredDependency[];
  /** By "type|label key|label value". Kept but not enforced: the memory store has no quota claim. */
  quotas: Map<string, Quota>;
  /** The occurrence ledger's rows (slots that did not fire). */
  ledger: (LedgerRecord & { recordedAt: Date })[];
  events: StoredExecutionEvent[];
  /** Which append each event came in (by its id), since whole appends are pruned together. */
  eventAppends: ReadonlyMap<number, number>;
  nextEventId: number;
  /** The id of the last event pruned: cursors before it cannot resume. */
  eventsPrunedThrough?: number;
  /** Scheduler counters. Mutated in place, so a rollback keeps them (one object shared by snapshots). */
  counters: { leasesRescued: number; lastDispatch: Date | undefined };
}

export function emptyState(): MemoryState {
  return { jobs: new Map(), requests: new Map(), executions: new Map(), dependencies: [], quotas: new Map(), ledger: [], events: [], eventAppends: new Map(), nextEventId: 1, counters: { leasesRescued: 0, lastDispatch: undefined } };
}

export function snapshot(state: MemoryState): MemoryState {
  return { jobs: new Map(state.jobs), requests: new Map(state.requests), executions: new Map(state.executions), dependencies: [...state.dependencies], quotas: new Map(state.quotas), ledger: [...state.ledger], events: [...state.events], eventAppends: new Map(state.eventAppends), nextEventId: state.nextEventId, counters: state.counters, ...(state.eventsPrunedThrough === undefined ? {} : { eventsPrunedThrough: state.eventsPrunedThrough }) };
}

export function restore(state: MemoryState, saved: MemoryState): void {
  Object.assign(state, saved);
}
