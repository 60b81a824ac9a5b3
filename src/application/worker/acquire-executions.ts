import type { Execution } from '../../domain/execution/execution.js';
import { DomainError } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Store, Transaction } from '../ports/store.js';
import type { AcquireRequest } from '../ports/execution-store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { EngineSettings } from '../engine/engine-settings.js';
import { eventOf } from '../engine/execution-events.js';
import { WakeLatch } from '../engine/wake-latch.js';
import { NO_QUOTA_TYPES, type QuotaTypesView } from '../quotas/quota-types.js';

export interface AcquireCommand {
  readonly workerId: string;
  readonly jobTypes: readonly string[];
  readonly capacity: number;
  readonly waitMs: number;
  readonly leaseDurationMs: number | undefined;
  /** Aborts the wait (client gone, server draining). */
  readonly signal: AbortSignal;
}

export interface AcquiredExecution {
  readonly execution: Execution;
  readonly jobName: string;
  readonly payload: JsonObject;
}

/**
 * AcquireExecutions: hands out queued executions under fresh leases, waiting (long poll) until
 * some arrive, the wait ends, or the call is cancelled. Waiting is woken by "executions queued"
 * signals from any replica and, for retries in backoff, by the clock at their scheduled time.
 */
export class AcquireExecutions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly wakeUps: WakeUps,
    private readonly settings: Pick<EngineSettings, 'defaultLeaseMs' | 'minLeaseMs' | 'maxLeaseMs' | 'maxAcquireWaitMs'> & { readonly pollIntervalMs?: number },
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly quotaTypes: QuotaTypesView = NO_QUOTA_TYPES,
  ) {}

  async execute(command: AcquireCommand): Promise<AcquiredExecution[]> {
    const leaseMs = command.leaseDurationMs ?? this.settings.defaultLeaseMs;
    if (leaseMs < this.settings.minLeaseMs || leaseMs > this.settings.maxLeaseMs) {
      throw DomainError.invalidArgument(`lease_duration must be from ${this.settings.minLeaseMs / 1000}s to ${this.settings.maxLeaseMs / 1000}s, got ${leaseMs / 1000}s`);
    }
    const deadline = this.clock.now().getTime() + Math.min(command.waitMs, this.settings.maxAcquireWaitMs);
    const latch = new WakeLatch(command.signal);
    const unsubscribe = this.wakeUps.onExecutionsQueued((types) => {
      if (types.includes('*') || types.some((type) => command.jobTypes.includes(type))) latch.wake();
    });
    try {
      for (;;) {
        // A caller that went away (or a draining server) must not be handed leases nobody will see.
        if (command.signal.aborted) return [];
        // Armed before looking, so a signal that arrives while we look is not missed.
        const woken = latch.arm();
        const acquired = await this.tryAcquire(command, leaseMs);
        if (acquired.length > 0) this.observer.started(acquired.map((a) => a.execution));
        const now = this.clock.now();
        if (acquired.length > 0 || now.getTime() >= deadline || command.signal.aborted) return acquired;
        const next = await this.store.transaction((tx) => tx.executions.nextScheduledAt(command.jobTypes, now), { readOnly: true });
        let until = Math.min(deadline, next?.getTime() ?? deadline);
        // A rate limit frees up with time alone, which no wake-up announces.
        if (command.jobTypes.some((type) => this.quotaTypes.isLimited(type))) until = Math.min(until, now.getTime() + (this.settings.pollIntervalMs ?? 1_000));
        await this.clock.sleep(until - now.getTime(), woken);
      }
    } finally {
      unsubscribe();
      latch.close();
    }
  }

  private async tryAcquire(command: AcquireCommand, leaseDurationMs: number): Promise<AcquiredExecution[]> {
    const now = this.clock.now();
    // Not waited for on disk: an acquisition lost in a database crash puts the executions back in
    // the queue, as if the worker had died (at-least-once); the worker's outcome, committed
    // durably, would make it durable first (TransactionOptions.durable).
    const quotas = await this.quotaTypes.claim(this.observer);
    return this.store.transaction(
      (tx) => acquireIn(tx, { workerId: command.workerId, jobTypes: command.jobTypes, capacity: command.capacity, leaseDurationMs, now, quotas }, () => this.ids.newId()),
      { durable: false },
    );
  }
}

/**
 * Hands out up to `capacity` queued executions of the types under fresh leases, with what the
 * worker needs to run them, inside the caller's transaction: AcquireExecutions and the work
 * sessions acquire through here.
 */
export async function acquireIn(tx: Transaction, request: AcquireRequest, newToken: () => string): Promise<AcquiredExecution[]> {
  const executions = await tx.executions.acquire(request, newToken);
  if (executions.length === 0) return [];
  // Issued together: neither needs the other's result.
  const [jobs] = await Promise.all([tx.jobs.runInputs(executions.map((e) => e.jobId)), tx.events.append(executions.map((execution) => eventOf(execution, request.now)))]);
  return executions.map((execution) => {
    const job = jobs.get(execution.jobId);
    return { execution, jobName: job?.name ?? '', payload: job?.payload ?? {} };
  });
}
