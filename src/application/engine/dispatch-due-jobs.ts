import { DomainError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { LedgerRecord } from '../ports/occurrence-store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { EngineSettings } from './engine-settings.js';
import { wakeWorkersFor } from './execution-events.js';
import { NewExecutions, NO_HAND_OFF, QuotaAppeared, type HandOff } from '../worker/hand-off.js';
import { fireJob, traceFired } from './fire-job.js';
import { NO_TRACING, type Tracing } from '../ports/tracing.js';

export interface DispatchResult {
  /** Jobs claimed in this pass. */
  readonly jobs: number;
  readonly executions: number;
  readonly skipped: number;
}

/**
 * One dispatcher pass: claim due jobs (FOR UPDATE SKIP LOCKED, so replicas share the work
 * without waiting on each other), and in the same transaction create the executions the
 * domain's firing rules call for, advance next_run_at and the state, compare-and-set on the
 * version each job was read with. A unique key on (job, occurrence, attempt) backs this up.
 */
export class DispatchDueJobs {
  private lastRecorded = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly wakeUps: WakeUps,
    private readonly settings: Pick<EngineSettings, 'dispatchBatchSize' | 'misfireGraceMs'> & Partial<Pick<EngineSettings, 'dispatchConcurrency'>>,
    private readonly logger: Logger,
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly handOff: HandOff = NO_HAND_OFF,
    private readonly tracing: Tracing = NO_TRACING,
  ) {}

  /**
   * Repeats passes until no due job is left; returns the totals. `dispatchConcurrency` passes run
   * at once, each in its own transaction: SKIP LOCKED gives them disjoint jobs, as it does the
   * passes of different replicas, so a backlog (many jobs due at one instant) is fired while the
   * service builds one pass and PostgreSQL writes another. Settles once every pass has ended.
   */
  async runUntilIdle(): Promise<DispatchResult> {
    const lanes = await Promise.allSettled(Array.from({ length: this.settings.dispatchConcurrency ?? 1 }, () => this.passesUntilShort()));
    const total = { jobs: 0, executions: 0, skipped: 0 };
    for (const lane of lanes) {
      if (lane.status === 'rejected') throw lane.reason;
      addTo(total, lane.value);
    }
    return total;
  }

  /** One lane of runUntilIdle: passes until one claims less than a full batch. */
  private async passesUntilShort(): Promise<DispatchResult> {
    const total = { jobs: 0, executions: 0, skipped: 0 };
    for (;;) {
      const pass = await this.runOnce();
      addTo(total, pass);
      if (pass.jobs < this.settings.dispatchBatchSize) return total;
    }
  }

  async runOnce(): Promise<DispatchResult> {
    return QuotaAppeared.retried((queueTypes) => this.pass(queueTypes));
  }

  private async pass(queueTypes: ReadonlySet<string>): Promise<DispatchResult> {
    const started = performance.now();
    const now = this.clock.now();
    const fired = new NewExecutions(this.handOff, this.ids, now, queueTypes);
    const result = await this.store.transaction(async (tx) => {
      const due = await tx.jobs.claimDue(now, this.settings.dispatchBatchSize);
      let skipped = 0;
      const dropped: LedgerRecord[] = [];
      const changes = due.map((job) => {
        const firing = fireJob(job, now, this.settings.misfireGraceMs, this.ids);
        for (const run of firing.dropped) dropped.push({ ...run, jobId: job.id });
        fired.add(firing.job, traceFired(this.tracing, job, firing.executions, 'dispatcher'));
        skipped += firing.skipped;
        if (firing.skipped > 0) this.logger.info({ job_id: job.id, type: job.type, skipped: firing.skipped }, 'skipped due occurrences (overlap, catch-up or window policy)');
        return { job: firing.job, expectedVersion: job.version, scope: 'state' as const };
      });
      // Issued together: nothing needs the inserts' results, and the CAS count is checked after.
      // The slots that did not fire go to the occurrence ledger with the decision, under the same locks.
      const [written] = await Promise.all([tx.jobs.update(changes), fired.write(tx), tx.occurrences.record(dropped, now)]);
      if (written.size !== changes.length) throw DomainError.conflict('a claimed job changed during dispatch');
      return { jobs: due.length, skipped };
      // Not waited for on disk: a pass lost in a database crash leaves its jobs due, and the
      // next pass after the restart fires them again (TransactionOptions.durable). An execution
      // handed to a worker from such a pass is run again then: at least once, as when an
      // acquisition is lost.
    }, { durable: false }).catch((error: unknown) => {
      fired.cancel();
      throw error;
    });
    const executions = fired.all;
    fired.deliver();
    wakeWorkersFor(this.wakeUps, fired.queued);
    await this.recordPass(now);
    this.observer.queued(executions);
    this.observer.dispatchPass(performance.now() - started, result.jobs, executions.length, result.skipped);
    return { jobs: result.jobs, executions: executions.length, skipped: result.skipped };
  }

  /** GetSchedulerMetrics' last_check_at; written at most once a second per replica. */
  private async recordPass(now: Date): Promise<void> {
    if (now.getTime() - this.lastRecorded < 1_000) return;
    this.lastRecorded = now.getTime();
    await this.store.transaction((tx) => tx.metrics.recordDispatch(now));
  }
}

function addTo(total: { jobs: number; executions: number; skipped: number }, result: DispatchResult): void {
  total.jobs += result.jobs;
  total.executions += result.executions;
  total.skipped += result.skipped;
}
