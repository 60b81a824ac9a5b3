import { WEBHOOK_BACKLOG_COUNTED, type ClusterGauges, type ClusterGaugesStore, type OverdueJob, type TypeQueue } from '../../application/ports/cluster-gauges-store.js';
import { optionalDate } from './job-row.js';
import { PgJobStore } from './job-sql.js';
import type { Queryable } from './queryable.js';
import { PgQuotaStore } from './quota-sql.js';
import { EXPECTED_BY, OVERDUE, SWITCH_ARMED } from './success-expectation-sql.js';

/**
 * The jobs-by-state count reads the whole jobs table (every state is counted, and most jobs are in
 * the same few states, so no index narrows it): about 0.5 s at 1,000,000 jobs. A count is reused
 * while it is younger than this many times its own duration, so it takes at most about 1 % of
 * the time however large the table grows; one under COUNT_ALWAYS_MS is always made afresh.
 */
export const STATE_COUNT_REUSE_FACTOR = 100;
export const COUNT_ALWAYS_MS = 100;

/**
 * The metrics gauges, cluster-wide. Read-only and cheap enough for an interval of seconds: the
 * active executions come from the executions_active partial index (queued and running rows
 * only); overdue jobs from the jobs_success_expected partial index; jobs by state from a full
 * count, reused for a while when the table is large (STATE_COUNT_REUSE_FACTOR); the webhook
 * backlog from the webhook_deliveries_due partial index (pending rows only), up to a bound.
 */
export class PgClusterGaugesStore implements ClusterGaugesStore {
  private lastCount: { counts: ClusterGauges['jobsByState']; endedAt: number; tookMs: number } | undefined;

  constructor(
    private readonly db: Queryable,
    /** Monotonic milliseconds; the reuse rule is about the database's work, not the scheduler's clock. */
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  async read(now: Date, overdueJobLimit: number): Promise<ClusterGauges> {
    const jobsByState = await this.jobsByState();
    const queues = await this.db.query<{ job_type: string; queued: string; running: string; oldest_due: Date | null }>(
      `SELECT job_type,
              count(*) FILTER (WHERE status = 'queued') AS queued,
              count(*) FILTER (WHERE status = 'running') AS running,
              min(scheduled_at) FILTER (WHERE status = 'queued' AND scheduled_at <= $1) AS oldest_due
         FROM executions
        WHERE status IN ('queued', 'running')
        GROUP BY job_type`,
      [now],
    );
    // Every type with a dead-man's switch gets a count, 0 included, so "no overdue jobs" is a series, not an absence.
    const overdueCounts = await this.db.query<{ type: string; n: string }>(
      `SELECT type, count(*) FILTER (WHERE ${EXPECTED_BY} < $1) AS n FROM jobs WHERE ${SWITCH_ARMED} GROUP BY type`,
      [now],
    );
    const overdueRows = await this.db.query<{ id: string; type: string; expected_by: Date; last_success_at: Date | null }>(
      `SELECT id, type, ${EXPECTED_BY} AS expected_by, last_success_at FROM jobs WHERE ${OVERDUE} ORDER BY expected_by DESC, id LIMIT $2`,
      [now, overdueJobLimit],
    );
    const quotaStore = new PgQuotaStore(this.db);
    const quotas = await quotaStore.usage(await quotaStore.list(undefined), now);
    const backlog = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM webhook_deliveries WHERE status = 'pending' LIMIT $1) AS pending`,
      [WEBHOOK_BACKLOG_COUNTED],
    );
    return {
      quotas,
      webhookBacklog: Number(backlog.rows[0]?.n ?? 0),
      jobsByState,
      queues: queues.rows.map(
        (row): TypeQueue => ({ type: row.job_type, queued: Number(row.queued), running: Number(row.running), oldestDueAt: optionalDate(row.oldest_due) }),
      ),
      overdueByType: new Map(overdueCounts.rows.map((row) => [row.type, Number(row.n)])),
      overdueJobs: overdueRows.rows.map(
        (row): OverdueJob => ({ jobId: row.id, type: row.type, expectedBy: new Date(row.expected_by), lastSuccessAt: optionalDate(row.last_success_at) }),
      ),
    };
  }

  private async jobsByState(): Promise<ClusterGauges['jobsByState']> {
    const last = this.lastCount;
    const started = this.monotonicMs();
    if (last && last.tookMs >= COUNT_ALWAYS_MS && started - last.endedAt < last.tookMs * STATE_COUNT_REUSE_FACTOR) return last.counts;
    const counts = await new PgJobStore(this.db).countByState();
    const endedAt = this.monotonicMs();
    this.lastCount = { counts, endedAt, tookMs: endedAt - started };
    return counts;
  }
}
