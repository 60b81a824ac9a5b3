import type { OccurrenceStore } from './occurrence-store.js';
import type { DependencyStore } from './dependency-store.js';
import type { EventStore } from './event-store.js';
import type { ExecutionStore } from './execution-store.js';
import type { JobStore } from './job-store.js';
import type { QuotaStore } from './quota-store.js';
import type { SchedulerMetricsStore } from './scheduler-metrics-store.js';
import type { WebhookStore } from './webhook-store.js';

export interface Transaction {
  readonly jobs: JobStore;
  readonly executions: ExecutionStore;
  readonly events: EventStore;
  readonly metrics: SchedulerMetricsStore;
  readonly dependencies: DependencyStore;
  readonly quotas: QuotaStore;
  readonly webhooks: WebhookStore;
  readonly occurrences: OccurrenceStore;
}

/**
 * The store cannot be used right now (connection refused or dropped, the server shutting down, a
 * statement timed out or chosen as a deadlock victim): the transaction was rolled back and the
 * same request may be retried later. Transports answer UNAVAILABLE. Only when the connection was
 * lost during the commit itself is the outcome unknown (`outcomeUnknown`): the change may have
 * been made, so a retry must be idempotent.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly outcomeUnknown: boolean;

  constructor(message: string, options: { outcomeUnknown?: boolean } = {}) {
    super(message);
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

export interface TransactionOptions {
  /**
   * false: do not wait for the commit to reach the disk. A crash of the database server within
   * a fraction of a second afterwards may then lose the whole transaction (never part of it),
   * and any later durable commit makes it durable too. Only for work that is redone when lost:
   * firing (the jobs are still due after the crash), acquiring and heartbeats (a lost lease is
   * handled like a worker that died: at-least-once). It takes the disk flush out of the path
   * from a due job to a running handler. Default true.
   */
  readonly durable?: boolean;
  /**
   * true: the work only reads. Its statements then run without a transaction block: a store
   * whose transactions are READ COMMITTED (PostgreSQL's) gives every statement its own snapshot
   * inside a block too, so reads see the same and save the block's two round trips. Never for
   * work that writes or locks.
   */
  readonly readOnly?: boolean;
  /**
   * true: the work runs exactly one statement, which is atomic on its own, so it needs no
   * transaction block either (one round trip instead of three). For a write, it is durable as
   * any commit is; `durable` does not apply.
   */
  readonly singleStatement?: boolean;
}

/** The system of record. Work inside transaction() commits together or not at all. */
export interface Store {
  transaction<T>(work: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
