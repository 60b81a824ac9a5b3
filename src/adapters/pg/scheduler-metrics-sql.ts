import type { ClusterFigures, HistoryRange, MetricsBucket, SchedulerMetricsStore } from '../../application/ports/scheduler-metrics-store.js';
import { metricsHistory } from './metrics-history-sql.js';
import { EXECUTION_STATUSES } from '../../domain/execution/execution-status.js';
import { JOB_STATES } from '../../domain/job/job-state.js';
import { countsOf } from './counts.js';
import { optionalDate, optionalNumber } from './job-row.js';
import type { Queryable } from './queryable.js';
import { OVERDUE } from './success-expectation-sql.js';

/** Cluster-wide aggregates for GetSchedulerMetrics; windowed figures use the finished_at and lease indexes. */
export class PgSchedulerMetricsStore implements SchedulerMetricsStore {
  constructor(private readonly db: Queryable) {}

  async figures(now: Date, windowMs: number): Promise<ClusterFigures> {
    const { rows } = await this.db.query(
      `WITH recent AS (
         SELECT started_at, finished_at, scheduled_at FROM executions WHERE finished_at >= $1::timestamptz - $2::bigint * interval '1 millisecond'
         UNION ALL
         SELECT started_at, NULL, scheduled_at FROM executions WHERE status = 'running'),
       durations AS (SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM recent WHERE finished_at IS NOT NULL AND started_at IS NOT NULL),
       lags AS (SELECT greatest(extract(epoch FROM started_at - scheduled_at) * 1000, 0) AS ms FROM recent WHERE started_at IS NOT NULL)
       SELECT
         (SELECT coalesce(jsonb_object_agg(state, n), '{}') FROM (SELECT state, count(*) AS n FROM jobs GROUP BY state) s) AS jobs_by_state,
         (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status, count(*) AS n FROM executions GROUP BY status) s) AS executions_by_status,
         (SELECT avg(ms) FROM durations) AS mean_ms,
         (SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) FROM durations) AS p95_ms,
         (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM lags) AS lag_p50_ms,
         (SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) FROM lags) AS lag_p95_ms,
         (SELECT count(*) FROM executions WHERE status = 'queued' AND scheduled_at <= $1) AS executions_overdue,
         (SELECT count(*) FROM jobs WHERE ${OVERDUE}) AS jobs_overdue,
         (SELECT value FROM scheduler_counters WHERE name = 'leases_rescued') AS leases_rescued,
         (SELECT updated_at FROM scheduler_counters WHERE name = 'last_dispatch') AS last_check_at`,
      [now, windowMs],
    );
    const row = rows[0] as Record<string, unknown>;
    return {
      jobsByState: countsOf(JOB_STATES, row.jobs_by_state),
      executionsByStatus: countsOf(EXECUTION_STATUSES, row.executions_by_status),
      meanDurationMs: optionalNumber(row.mean_ms),
      p95DurationMs: optionalNumber(row.p95_ms),
      lagP50Ms: optionalNumber(row.lag_p50_ms),
      lagP95Ms: optionalNumber(row.lag_p95_ms),
      executionsOverdue: Number(row.executions_overdue),
      jobsOverdue: Number(row.jobs_overdue),
      leasesRescued: Number(row.leases_rescued ?? 0),
      lastCheckAt: optionalDate(row.last_check_at),
    };
  }

  history(range: HistoryRange): Promise<MetricsBucket[]> {
    return metricsHistory(this.db, range);
  }

  async addRescued(count: number): Promise<void> {
    if (count > 0) await this.db.query(`UPDATE scheduler_counters SET value = value + $1 WHERE name = 'leases_rescued'`, [count]);
  }

  async recordDispatch(now: Date): Promise<void> {
    // Skips the write when another pass recorded a time at most a second older: one hot row,
    // touched about once a second however many replicas run.
    await this.db.query(`UPDATE scheduler_counters SET updated_at = $1 WHERE name = 'last_dispatch' AND (updated_at IS NULL OR updated_at < $1::timestamptz - interval '1 second')`, [now]);
  }
}
