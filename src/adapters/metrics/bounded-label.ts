/**
 * Keeps a label's cardinality bounded: the first `limit` distinct values pass through, later
 * ones become `overflow`. Job types are routing keys (few in practice), but nothing stops a
 * caller from creating a type per job, and every value is a new time series in Prometheus.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    readonly limit: number,
    readonly overflow = 'other',
  ) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit) return this.overflow;
    this.seen.add(value);
    return value;
  }

  /** Every value that has its own series so far (overflow excluded). */
  values(): string[] {
    return [...this.seen];
  }
}
