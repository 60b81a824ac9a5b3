import { BackgroundLoop } from '../engine/background-loop.js';
import type { Clock } from '../ports/clock.js';
import type { DatabaseProbe, DatabaseReachability } from '../ports/database-probe.js';
import type { Logger } from '../ports/logger.js';
import { Serial } from './serial.js';

/**
 * Probes the database on an interval and reports whether it answers, so the health service says
 * NOT_SERVING while it does not and SERVING again once it does. Logs each change once, not
 * each failed probe.
 */
export class WatchDatabaseHealth {
  private readonly loop: BackgroundLoop;
  private readonly serial = new Serial();
  /** The database answered when the service started (openDatabase checks it). */
  private reachable = true;

  constructor(
    private readonly probe: DatabaseProbe,
    private readonly target: DatabaseReachability,
    clock: Clock,
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.loop = new BackgroundLoop('database-health', clock, intervalMs, async () => {
      await this.runOnce();
      return undefined;
    }, logger);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.serial.run(() => this.probe.close());
  }

  /** One probe now; returns whether the database answered. */
  runOnce(): Promise<boolean> {
    return this.serial.run(async () => {
      try {
        await this.probe.ping();
        this.report(true, undefined);
      } catch (error) {
        this.report(false, error);
      }
      return this.reachable;
    });
  }

  private report(reachable: boolean, error: unknown): void {
    if (reachable !== this.reachable) {
      if (reachable) this.logger.info({}, 'database reachable again: reporting SERVING');
      else this.logger.warn({ err: error }, 'database unreachable: reporting NOT_SERVING until it answers');
    }
    this.reachable = reachable;
    this.target.setDatabaseReachable(reachable);
  }
}
