import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { WakeLatch } from './wake-latch.js';

/**
 * Runs a task over and over on the Clock: after each run it sleeps until the task's requested
 * next time (bounded by the interval) or until woken. Errors are logged and retried after the
 * interval, so a database outage pauses the loop instead of killing it. stop() waits for the
 * run in progress to finish.
 */
export class BackgroundLoop {
  private readonly stopping = new AbortController();
  private readonly latch = new WakeLatch(this.stopping.signal);
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    /** Returns the ms to sleep before the next run (capped at the interval), or undefined for the interval. */
    private readonly task: () => Promise<number | undefined>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Runs the task again as soon as the current run (if any) ends. */
  wake(): void {
    this.latch.wake();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    this.latch.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const woken = this.latch.arm();
      let sleepMs = this.intervalMs;
      try {
        const requested = await this.task();
        if (requested !== undefined) sleepMs = Math.max(0, Math.min(requested, this.intervalMs));
      } catch (error) {
        this.logger.warn({ err: error, loop: this.name }, 'background task failed; retrying after the interval');
      }
      if (this.stopping.signal.aborted) break;
      await this.clock.sleep(sleepMs, woken);
    }
  }
}
