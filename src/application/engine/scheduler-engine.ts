import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { BackgroundLoop } from './background-loop.js';
import type { DispatchDueJobs } from './dispatch-due-jobs.js';
import type { EngineSettings } from './engine-settings.js';
import type { PruneHistory } from './prune-history.js';
import type { RescueExpiredExecutions } from './rescue-expired.js';

/**
 * The replica's background work: the dispatcher (woken by "jobs due" signals, otherwise sleeping
 * until the earliest next_run_at, at most the poll interval), the reaper and retention. All are
 * loops on the Clock, so tests drive them with a fake clock.
 */
export class SchedulerEngine {
  private readonly dispatcher: BackgroundLoop;
  private readonly reaper: BackgroundLoop;
  private readonly retention: BackgroundLoop;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly dispatch: DispatchDueJobs,
    rescue: RescueExpiredExecutions,
    prune: PruneHistory,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wakeUps: WakeUps,
    settings: Pick<EngineSettings, 'pollIntervalMs' | 'reaperIntervalMs' | 'retentionIntervalMs'>,
    logger: Logger,
  ) {
    this.dispatcher = new BackgroundLoop(
      'dispatcher',
      clock,
      settings.pollIntervalMs,
      async () => {
        await dispatch.runUntilIdle();
        return this.msUntilNextDue();
      },
      logger,
    );
    this.reaper = new BackgroundLoop(
      'reaper',
      clock,
      settings.reaperIntervalMs,
      async () => {
        await rescue.runOnce();
        return undefined;
      },
      logger,
    );
    this.retention = new BackgroundLoop(
      'retention',
      clock,
      settings.retentionIntervalMs,
      async () => {
        await prune.runOnce();
        return undefined;
      },
      logger,
    );
  }

  start(): void {
    this.unsubscribe = this.wakeUps.onJobsDue(() => {
      this.dispatch.recount();
      this.dispatcher.wake();
    });
    this.dispatcher.start();
    this.reaper.start();
    this.retention.start();
  }

  /** Stops claiming new work; the passes in progress finish first. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([this.dispatcher.stop(), this.reaper.stop(), this.retention.stop()]);
    this.dispatch.stop();
  }

  private async msUntilNextDue(): Promise<number | undefined> {
    const next = this.dispatch.nextPassAt(await this.store.transaction((tx) => tx.jobs.nextDueAt(), { readOnly: true }));
    return next === undefined ? undefined : next.getTime() - this.clock.now().getTime();
  }
}
