import type { QuotaStatus, QuotaStore } from '../../application/ports/quota-store.js';
import type { Quota, QuotaDefinition, QuotaKey } from '../../domain/quota/quota.js';
import type { Queryable } from './queryable.js';

export interface QuotaRow {
  id: string;
  job_type: string;
  label_key: string;
  label_value: string;
  max_running: number | null;
  rate_max_starts: number | null;
  rate_period_ms: string | null;
  created_at: Date;
  updated_at: Date;
}

export const QUOTA_COLUMNS = 'id, job_type, label_key, label_value, max_running, rate_max_starts, rate_period_ms, created_at, updated_at';

export function quotaFromRow(row: QuotaRow): Quota {
  return {
    key: { jobType: row.job_type, labelKey: row.label_key, labelValue: row.label_value },
    maxRunning: row.max_running ?? undefined,
    rateLimit: row.rate_max_starts === null || row.rate_period_ms === null ? undefined : { maxStarts: row.rate_max_starts, periodMs: Number(row.rate_period_ms) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Usage of quotas by id at $2: running executions counted from the executions table (the running
 * set, found through the executions_leases index), starts from quota_starts, and due queued
 * executions that wait (capped). Run after the rows are locked, as a statement of its own, so
 * that it sees every claim committed before the lock was granted.
 */
export const USAGE_SQL = `
SELECT q.id,
  (SELECT count(*) FROM executions e
    WHERE e.status = 'running' AND e.job_type = q.job_type
      AND (q.label_key = '' OR EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id AND j.labels->>q.label_key = q.label_value)))::int AS running,
  CASE WHEN q.rate_max_starts IS NULL THEN 0 ELSE
    (SELECT count(*) FROM quota_starts s WHERE s.quota_id = q.id AND s.started_at > $2::timestamptz - q.rate_period_ms * interval '1 millisecond')::int END AS recent_starts,
  (SELECT count(*) FROM (SELECT 1 FROM executions e
    WHERE e.status = 'queued' AND e.job_type = q.job_type AND e.scheduled_at <= $2
      AND (q.label_key = '' OR EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id AND j.labels->>q.label_key = q.label_value))
    LIMIT 10000) AS w)::int AS waiting
FROM job_quotas q WHERE q.id = ANY($1::bigint[])`;

export interface UsageRow {
  id: string;
  running: number;
  recent_starts: number;
  waiting: number;
}

/** All SQL about quotas but the claim (quota-claim-sql.ts). */
export class PgQuotaStore implements QuotaStore {
  /** Ids of the quotas read through this store, for usage(). */
  private readonly ids = new Map<Quota, string>();

  constructor(private readonly db: Queryable) {}

  async set(quota: QuotaDefinition, now: Date): Promise<Quota> {
    const { rows } = await this.db.query<QuotaRow>(
      `INSERT INTO job_quotas (job_type, label_key, label_value, max_running, rate_max_starts, rate_period_ms, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (job_type, label_key, label_value) DO UPDATE SET
         max_running = EXCLUDED.max_running, rate_max_starts = EXCLUDED.rate_max_starts, rate_period_ms = EXCLUDED.rate_period_ms, updated_at = EXCLUDED.updated_at
       RETURNING ${QUOTA_COLUMNS}`,
      [quota.key.jobType, quota.key.labelKey, quota.key.labelValue, quota.maxRunning ?? null, quota.rateLimit?.maxStarts ?? null, quota.rateLimit?.periodMs ?? null, now],
    );
    return this.remember(rows[0]!);
  }

  async get(key: QuotaKey): Promise<Quota | undefined> {
    const { rows } = await this.db.query<QuotaRow>(`SELECT ${QUOTA_COLUMNS} FROM job_quotas WHERE job_type = $1 AND label_key = $2 AND label_value = $3`, [
      key.jobType,
      key.labelKey,
      key.labelValue,
    ]);
    return rows[0] && this.remember(rows[0]);
  }

  async list(jobType: string | undefined): Promise<Quota[]> {
    const { rows } = await this.db.query<QuotaRow>(
      `SELECT ${QUOTA_COLUMNS} FROM job_quotas WHERE $1::text IS NULL OR job_type = $1 ORDER BY job_type, label_key, label_value`,
      [jobType ?? null],
    );
    return rows.map((row) => this.remember(row));
  }

  async delete(key: QuotaKey): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM job_quotas WHERE job_type = $1 AND label_key = $2 AND label_value = $3', [key.jobType, key.labelKey, key.labelValue]);
    return (rowCount ?? 0) > 0;
  }

  async usage(quotas: readonly Quota[], now: Date): Promise<QuotaStatus[]> {
    if (quotas.length === 0) return [];
    const { rows } = await this.db.query<UsageRow>(USAGE_SQL, [quotas.map((q) => this.ids.get(q) ?? '0'), now]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return quotas.map((quota) => {
      const row = byId.get(this.ids.get(quota) ?? '');
      return { quota, usage: { running: row?.running ?? 0, recentStarts: row?.recent_starts ?? 0, waiting: row?.waiting ?? 0 } };
    });
  }

  async lock(jobTypes: readonly string[]): Promise<void> {
    await this.db.query('SELECT id FROM job_quotas WHERE job_type = ANY($1::text[]) ORDER BY id FOR UPDATE', [[...jobTypes]]);
  }

  async limitedTypes(): Promise<string[]> {
    const { rows } = await this.db.query<{ job_type: string }>('SELECT DISTINCT job_type FROM job_quotas ORDER BY job_type');
    return rows.map((row) => row.job_type);
  }

  private remember(row: QuotaRow): Quota {
    const quota = quotaFromRow(row);
    this.ids.set(quota, row.id);
    return quota;
  }
}
