import { cursorErrors, matchesEventFilter, type EventFilter, type EventPage, type EventStore, type ExecutionEventRecord, type StoredExecutionEvent } from '../../application/ports/event-store.js';
import type { MemoryState } from './memory-state.js';

/** The event log in memory: appends are immediately final, since transactions run one at a time. */
export class MemoryEventStore implements EventStore {
  constructor(private readonly state: MemoryState) {}

  async append(events: readonly ExecutionEventRecord[]): Promise<void> {
    const appends = new Map(this.state.eventAppends);
    const append = this.state.nextEventId;
    for (const event of events) {
      appends.set(this.state.nextEventId, append);
      this.state.events.push({ ...event, cursor: `0:${this.state.nextEventId}` });
      this.state.nextEventId += 1;
    }
    this.state.eventAppends = appends;
  }

  async readAfter(cursor: string | undefined, filter: EventFilter, limit: number): Promise<EventPage> {
    if (cursor === undefined) return { events: [], cursor: `0:${this.state.nextEventId - 1}`, more: false };
    const match = /^0:(\d+)$/.exec(cursor);
    if (!match) throw cursorErrors.notIssued(cursor);
    const after = Number(match[1]);
    if (after >= this.state.nextEventId) throw cursorErrors.notIssued(cursor);
    if (after < (this.state.eventsPrunedThrough ?? 0)) {
      throw cursorErrors.pruned();
    }
    const read = this.state.events.filter((event) => Number(event.cursor.slice(2)) > after).slice(0, limit);
    const events = read.filter((e) => matchesEventFilter(filter, e.jobId, e.jobType));
    return { events, cursor: read.at(-1)?.cursor ?? cursor, more: read.length === limit };
  }

  /** As the PostgreSQL log does: whole appends, the oldest first, once their latest event is older than `before`. */
  async prune(before: Date, batch: number): Promise<number> {
    const appendOf = (event: StoredExecutionEvent) => this.state.eventAppends.get(Number(event.cursor.slice(2))) as number;
    const byAppend = new Map<number, StoredExecutionEvent[]>();
    for (const event of this.state.events) byAppend.set(appendOf(event), [...(byAppend.get(appendOf(event)) ?? []), event]);
    const doomedAppends = [...byAppend.values()].filter((events) => events.every((event) => event.occurredAt < before)).slice(0, batch);
    const doomed = doomedAppends.flat();
    this.state.events = this.state.events.filter((event) => !doomed.includes(event));
    const last = doomed.at(-1);
    if (last) this.state.eventsPrunedThrough = Math.max(this.state.eventsPrunedThrough ?? 0, Number(last.cursor.slice(2)));
    return doomed.length;
  }
}
