import type { AcquireRequest } from '../../application/ports/execution-store.js';
import { compareQueueOrder, type Execution } from '../../domain/execution/execution.js';
import { appliesTo, headroom, pickWithinQuotas, type Quota } from '../../domain/quota/quota.js';
import { EXECUTION_COLUMNS, executionFromRow, type ExecutionRow } from './execution-row.js';
import { START_ASSIGNMENTS, WINDOW_STILL_OPEN } from './execution-start-sql.js';
import type { Queryable } from './queryable.js';
import { QUOTA_COLUMNS, quotaFromRow, USAGE_SQL, type QuotaRow, type UsageRow } from './quota-sql.js';

const QUALIFIED = Object.keys(EXECUTION_COLUMNS)
  .map((name) => `e.${name}`)
  .join(', ');

/**
 * The requested types ($1) that have no quota: the plain claim takes only these, so a type whose
 * quota this replica has not heard of yet waits for the next claim instead of exceeding it.
 */
export const TYPES_WITHOUT_QUOTA = `(SELECT DISTINCT u.job_type FROM unnest($1::text[]) AS u(job_type)
             WHERE NOT EXISTS (SELECT 1 FROM job_quotas qt WHERE qt.job_type = u.job_type))`;

interface CandidateRow {
  id: string;
  job_type: string;
  labels: Record<string, string>;
}

/**
 * The claim of job types with quotas, in the caller's transaction:
 * 1. lock the types' quota rows (in id order), which serialises their claims cluster-wide;
 * 2. read their usage in a statement of its own, so it sees every claim committed before;
 * 3. read due queued executions in queue order, leaving out those of quotas without room, and
 *    pick what fits (pickWithinQuotas); a pass that used up a quota reads again without it, so
 *    executions another quota allows are not starved by those of a full one;
 * 4. start the picked ones and record their starts for the rate limits.
 * Types without any quota row (deleted meanwhile) are claimed without limit.
 */
export async function claimWithinQuotas(db: Queryable, request: AcquireRequest, types: readonly string[], newToken: () => string): Promise<Execution[]> {
  const locked = await db.query<QuotaRow>(`SELECT ${QUOTA_COLUMNS} FROM job_quotas WHERE job_type = ANY($1::text[]) ORDER BY id FOR UPDATE`, [[...types]]);
  const ids = locked.rows.map((row) => row.id);
  const quotas: Quota[] = locked.rows.map(quotaFromRow);
  const rooms: number[] = quotas.map(() => Number.POSITIVE_INFINITY);
  if (ids.length > 0) {
    const usage = await db.query<UsageRow>(USAGE_SQL, [ids, request.now]);
    const byId = new Map(usage.rows.map((row) => [row.id, row]));
    quotas.forEach((quota, i) => {
      const row = byId.get(ids[i]!);
      rooms[i] = headroom(quota, { running: row?.running ?? 0, recentStarts: row?.recent_starts ?? 0 });
    });
  }
  const picked: CandidateRow[] = [];
  for (let pass = 0; pass <= quotas.length && picked.length < request.capacity; pass += 1) {
    const full = quotas.flatMap((quota, i) => ((rooms[i] ?? 0) <= 0 ? [quota.key] : []));
    const open = types.filter((type) => !full.some((key) => key.jobType === type && key.labelKey === ''));
    if (open.length === 0) break;
    const wanted = request.capacity - picked.length;
    const labelled = full.filter((key) => key.labelKey !== '');
    const { rows } = await db.query<CandidateRow & { priority: number; scheduled_at: Date }>(
      `SELECT q.id, q.job_type, q.labels FROM (SELECT DISTINCT unnest($1::text[]) AS job_type) AS t
       CROSS JOIN LATERAL (
         SELECT e.id, e.job_type, e.priority, e.scheduled_at, j.labels FROM executions e JOIN jobs j ON j.id = e.job_id
         WHERE e.status = 'queued' AND e.job_type = t.job_type AND e.scheduled_at <= $2 AND ${WINDOW_STILL_OPEN} AND e.id <> ALL($4::uuid[])
           AND NOT EXISTS (SELECT 1 FROM unnest($5::text[], $6::jsonb[]) AS f(job_type, label) WHERE f.job_type = e.job_type AND j.labels @> f.label)
         ORDER BY e.priority DESC, e.scheduled_at, e.id
         LIMIT $3 FOR UPDATE OF e SKIP LOCKED) AS q
       ORDER BY q.priority DESC, q.scheduled_at, q.id
       LIMIT $3`,
      [open, request.now, wanted, picked.map((p) => p.id), labelled.map((key) => key.jobType), labelled.map((key) => JSON.stringify({ [key.labelKey]: key.labelValue }))],
    );
    const candidates = rows.map((row) => ({ id: row.id, jobType: row.job_type, labels: row.labels }));
    const chosen = new Set(pickWithinQuotas(candidates, quotas, rooms, wanted).map((c) => c.id));
    picked.push(...rows.filter((row) => chosen.has(row.id)));
    // Nothing passed over: nothing more to find by reading again.
    if (chosen.size === rows.length) break;
  }
  const stillWanting = picked.length < request.capacity;
  const throttled = quotas.filter((_, i) => (rooms[i] ?? 0) <= 0).map((quota) => quota.key);
  if (stillWanting && throttled.length > 0) request.quotas?.throttled(throttled);
  if (picked.length === 0) return [];

  const tokens = picked.map(() => newToken());
  const { rows } = await db.query<ExecutionRow>(
    `WITH picked AS (SELECT id, rank FROM unnest($3::uuid[]) WITH ORDINALITY AS p(id, rank))
     UPDATE executions e SET ${START_ASSIGNMENTS}
     FROM picked WHERE e.id = picked.id AND e.job_type = ANY($1::text[])
     RETURNING ${QUALIFIED}`,
    [[...types], request.now, picked.map((p) => p.id), request.workerId, request.leaseDurationMs, tokens],
  );
  await recordStarts(db, quotas, ids, picked, request.now);
  return rows.map(executionFromRow).sort(compareQueueOrder);
}

/**
 * One row per start and rate-limited quota it counts for. A start is dropped a minute after it
 * left its period: a claim whose "now" is a little behind (read before it waited for the lock,
 * or on a replica whose clock lags) still counts every start of its own window. For the same
 * reason the count has no upper bound: a start stamped later than a claim's now counts too.
 */
async function recordStarts(db: Queryable, quotas: readonly Quota[], ids: readonly string[], picked: readonly CandidateRow[], now: Date): Promise<void> {
  const rated = quotas.flatMap((quota, i) => (quota.rateLimit ? [{ quota, id: ids[i]! }] : []));
  if (rated.length === 0) return;
  const starts = picked.flatMap((p) => rated.filter(({ quota }) => appliesTo(quota.key, p.job_type, p.labels)).map(({ id }) => id));
  await db.query(
    `WITH pruned AS (
       DELETE FROM quota_starts s USING job_quotas q
       WHERE s.quota_id = q.id AND q.id = ANY($1::bigint[]) AND s.started_at <= $2::timestamptz - q.rate_period_ms * interval '1 millisecond' - interval '1 minute')
     INSERT INTO quota_starts (quota_id, started_at) SELECT id, $2 FROM unnest($3::bigint[]) AS s(id)`,
    [rated.map((r) => r.id), now, starts],
  );
}
