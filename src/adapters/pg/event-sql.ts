import { cursorErrors, matchesEventFilter, type EventFilter, type EventPage, type EventStore, type ExecutionEventKind, type ExecutionEventRecord } from '../../application/ports/event-store.js';
import type { Queryable } from './queryable.js';

/** Only rows of transactions older than every running one are final (see migration 001). */
const FINAL = 'e.xid < pg_snapshot_xmin(pg_current_snapshot())';
/**
 * The log's order. Qualified on purpose: the queries select xid and id as text under the same
 * names, and an unqualified ORDER BY xid would sort those text columns ("924" after "1113").
 */
const LOG_ORDER = 'e.xid, e.id';
const LOG_ORDER_DESC = 'e.xid DESC, e.id DESC';

interface EventRow {
  id: string;
  xid: string;
  occurred_at: Date;
  kind: ExecutionEventKind;
  execution_id: string;
  job_id: string;
  job_type: string;
}

/** The execution event log. A cursor is "<xid>:<id>", the row's position in (xid, id) order. */
export class PgEventStore implements EventStore {
  constructor(private readonly db: Queryable) {}

  async append(events: readonly ExecutionEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.query(
      `INSERT INTO execution_events (occurred_at, kind, execution_id, job_id, job_type)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::uuid[], $5::text[])`,
      [events.map((e) => e.occurredAt), events.map((e) => e.kind), events.map((e) => e.executionId), events.map((e) => e.jobId), events.map((e) => e.jobType)],
    );
  }

  async readAfter(cursor: string | undefined, filter: EventFilter, limit: number): Promise<EventPage> {
    if (cursor === undefined) return { events: [], cursor: await this.end(), more: false };
    const [xid, id] = parseCursor(cursor);
    // A cursor names a row that existed: its transaction id was assigned and its row id drawn.
    // One beyond either was never issued here (made up, or from another database), and reading
    // after it would wait forever for events that sort after it.
    const { rows: horizon } = await this.db.query<{ behind: boolean; beyond: boolean }>(
      `SELECT ($1::xid8, $2::bigint) < (pruned_xid, pruned_id) AS behind,
              $1::xid8 >= pg_snapshot_xmax(pg_current_snapshot())
                OR $2::bigint > coalesce(pg_sequence_last_value(pg_get_serial_sequence('execution_events', 'id')), 0) AS beyond
       FROM event_log_horizon`,
      [xid, id],
    );
    if (horizon[0]?.beyond) throw cursorErrors.notIssued(cursor);
    if (horizon[0]?.behind) throw cursorErrors.pruned();
    // Filters apply after reading, so the cursor moves past events nobody here wants.
    const { rows } = await this.db.query<EventRow>(
      `SELECT e.id::text, e.xid::text, e.occurred_at, e.kind, e.execution_id, e.job_id, e.job_type FROM execution_events e
       WHERE (e.xid, e.id) > ($1::xid8, $2::bigint) AND ${FINAL} ORDER BY ${LOG_ORDER} LIMIT $3`,
      [xid, id, limit],
    );
    const last = rows.at(-1);
    const events = rows
      .filter((row) => matchesEventFilter(filter, row.job_id, row.job_type))
      .map((row) => ({
        cursor: `${row.xid}:${row.id}`,
        kind: row.kind,
        occurredAt: row.occurred_at,
        executionId: row.execution_id,
        jobId: row.job_id,
        jobType: row.job_type,
      }));
    return { events, cursor: last ? `${last.xid}:${last.id}` : cursor, more: rows.length === limit };
  }

  async prune(before: Date, batch: number): Promise<number> {
    // Deletes the oldest events in log order and moves the horizon to the last one deleted.
    const { rows } = await this.db.query<{ deleted: string }>(
      `WITH deleted AS (
         DELETE FROM execution_events WHERE (xid, id) IN (SELECT xid, id FROM execution_events WHERE occurred_at < $1 ORDER BY xid, id LIMIT $2)
         RETURNING xid, id),
       last AS (SELECT xid, id FROM deleted ORDER BY xid DESC, id DESC LIMIT 1),
       moved AS (UPDATE event_log_horizon h SET pruned_xid = last.xid, pruned_id = last.id FROM last WHERE (last.xid, last.id) > (h.pruned_xid, h.pruned_id) RETURNING 1)
       SELECT (SELECT count(*) FROM deleted) AS deleted, (SELECT count(*) FROM moved) AS moved`,
      [before, batch],
    );
    return Number(rows[0]?.deleted ?? 0);
  }

  private async end(): Promise<string> {
    const { rows } = await this.db.query<{ xid: string; id: string }>(
      `SELECT e.xid::text, e.id::text FROM execution_events e WHERE ${FINAL} ORDER BY ${LOG_ORDER_DESC} LIMIT 1`,
    );
    const row = rows[0];
    return row ? `${row.xid}:${row.id}` : '0:0';
  }
}

/** Transaction ids are xid8 (unsigned 64-bit), row ids bigint (signed 64-bit). */
const MAX_XID = 2n ** 64n - 1n;
const MAX_ID = 2n ** 63n - 1n;

function parseCursor(cursor: string): [string, string] {
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(cursor);
  // Digits alone are not enough: a number beyond its column's range would fail in SQL as INTERNAL.
  if (!match || BigInt(match[1]!) > MAX_XID || BigInt(match[2]!) > MAX_ID) throw cursorErrors.notIssued(cursor);
  return [match[1] as string, match[2] as string];
}
