/** About how long refilling takes: the server's next transaction and the way back. */
const REFILL_MS = 25;
const MAX_AUTOMATIC = 500;
/** Weight of the newest handler duration in the running average. */
const WEIGHT = 0.1;

/**
 * How many executions the worker holds beyond its running handlers. Fixed when the option says
 * so; otherwise enough to keep every slot busy while a refill is on its way, at the pace of the
 * recent handlers: jobs of a millisecond get hundreds, jobs of seconds none, so long jobs are
 * never parked behind a busy worker while another sits idle.
 */
export class Prefetch {
  private averageMs: number | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly fixed: number | undefined,
  ) {}

  /** A handler ran for `ms`. */
  ran(ms: number): void {
    this.averageMs = this.averageMs === undefined ? ms : this.averageMs + WEIGHT * (ms - this.averageMs);
  }

  get count(): number {
    if (this.fixed !== undefined) return this.fixed;
    // Before any handler ran: as many as the slots.
    if (this.averageMs === undefined) return this.concurrency;
    return Math.min(MAX_AUTOMATIC, Math.round((this.concurrency * REFILL_MS) / Math.max(this.averageMs, 0.05)));
  }
}
