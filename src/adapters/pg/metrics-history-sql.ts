import type { HistoryRange, MetricsBucket } from '../../application/ports/scheduler-metrics-store.js';
import { bucketsFromCounts, type BucketCounts } from '../../application/queries/metrics-buckets.js';
import type { Queryable } from './queryable.js';

const K = (column: string) => `floor(extract(epoch FROM ${column} - $1::timestamptz) * 1000 / $2)::int`;

/**
 * GetMetricsHistory's one statement. Only executions finished since the window's start
 * (executions_finished) or still queued or running (executions_active) are read, so the cost
 * follows the window's traffic, not the table's size. An execution is "in the queue" from when it
 * is due (the later of queued_at and scheduled_at) until it starts (or is cancelled).
 */
export async function metricsHistory(db: Queryable, range: HistoryRange): Promise<MetricsBucket[]> {
  const { rows } = await db.query<{ kind: BucketCounts['kind']; k: number; status: string | null; n: string; p50: number | null; p95: number | null }>(
    `WITH c AS MATERIALIZED (
       SELECT status, greatest(queued_at, scheduled_at) AS entered, coalesce(started_at, finished_at) AS exited, started_at, scheduled_at, finished_at
         FROM executions WHERE finished_at >= $1
       UNION ALL
       SELECT status, greatest(queued_at, scheduled_at), started_at, started_at, scheduled_at, NULL
         FROM executions WHERE status IN ('queued', 'running'))
     SELECT 'finished' AS kind, ${K('finished_at')} AS k, status, count(*) AS n, NULL::float8 AS p50, NULL::float8 AS p95
       FROM c WHERE finished_at IS NOT NULL GROUP BY 2, 3
     UNION ALL
     SELECT 'started', k, NULL, count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), percentile_disc(0.95) WITHIN GROUP (ORDER BY ms)
       FROM (SELECT ${K('started_at')} AS k, greatest(extract(epoch FROM started_at - scheduled_at) * 1000, 0)::float8 AS ms FROM c WHERE started_at >= $1) s GROUP BY 2
     UNION ALL
     SELECT 'entered', greatest(${K('entered')}, -1), NULL, count(*), NULL, NULL
       FROM c WHERE entered <= $3 AND (exited IS NULL OR exited > entered) GROUP BY 2
     UNION ALL
     SELECT 'exited', greatest(${K('exited')}, -1), NULL, count(*), NULL, NULL
       FROM c WHERE exited > entered GROUP BY 2`,
    [range.from, range.stepMs, range.now],
  );
  return bucketsFromCounts(range, rows.map((row) => ({ kind: row.kind, k: Number(row.k), status: row.status ?? undefined, n: Number(row.n), p50: row.p50 ?? undefined, p95: row.p95 ?? undefined })));
}
