import { MemoryOccurrenceStore } from './memory-occurrence-store.js';
import type { Store, Transaction } from '../../application/ports/store.js';
import { MemoryDependencyStore } from './memory-dependency-store.js';
import { MemoryEventStore } from './memory-event-store.js';
import { MemoryExecutionStore } from './memory-execution-store.js';
import { MemoryJobStore } from './memory-job-store.js';
import { MemoryQuotaStore } from './memory-quota-store.js';
import { MemorySchedulerMetricsStore } from './memory-scheduler-metrics.js';
import { MemoryWebhookStore } from './memory-webhook-store.js';
import type { NewDelivery } from '../../application/ports/webhook-store.js';
import { emptyState, restore, snapshot, type MemoryState } from './memory-state.js';

/**
 * The Store port in memory, for fast unit tests of the core. Transactions run one after another
 * (a promise chain), and a failed one restores the snapshot taken when it began. The conformance
 * suite runs against this and the PostgreSQL store so they cannot drift.
 */
export class MemoryStore implements Store {
  private readonly state: MemoryState = emptyState();
  private queue: Promise<unknown> = Promise.resolve();
  /** Webhook outbox rows written with outcomes (not rolled back with a failed transaction). */
  readonly outbox: NewDelivery[] = [];

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const run = async () => {
      const saved = snapshot(this.state);
      try {
        return await work({ jobs: new MemoryJobStore(this.state), executions: new MemoryExecutionStore(this.state), events: new MemoryEventStore(this.state), metrics: new MemorySchedulerMetricsStore(this.state), dependencies: new MemoryDependencyStore(this.state), quotas: new MemoryQuotaStore(this.state), webhooks: new MemoryWebhookStore(this.outbox), occurrences: new MemoryOccurrenceStore(this.state) });
      } catch (error) {
        restore(this.state, saved);
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
