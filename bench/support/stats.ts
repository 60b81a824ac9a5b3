import { percentileOfSorted } from '../../src/domain/statistics/percentile.js';

/** Nearest-rank percentile of an ascending-sorted sample (p in 0..100); NaN for no samples. */
function percentile(sorted: readonly number[], p: number): number {
  return percentileOfSorted(sorted, p) ?? Number.NaN;
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

export function summarise(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p95_ms: round(percentile(sorted, 95)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? Number.NaN),
  };
}
