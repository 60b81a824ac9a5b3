import type { EventStore } from './event-store.js';
import type { ExecutionStore } from './execution-store.js';
import type { JobStore } from './job-store.js';
import type { SchedulerMetricsStore } from './scheduler-metrics-store.js';

export interface Transaction {
  readonly jobs: JobStore;
  readonly executions: ExecutionStore;
  readonly events: EventStore;
  readonly metrics: SchedulerMetricsStore;
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

/** The system of record. Work inside transaction() commits together or not at all. */
export interface Store {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}
