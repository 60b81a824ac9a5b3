import { DomainError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsBucket } from '../ports/scheduler-metrics-store.js';
import type { Store } from '../ports/store.js';

const MINUTE = 60_000;
export const HISTORY_DEFAULT_WINDOW_MS = 60 * MINUTE;
export const HISTORY_DEFAULT_STEP_MS = MINUTE;
const MAX_WINDOW_MS = 24 * 60 * MINUTE;
const MIN_STEP_MS = 10_000;
const MAX_STEP_MS = 60 * MINUTE;
const MAX_BUCKETS = 1440;

export interface MetricsHistoryResult {
  readonly buckets: readonly MetricsBucket[];
  readonly stepMs: number;
  readonly computedAt: Date;
}

/**
 * GetMetricsHistory: per-bucket figures computed from the executions table, so several replicas
 * answer alike and nothing has to be sampled while no one looks. Buckets are aligned to multiples
 * of the step since the epoch, so a dashboard can replace its last bucket with a fresher one.
 */
export class MetricsHistory {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async execute(windowMs = HISTORY_DEFAULT_WINDOW_MS, stepMs = HISTORY_DEFAULT_STEP_MS): Promise<MetricsHistoryResult> {
    if (windowMs < MINUTE || windowMs > MAX_WINDOW_MS) throw DomainError.invalidArgument(`window must be from 1 minute to 24 hours, got ${windowMs / 1000} s`);
    if (stepMs < MIN_STEP_MS || stepMs > MAX_STEP_MS || stepMs % 1000 !== 0) {
      throw DomainError.invalidArgument(`step must be whole seconds from 10 s to 1 hour, got ${stepMs / 1000} s`);
    }
    const now = this.clock.now();
    const last = Math.floor(now.getTime() / stepMs) * stepMs;
    const first = Math.floor((now.getTime() - windowMs) / stepMs) * stepMs + stepMs;
    const count = (last - first) / stepMs + 1;
    if (count > MAX_BUCKETS) throw DomainError.invalidArgument(`window ÷ step must be at most ${MAX_BUCKETS} buckets, got ${count}: use a longer step`);
    const buckets = await this.store.transaction((tx) => tx.metrics.history({ from: new Date(first), stepMs, count, now }), { readOnly: true });
    return { buckets, stepMs, computedAt: now };
  }
}
