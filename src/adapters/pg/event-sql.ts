import { cursorErrors, matchesEventFilter, type EventFilter, type EventPage, type EventStore, type ExecutionEventKind, type ExecutionEventRecord } from '../../application/ports/event-store.js';
import type { Queryable } from './queryable.js';
import { prepared } from './prepared.js';

/** Only rows of transactions older than every running one are final (see migration 001). */
const FINAL = 'b.xid < pg_snapshot_xmin(pg_current_snapshot())';

interface EventRow {
  xid: string;
  id: string;
  position: string;
  occurred_at: Date;
  kind: ExecutionEventKind;
  execution_id: string;
  job_id: string;
  job_type: string;
}

/**
 * The execution event log: one row per append (a batch of events, migration 004), in (xid, id)
 * order. An event's cursor is "<xid>:<id>:<position>", its place in that order and in its batch;
 * "<xid>:<id>" (from before batches) stands for the end of that row.
 */
export class PgEventStore implements EventStore {
  constructor(private readonly db: Queryable) {}

  async append(events: readonly ExecutionEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    const latest = events.reduce((max, e) => (e.occurredAt > max ? e.occurredAt : max), events[0]!.occurredAt);
    await this.db.query(
      prepared(
        'events.append',
        `INSERT INTO execution_event_batches (occurred_at, occurred, kinds, execution_ids, job_ids, job_types)
         VALUES ($1, $2::timestamptz[], $3::text[], $4::uuid[], $5::uuid[], $6::text[])`,
        [latest, events.map((e) => e.occurredAt), events.map((e) => e.kind), events.map((e) => e.executionId), events.map((e) => e.jobId), events.map((e) => e.jobType)],
      ),
    );
  }

  async readAfter(cursor: string | undefined, filter: EventFilter, limit: number): Promise<EventPage> {
    if (cursor === undefined) return { events: [], cursor: await this.end(), more: false };
    const [xid, id, position] = parseCursor(cursor);
    // A cursor names a row that existed: its transaction id was assigned and its row id drawn.
    // One beyond either was never issued here (made up, or from another database), and reading
    // after it would wait forever for events that sort after it.
    const { rows: horizon } = await this.db.query<{ behind: boolean; beyond: boolean }>(
      `SELECT ($1::xid8, $2::bigint) < (pruned_xid, pruned_id) AS behind,
              $1::xid8 >= pg_snapshot_xmax(pg_current_snapshot())
                OR $2::bigint > coalesce(pg_sequence_last_value(pg_get_serial_sequence('execution_event_batches', 'id')), 0) AS beyond
       FROM event_log_horizon`,
      [xid, id],
    );
    if (horizon[0]?.beyond) throw cursorErrors.notIssued(cursor);
    if (horizon[0]?.behind) throw cursorErrors.pruned();
    // The rest of the cursor's own batch, then the batches after it, event by event; the log's
    // order is the table's (xid, id) columns, then the position in the batch. Filters apply
    // after reading, so the cursor moves past events nobody here wants.
    const { rows } = await this.db.query<EventRow>(
      `SELECT b.xid::text AS xid, b.id::text AS id, e.position::text AS position, e.occurred_at, e.kind, e.execution_id, e.job_id, e.job_type
       FROM execution_event_batches b,
            unnest(b.occurred, b.kinds, b.execution_ids, b.job_ids, b.job_types) WITH ORDINALITY AS e(occurred_at, kind, execution_id, job_id, job_type, position)
       WHERE (b.xid, b.id) >= ($1::xid8, $2::bigint) AND ${FINAL}
         AND ((b.xid, b.id) > ($1::xid8, $2::bigint) OR e.position > $3::bigint)
       ORDER BY b.xid, b.id, e.position LIMIT $4`,
      [xid, id, position, limit],
    );
    const last = rows.at(-1);
    const events = rows
      .filter((row) => matchesEventFilter(filter, row.job_id, row.job_type))
      .map((row) => ({
        cursor: `${row.xid}:${row.id}:${row.position}`,
        kind: row.kind,
        occurredAt: row.occurred_at,
        executionId: row.execution_id,
        jobId: row.job_id,
        jobType: row.job_type,
      }));
    return { events, cursor: last ? `${last.xid}:${last.id}:${last.position}` : cursor, more: rows.length === limit };
  }

  async prune(before: Date, batch: number): Promise<number> {
    // Deletes the oldest batches in log order and moves the horizon to the last one deleted.
    const { rows } = await this.db.query<{ deleted: string }>(
      `WITH deleted AS (
         DELETE FROM execution_event_batches WHERE (xid, id) IN (SELECT xid, id FROM execution_event_batches WHERE occurred_at < $1 ORDER BY xid, id LIMIT $2)
         RETURNING xid, id, cardinality(kinds) AS events),
       last AS (SELECT xid, id FROM deleted ORDER BY xid DESC, id DESC LIMIT 1),
       moved AS (UPDATE event_log_horizon h SET pruned_xid = last.xid, pruned_id = last.id FROM last WHERE (last.xid, last.id) > (h.pruned_xid, h.pruned_id) RETURNING 1)
       SELECT (SELECT coalesce(sum(events), 0) FROM deleted) AS deleted, (SELECT count(*) FROM moved) AS moved`,
      [before, batch],
    );
    return Number(rows[0]?.deleted ?? 0);
  }

  private async end(): Promise<string> {
    const { rows } = await this.db.query<{ xid: string; id: string; events: number }>(
      `SELECT b.xid::text AS xid, b.id::text AS id, cardinality(b.kinds) AS events FROM execution_event_batches b WHERE ${FINAL} ORDER BY b.xid DESC, b.id DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? `${row.xid}:${row.id}:${row.events}` : '0:0:0';
  }
}

/** Transaction ids are xid8 (unsigned 64-bit), row ids bigint (signed 64-bit); positions count within a row. */
const MAX_XID = 2n ** 64n - 1n;
const MAX_ID = 2n ** 63n - 1n;

function parseCursor(cursor: string): [string, string, string] {
  const match = /^(\d{1,20}):(\d{1,19})(?::(\d{1,9}))?$/.exec(cursor);
  // Digits alone are not enough: a number beyond its column's range would fail in SQL as INTERNAL.
  if (!match || BigInt(match[1]!) > MAX_XID || BigInt(match[2]!) > MAX_ID) throw cursorErrors.notIssued(cursor);
  // Without a position (a cursor from before batches), the whole row was delivered.
  return [match[1] as string, match[2] as string, match[3] ?? '999999999'];
}
