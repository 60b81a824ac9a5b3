import type { LedgerRecord, OccurrenceCursor, OccurrenceQuery, OccurrenceRow, OccurrenceStore } from '../../application/ports/occurrence-store.js';
import type { ExecutionStatus } from '../../domain/execution/execution-status.js';
import type { Trigger } from '../../domain/job/job-operations.js';
import type { LedgerRun } from '../../domain/job/job-operations.js';
import type { Queryable } from './queryable.js';

interface ListRow {
  kind: 'execution' | 'dropped';
  key: string;
  slot_at: Date;
  last_slot_at: Date;
  slot_count: string;
  reason: LedgerRun['reason'] | null;
  execution_id: string | null;
  trigger: Trigger | null;
  scheduled_at: Date | null;
  recorded_at: Date;
  latest_status: ExecutionStatus | null;
  attempts: string | null;
  upstream_execution_ids: string[] | null;
}

/** The occurrence ledger on PostgreSQL (migration 007). */
export class PgOccurrenceStore implements OccurrenceStore {
  constructor(private readonly db: Queryable) {}

  async record(runs: readonly LedgerRecord[], now: Date): Promise<void> {
    if (runs.length === 0) return;
    // The firing transaction holds the job's lock, so no two writers meet on one row.
    await this.db.query(
      `INSERT INTO occurrence_ledger (job_id, reason, since, first_slot_at, last_slot_at, slot_count, recorded_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::bigint[]), (SELECT $7::timestamptz)
       ON CONFLICT (job_id, reason, since) DO UPDATE SET
         first_slot_at = LEAST(occurrence_ledger.first_slot_at, excluded.first_slot_at),
         last_slot_at = GREATEST(occurrence_ledger.last_slot_at, excluded.last_slot_at),
         slot_count = occurrence_ledger.slot_count + excluded.slot_count,
         recorded_at = excluded.recorded_at`,
      [runs.map((r) => r.jobId), runs.map((r) => r.reason), runs.map((r) => r.since), runs.map((r) => r.first), runs.map((r) => r.last), runs.map((r) => r.count), now],
    );
  }

  async list(query: OccurrenceQuery, after: OccurrenceCursor | undefined, limit: number): Promise<OccurrenceRow[]> {
    // First attempts by the (job, occurrence, attempt) key, walked in slot order from the range's
    // start (the bounds written on the parameters, so the index scan starts there) and stopped at
    // the page size: a page of a job firing every few seconds reads a page of rows, not the whole
    // range. Only the page's executions look up their latest attempt.
    const { rows } = await this.db.query<ListRow>(
      `WITH fired AS (
         SELECT 'execution' AS kind, e.id::text AS key, e.occurrence_at AS slot_at, e.occurrence_at AS last_slot_at, 1::bigint AS slot_count,
                NULL::text AS reason, e.id AS execution_id, e.trigger, e.scheduled_at, e.queued_at AS recorded_at, e.upstream_execution_ids
         FROM executions e
         WHERE e.job_id = $1 AND e.attempt = 1 AND e.occurrence_at < COALESCE($3::timestamptz, 'infinity')
           AND e.occurrence_at >= GREATEST(COALESCE($2::timestamptz, '-infinity'), COALESCE($4::timestamptz, '-infinity'))
           AND ($4::timestamptz IS NULL OR (e.occurrence_at, e.id::text) > ($4::timestamptz, $5::text))
         ORDER BY e.occurrence_at, e.id::text LIMIT $6),
       dropped AS (
         SELECT 'dropped' AS kind, l.reason || ':' || (extract(epoch FROM l.since) * 1000000)::bigint AS key, l.first_slot_at AS slot_at, l.last_slot_at, l.slot_count,
                l.reason, NULL::uuid AS execution_id, NULL::text AS trigger, NULL::timestamptz AS scheduled_at, l.recorded_at, NULL::uuid[] AS upstream_execution_ids
         FROM occurrence_ledger l
         WHERE l.job_id = $1 AND l.last_slot_at >= COALESCE($2::timestamptz, '-infinity') AND l.first_slot_at < COALESCE($3::timestamptz, 'infinity')),
       page AS (
         SELECT * FROM (SELECT * FROM fired UNION ALL SELECT * FROM dropped) AS entries
         WHERE $4::timestamptz IS NULL OR (slot_at, key) > ($4::timestamptz, $5::text)
         ORDER BY slot_at, key LIMIT $6)
       SELECT page.kind, page.key, page.slot_at, page.last_slot_at, page.slot_count, page.reason, page.execution_id, page.trigger, page.scheduled_at,
              page.recorded_at, latest.status AS latest_status, latest.attempts, page.upstream_execution_ids
       FROM page
       LEFT JOIN LATERAL (
         SELECT (array_agg(a.status ORDER BY a.attempt DESC))[1] AS status, count(*) AS attempts
         FROM executions a WHERE page.kind = 'execution' AND a.job_id = $1 AND a.occurrence_at = page.slot_at) AS latest ON true
       ORDER BY page.slot_at, page.key`,
      [query.jobId, query.from ?? null, query.to ?? null, after?.slotAt ?? null, after?.key ?? null, limit + 1],
    );
    return rows.map((row): OccurrenceRow =>
      row.kind === 'execution'
        ? {
            kind: 'execution',
            key: row.key,
            slotAt: row.slot_at,
            executionId: row.execution_id as string,
            trigger: row.trigger as Trigger,
            scheduledAt: row.scheduled_at as Date,
            queuedAt: row.recorded_at,
            latestStatus: row.latest_status as ExecutionStatus,
            attempts: Number(row.attempts),
            upstreamExecutionIds: row.upstream_execution_ids ?? [],
          }
        : { kind: 'dropped', key: row.key, slotAt: row.slot_at, lastSlotAt: row.last_slot_at, count: Number(row.slot_count), reason: row.reason as LedgerRun['reason'], recordedAt: row.recorded_at },
    );
  }

  async prune(before: Date, batch: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM occurrence_ledger WHERE (job_id, reason, since) IN (
         SELECT job_id, reason, since FROM occurrence_ledger WHERE recorded_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, batch],
    );
    return rowCount ?? 0;
  }
}
