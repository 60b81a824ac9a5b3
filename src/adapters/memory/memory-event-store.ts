import { cursorErrors, matchesEventFilter, type EventFilter, type EventPage, type EventStore, type ExecutionEventRecord } from '../../application/ports/event-store.js';
import type { MemoryState } from './memory-state.js';

/** The event log in memory: appends are immediately final, since transactions run one at a time. */
export class MemoryEventStore implements EventStore {
  constructor(private readonly state: MemoryState) {}

  async append(events: readonly ExecutionEventRecord[]): Promise<void> {
    for (const event of events) {
      this.state.events.push({ ...event, cursor: `0:${this.state.nextEventId}` });
      this.state.nextEventId += 1;
    }
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

  async prune(before: Date, batch: number): Promise<number> {
    const doomed = this.state.events.filter((event) => event.occurredAt < before).slice(0, batch);
    this.state.events = this.state.events.filter((event) => !doomed.includes(event));
    const last = doomed.at(-1);
    if (last) this.state.eventsPrunedThrough = Math.max(this.state.eventsPrunedThrough ?? 0, Number(last.cursor.slice(2)));
    return doomed.length;
  }
}
