import type { WorkerClient } from '../adapters/grpc/client/index.js';
import { Backoff, describeCallError, isTransient, sleep } from './backoff.js';
import type { Lease, LeaseRegistry } from './leases.js';
import type { WorkerLogger } from './logger.js';
import type { Outcome } from './outcome-values.js';

/** ReportOutcomes calls in flight at once; more outcomes wait and leave in the next batch. */
const MAX_CALLS_IN_FLIGHT = 4;

export interface ReporterSettings {
  readonly workerId: string;
  readonly batchSize: number;
  readonly delayMs: number;
  readonly callTimeoutMs: number;
}

interface Pending {
  readonly lease: Lease;
  readonly outcome: Outcome;
}

/**
 * Sends outcomes in batches through ReportOutcomes: a batch leaves when `batchSize` outcomes
 * are waiting or `delayMs` after the first, with a few calls in flight. Refused outcomes (lease
 * lost, execution cancelled meanwhile) are logged, never thrown. A call that fails transiently
 * is retried while the leases last (they are heartbeated until answered); then the server's
 * lease expiry hands the executions to their retry policy.
 */
export class OutcomeReporter {
  private queue: Pending[] = [];
  private calls = 0;
  private timer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly client: WorkerClient,
    private readonly leases: LeaseRegistry,
    private readonly settings: ReporterSettings,
    private readonly log: WorkerLogger,
  ) {}

  report(lease: Lease, outcome: Outcome): void {
    lease.state = 'reporting';
    this.queue.push({ lease, outcome });
    if (this.queue.length >= this.settings.batchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.settings.delayMs);
  }

  /** Sends everything queued and resolves when every outcome has been answered or given up. */
  drain(): Promise<void> {
    this.flush();
    return this.queue.length === 0 && this.calls === 0 ? Promise.resolve() : new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.calls < MAX_CALLS_IN_FLIGHT) void this.send(this.queue.splice(0, this.settings.batchSize));
  }

  private async send(batch: Pending[]): Promise<void> {
    this.calls += 1;
    try {
      await this.deliver(batch);
    } catch (error) {
      this.log('error', 'unexpected error while reporting outcomes', { error: String(error) });
      for (const { lease } of batch) this.leases.remove(lease.executionId);
    } finally {
      this.calls -= 1;
      if (this.queue.length > 0) this.flush();
      else if (this.calls === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  private async deliver(batch: Pending[]): Promise<void> {
    const backoff = new Backoff(100, 2_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const outcomes = batch.map(({ lease, outcome }) => ({ executionId: lease.executionId, leaseToken: lease.leaseToken, outcome }));
        const { results } = await this.client.reportOutcomes({ workerId: this.settings.workerId, outcomes }, { deadline: this.settings.callTimeoutMs });
        this.settle(batch, new Map(results.map((r) => [r.executionId, r])), attempt);
        return;
      } catch (error) {
        const now = Date.now();
        const live: Pending[] = [];
        const expired: Pending[] = [];
        for (const pending of batch) (pending.lease.expiresAt > now ? live : expired).push(pending);
        // Retried for as long as a lease lasts (heartbeats keep extending it meanwhile), not a
        // fixed number of times: a database restart of a few seconds must not cost a finished run.
        if (!isTransient(error) || live.length === 0) {
          this.giveUp(batch, error);
          return;
        }
        if (expired.length > 0) this.giveUp(expired, error);
        this.log('warn', 'ReportOutcomes failed; retrying', { ...describeCallError(error), outcomes: live.length, attempt });
        batch = live;
        await sleep(backoff.next());
      }
    }
  }

  private settle(batch: Pending[], results: Map<string, { accepted: boolean; code: number; message: string }>, attempt: number): void {
    for (const { lease } of batch) {
      this.leases.remove(lease.executionId);
      const result = results.get(lease.executionId);
      if (result?.accepted) continue;
      // After a retried call, a refusal usually means the first call was recorded after all.
      this.log(attempt > 1 ? 'info' : 'warn', 'outcome refused by the server', { executionId: lease.executionId, code: result?.code, reason: result?.message ?? 'no answer for this execution' });
    }
  }

  private giveUp(batch: Pending[], error: unknown): void {
    for (const { lease } of batch) this.leases.remove(lease.executionId);
    this.log('error', 'outcomes not delivered; their leases will expire and the server will retry them', { ...describeCallError(error), executionIds: batch.map((p) => p.lease.executionId) });
  }
}
