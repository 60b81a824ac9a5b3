import { BackgroundLoop } from '../engine/background-loop.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterGauges, ClusterGaugesSink, ClusterGaugesStore } from '../ports/cluster-gauges-store.js';
import type { Logger } from '../ports/logger.js';
import { Serial } from './serial.js';

/** At most this many overdue jobs are read (and remembered as logged) per refresh. */
export const OVERDUE_JOBS_LISTED = 1_000;

/**
 * Reads the cluster-wide gauges (jobs by state, queue depth and running executions by type,
 * overdue jobs) from the database on an interval and publishes them. It also logs each job whose
 * dead-man's switch fired, once per overdue period: a job is logged again only after a success
 * moved its deadline (a new expectedBy) and that one passed too. What it remembers is the set of
 * jobs overdue at the last refresh, at most OVERDUE_JOBS_LISTED, so memory stays bounded.
 */
export class RefreshClusterGauges {
  private readonly loop: BackgroundLoop;
  private readonly serial = new Serial();
  /** Job id → the expectedBy (ms) it was logged as overdue for. */
  private logged = new Map<string, number>();
  private unlistedLogged = 0;

  constructor(
    private readonly store: ClusterGaugesStore,
    private readonly sink: ClusterGaugesSink,
    private readonly clock: Clock,
    intervalMs: number,
    private readonly logger: Logger,
    private readonly overdueJobLimit = OVERDUE_JOBS_LISTED,
  ) {
    this.loop = new BackgroundLoop('cluster-gauges', clock, intervalMs, async () => {
      await this.runOnce();
      return undefined;
    }, logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One refresh now (also what the loop runs); concurrent calls run one after the other. */
  runOnce(): Promise<ClusterGauges> {
    return this.serial.run(async () => {
      const now = this.clock.now();
      const gauges = await this.store.read(now, this.overdueJobLimit);
      this.sink.publish(gauges, now);
      this.logNewlyOverdue(gauges, now);
      return gauges;
    });
  }

  private logNewlyOverdue(gauges: ClusterGauges, now: Date): void {
    const current = new Map<string, number>();
    for (const job of gauges.overdueJobs) {
      const expectedBy = job.expectedBy.getTime();
      current.set(job.jobId, expectedBy);
      if (this.logged.get(job.jobId) === expectedBy) continue;
      this.logger.warn(
        {
          job_id: job.jobId,
          type: job.type,
          expected_by: job.expectedBy.toISOString(),
          last_success_at: job.lastSuccessAt?.toISOString() ?? null,
          overdue_ms: now.getTime() - expectedBy,
        },
        "job overdue: no successful execution within expect_success_within (dead-man's switch)",
      );
    }
    this.logged = current;
    const total = [...gauges.overdueByType.values()].reduce((sum, n) => sum + n, 0);
    const unlisted = Math.max(0, total - gauges.overdueJobs.length);
    if (unlisted > this.unlistedLogged) {
      this.logger.warn({ overdue_jobs: total, not_logged_individually: unlisted }, 'more jobs are overdue than are logged one by one; see the jobscheduler_jobs_overdue gauge');
    }
    this.unlistedLogged = unlisted;
  }
}
