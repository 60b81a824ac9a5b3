/**
 * The worker's concurrency budget: one slot per running handler. The acquire loop waits here
 * for room, and stop() waits here for the last handler to finish.
 */
export class Slots {
  private used = 0;
  private onChange: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(readonly size: number) {}

  get free(): number {
    return this.size - this.used;
  }

  get inUse(): number {
    return this.used;
  }

  take(count: number): void {
    this.used += count;
  }

  release(): void {
    this.used -= 1;
    this.onChange?.();
    if (this.used === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Resolves when `min` slots are free, or when at least one has been free for `patienceMs`, or
   * when `signal` aborts. Waiting for a few slots at a time turns a stream of single
   * completions into batched acquisitions, at a latency cost bounded by `patienceMs`.
   */
  whenFree(min: number, patienceMs: number, signal: AbortSignal): Promise<void> {
    if (this.free >= min || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.onChange = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.onChange = () => {
        if (this.free >= min) done();
        else if (this.free >= 1 && timer === undefined) timer = setTimeout(done, patienceMs);
      };
      signal.addEventListener('abort', done, { once: true });
      this.onChange();
    });
  }

  /** Resolves when no handler runs. */
  idle(): Promise<void> {
    return this.used === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
