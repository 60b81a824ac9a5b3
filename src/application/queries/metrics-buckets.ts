import type { HistoryRange, MetricsBucket } from '../ports/scheduler-metrics-store.js';

/**
 * Counts per bucket index k (k = -1: before the window), as both stores group them:
 * finished (per status), started (with lag percentiles), and entries into and exits from the queue.
 */
export interface BucketCounts {
  readonly kind: 'finished' | 'started' | 'entered' | 'exited';
  readonly k: number;
  readonly status?: string | undefined;
  readonly n: number;
  readonly p50?: number | undefined;
  readonly p95?: number | undefined;
}

/** The buckets of a range from grouped counts; queue depth is the running sum of entries minus exits. */
export function bucketsFromCounts(range: HistoryRange, counts: readonly BucketCounts[]): MetricsBucket[] {
  const at = (kind: BucketCounts['kind'], k: number, status?: string) => counts.filter((c) => c.kind === kind && c.k === k && (status === undefined || c.status === status));
  const sum = (list: readonly BucketCounts[]) => list.reduce((total, c) => total + c.n, 0);
  let depth = sum(at('entered', -1)) - sum(at('exited', -1));
  return Array.from({ length: range.count }, (_, k) => {
    depth += sum(at('entered', k)) - sum(at('exited', k));
    const started = at('started', k)[0];
    return {
      start: new Date(range.from.getTime() + k * range.stepMs),
      succeeded: sum(at('finished', k, 'succeeded')),
      failed: sum(at('finished', k, 'failed')) + sum(at('finished', k, 'timed_out')) + sum(at('finished', k, 'lost')),
      cancelled: sum(at('finished', k, 'cancelled')),
      queueDepth: depth,
      started: started?.n ?? 0,
      lagP50Ms: started?.p50,
      lagP95Ms: started?.p95,
    };
  });
}
