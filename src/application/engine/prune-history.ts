import type { Clock } from '../ports/clock.js';
import type { RetentionPolicy } from '../ports/execution-store.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

export interface RetentionSettings extends RetentionPolicy {
  /** Execution events older than this are deleted (watchers further behind cannot resume). */
  readonly eventsKeepForMs: number;
  readonly batchSize: number;
  /** Most batches per pass, so one pass never runs long. */
  readonly maxBatches: number;
}

/**
 * Retention: deletes executions the policy no longer keeps (beyond the newest N of their job AND
 * older than the age limit), occurrence ledger rows older than the age limit, and old execution events, in small batches, each its own short
 * transaction, so pruning never holds locks for long. Numbers of pruned executions are never
 * reused: they come from the job's counter.
 */
export class PruneHistory {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: RetentionSettings,
    private readonly logger: Logger,
  ) {}

  async runOnce(): Promise<{ executions: number; events: number; occurrences: number }> {
    const now = this.clock.now();
    const executions = await this.inBatches((batch) => this.store.transaction((tx) => tx.executions.prune(this.settings, now, batch)));
    const before = new Date(now.getTime() - this.settings.eventsKeepForMs);
    const events = await this.inBatches((batch) => this.store.transaction((tx) => tx.events.prune(before, batch)));
    // The ledger's rows (slots that did not fire) follow the executions' age limit; its fired
    // entries are the executions themselves, so they go with them.
    const recordedBefore = new Date(now.getTime() - this.settings.keepForMs);
    const occurrences = await this.inBatches((batch) => this.store.transaction((tx) => tx.occurrences.prune(recordedBefore, batch)));
    if (executions + events + occurrences > 0) this.logger.info({ executions, events, occurrences }, 'pruned execution history');
    return { executions, events, occurrences };
  }

  private async inBatches(prune: (batch: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let i = 0; i < this.settings.maxBatches; i += 1) {
      const deleted = await prune(this.settings.batchSize);
      total += deleted;
      if (deleted < this.settings.batchSize) break;
    }
    return total;
  }
}
