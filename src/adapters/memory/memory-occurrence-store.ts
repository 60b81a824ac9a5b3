import type { LedgerRecord, OccurrenceCursor, OccurrenceQuery, OccurrenceRow, OccurrenceStore } from '../../application/ports/occurrence-store.js';
import type { MemoryState } from './memory-state.js';

/** The occurrence ledger in memory, with the PostgreSQL store's ordering and merge rule. */
export class MemoryOccurrenceStore implements OccurrenceStore {
  constructor(private readonly state: MemoryState) {}

  async record(runs: readonly LedgerRecord[], now: Date): Promise<void> {
    for (const run of runs) {
      const i = this.state.ledger.findIndex((row) => row.jobId === run.jobId && row.reason === run.reason && row.since.getTime() === run.since.getTime());
      const row = this.state.ledger[i];
      const merged = row
        ? { ...row, first: row.first < run.first ? row.first : run.first, last: row.last > run.last ? row.last : run.last, count: row.count + run.count, recordedAt: now }
        : { ...run, recordedAt: now };
      if (i >= 0) this.state.ledger[i] = merged;
      else this.state.ledger.push(merged);
    }
  }

  async list(query: OccurrenceQuery, after: OccurrenceCursor | undefined, limit: number): Promise<OccurrenceRow[]> {
    const lo = query.from?.getTime() ?? -Infinity;
    const hi = query.to?.getTime() ?? Infinity;
    const executions = [...this.state.executions.values()].filter((e) => e.jobId === query.jobId);
    const rows: OccurrenceRow[] = [
      ...executions
        .filter((e) => e.attempt === 1 && e.occurrenceAt.getTime() >= lo && e.occurrenceAt.getTime() < hi)
        .map((e): OccurrenceRow => {
          const attempts = executions.filter((a) => a.occurrenceAt.getTime() === e.occurrenceAt.getTime()).sort((a, b) => b.attempt - a.attempt);
          return { kind: 'execution', key: e.id, slotAt: e.occurrenceAt, executionId: e.id, trigger: e.trigger, scheduledAt: e.scheduledAt, queuedAt: e.queuedAt, latestStatus: attempts[0]!.status, attempts: attempts.length, upstreamExecutionIds: e.upstreamExecutionIds };
        }),
      ...this.state.ledger
        .filter((l) => l.jobId === query.jobId && l.last.getTime() >= lo && l.first.getTime() < hi)
        .map((l): OccurrenceRow => ({ kind: 'dropped', key: `${l.reason}:${l.since.getTime() * 1000}`, slotAt: l.first, lastSlotAt: l.last, count: l.count, reason: l.reason, recordedAt: l.recordedAt })),
    ];
    const order = (a: { slotAt: Date; key: string }, b: { slotAt: Date; key: string }) => a.slotAt.getTime() - b.slotAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    return rows
      .filter((row) => !after || order(row, after) > 0)
      .sort(order)
      .slice(0, limit + 1);
  }

  async prune(before: Date, batch: number): Promise<number> {
    const doomed = this.state.ledger.filter((row) => row.recordedAt < before).slice(0, batch);
    this.state.ledger = this.state.ledger.filter((row) => !doomed.includes(row));
    return doomed.length;
  }
}
