/**
 * What a loop that sleeps between polls waits on: a wake-up, or its owner's signal (a call ending,
 * a replica stopping). One latch serves every sleep of the loop, where combining the two signals
 * afresh for each sleep (AbortSignal.any) left a registration behind on the owner's signal per
 * sleep on Node 20: a stream watched for a day, or a dispatcher woken many times a second, grew
 * without bound.
 */
export class WakeLatch {
  private controller = new AbortController();
  private readonly abortNow = () => this.controller.abort();

  constructor(private readonly owner: AbortSignal) {
    if (owner.aborted) this.controller.abort();
    else owner.addEventListener('abort', this.abortNow, { once: true });
  }

  /** Ends the current sleep, or the next one if none is in progress. */
  wake(): void {
    this.controller.abort();
  }

  /**
   * The signal for the next sleep. Take it before looking for work, so that a wake-up arriving
   * while the loop looks still cuts the sleep short; after a wake-up it starts afresh.
   */
  arm(): AbortSignal {
    if (this.controller.signal.aborted && !this.owner.aborted) this.controller = new AbortController();
    return this.controller.signal;
  }

  /** Stops listening to the owner's signal. */
  close(): void {
    this.owner.removeEventListener('abort', this.abortNow);
  }
}
