/** One schema change, written as plain SQL with its inverse. Both run inside one transaction. */
export interface Migration {
  /** Ordered, never reused: 1, 2, 3 … */
  readonly id: number;
  readonly name: string;
  readonly up: string;
  readonly down: string;
}
