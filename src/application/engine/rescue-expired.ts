import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { EngineSettings } from './engine-settings.js';
import { finishAttempts, type AttemptEnd, type OutcomeDeps } from './finish-attempts.js';
import { wakeWorkersFor } from './execution-events.js';
import { executionFields } from '../observability/execution-log-observer.js';
import { endedByWindow } from '../../domain/execution/execution-operations.js';

export interface RescueResult {
  /** Executions whose lease expired: recorded as lost. */
  readonly lost: number;
  /** Executions past their attempt deadline: recorded as timed out. */
  readonly timedOut: number;
  readonly retried: number;
}

/**
 * The reaper. A lease that was not renewed in time means the worker died or was cut off: the
 * attempt is recorded as lost and the retry policy applies. An attempt past its deadline is
 * recorded as timed out (its worker learns it from the next heartbeat). Both are fenced like any
 * other outcome, so a worker that comes back late can no longer report.
 */
export class RescueExpiredExecutions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deps: OutcomeDeps,
    private readonly wakeUps: WakeUps,
    private readonly settings: Pick<EngineSettings, 'reaperBatchSize'>,
    private readonly logger: Logger,
    private readonly observer: EngineObserver = NO_OBSERVER,
  ) {}

  async runOnce(): Promise<RescueResult> {
    const now = this.clock.now();
    const result = await this.store.transaction(async (tx) => {
      const expired = await tx.executions.claimExpired(now, this.settings.reaperBatchSize);
      const unstarted = await tx.executions.claimWindowClosed(now, this.settings.reaperBatchSize);
      const ends: AttemptEnd[] = expired.map((execution) => {
        const timedOut = execution.deadlineAt !== undefined && execution.deadlineAt < now;
        // The job's window closed with end policy CANCEL: a cancel with its reason, never retried.
        if (timedOut && endedByWindow(execution)) {
          return { execution, outcome: { kind: 'cancelled', reason: `window closed at ${execution.windowClosesAt?.toISOString()} (execution_windows.end_policy CANCEL)` } };
        }
        const message = timedOut
          ? `attempt timed out after ${execution.attemptTimeoutMs} ms`
          : `lease expired at ${execution.leaseExpiresAt?.toISOString()} without a heartbeat from worker ${execution.workerId}`;
        return { execution, outcome: { kind: timedOut ? 'timed_out' : 'lost', error: { message, details: undefined, retryable: true } } };
      });
      for (const execution of unstarted) {
        ends.push({ execution, outcome: { kind: 'cancelled', reason: `window closed at ${execution.windowClosesAt?.toISOString()} before a worker took it (execution_windows.end_policy CANCEL)` } });
      }
      const done = await finishAttempts(tx, ends, now, this.deps);
      const lost = done.finished.filter((e) => e.status === 'lost').length;
      await tx.metrics.addRescued(lost);
      return { ...done, lost };
    });
    for (const execution of result.finished) {
      this.logger.warn(
        { ...executionFields(execution), status: execution.status, worker_id: execution.workerId },
        execution.status === 'lost' ? 'rescued an execution whose lease expired' : execution.status === 'cancelled' ? 'cancelled an execution whose window closed' : 'ended an execution that passed its attempt timeout',
      );
    }
    wakeWorkersFor(this.wakeUps, [...result.retries, ...result.triggered]);
    if (result.webhookDeliveries > 0) this.wakeUps.deliveriesQueued();
    if (result.finished.some((execution) => execution.status === 'timed_out' || execution.status === 'cancelled')) this.wakeUps.leasesChanged();
    this.observer.finished(result.finished);
    this.observer.queued([...result.retries, ...result.triggered]);
    return {
      lost: result.lost,
      timedOut: result.finished.filter((e) => e.status === 'timed_out').length,
      retried: result.retries.length,
    };
  }
}
