import type { Execution } from '../../domain/execution/execution.js';
import type { QuotaKey } from '../../domain/quota/quota.js';

/**
 * What the engine reports as it works, for metrics and logs. Called after the transaction that
 * made the change committed, so observers never see work that was rolled back. Implementations
 * must be cheap and must not throw.
 */
export interface EngineObserver {
  /** Executions created (fired occurrences, retries, manual runs). */
  queued(executions: readonly Execution[]): void;
  /** Executions handed to a worker. */
  started(executions: readonly Execution[]): void;
  /** Executions that reached a terminal status. */
  finished(executions: readonly Execution[]): void;
  /** One dispatcher pass: how long it took and what it did. */
  dispatchPass(durationMs: number, jobs: number, fired: number, skipped: number): void;
  /** A claim ended with these quotas full while the worker had slots left. */
  throttled?(keys: readonly QuotaKey[]): void;
  /** One webhook request ended (recorded as delivered, to be retried, or given up) after durationMs. */
  webhookAttempt?(outcome: WebhookAttemptOutcome, durationMs: number): void;
}

export type WebhookAttemptOutcome = 'delivered' | 'retry' | 'failed';

export const NO_OBSERVER: EngineObserver = {
  queued: () => undefined,
  started: () => undefined,
  finished: () => undefined,
  dispatchPass: () => undefined,
};
