/**
 * Nearest-rank percentile of ascending-sorted values: the smallest value with at least p percent
 * of the values at or below it. The same definition as PostgreSQL's percentile_disc, so figures
 * computed in SQL and here agree exactly.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
