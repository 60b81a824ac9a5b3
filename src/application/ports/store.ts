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
 * The store cannot be reached (connection refused, dropped, or the server is shutting down).
 * Nothing was committed; the same request may be retried later. Transports answer UNAVAILABLE.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** The system of record. Work inside transaction() commits together or not at all. */
export interface Store {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}
