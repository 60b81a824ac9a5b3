import type { Clock } from '../ports/clock.js';
import type { ClusterFigures } from '../ports/scheduler-metrics-store.js';
import type { Store } from '../ports/store.js';

export const METRICS_WINDOW_MS = 3_600_000;
/** Figures are reused this long, so dashboards polling many replicas cost the database little. */
const CACHE_MS = 1_000;

export interface SchedulerFigures extends ClusterFigures {
  readonly computedAt: Date;
  readonly windowMs: number;
}

/** GetSchedulerMetrics: cluster-wide figures from the database, never one process's counters. */
export class SchedulerMetrics {
  private cached: SchedulerFigures | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<SchedulerFigures> {
    const now = this.clock.now();
    if (this.cached && now.getTime() - this.cached.computedAt.getTime() < CACHE_MS && now >= this.cached.computedAt) return this.cached;
    const figures = await this.store.transaction((tx) => tx.metrics.figures(now, METRICS_WINDOW_MS), { readOnly: true });
    this.cached = { ...figures, computedAt: now, windowMs: METRICS_WINDOW_MS };
    return this.cached;
  }
}
