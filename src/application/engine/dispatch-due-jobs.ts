import { DomainError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { LedgerRecord } from '../ports/occurrence-store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { EngineSettings } from './engine-settings.js';
import { NewExecutions, NO_HAND_OFF, QuotaAppeared, type HandOff } from '../worker/hand-off.js';
import { fireJob, traceFired } from './fire-job.js';
import { SlotAlarms } from './slot-alarms.js';
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
  /** The end of the last round's lookahead window, and of the last one found sparse (epoch ms). */
  private coveredUntil = 0;
  private sparseUntil = 0;
  private readonly slots: SlotAlarms;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    wakeUps: WakeUps,
    private readonly settings: Pick<EngineSettings, 'dispatchBatchSize' | 'misfireGraceMs'> & Partial<Pick<EngineSettings, 'dispatchConcurrency' | 'dispatchLookaheadMs'>>,
    private readonly logger: Logger,
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly handOff: HandOff = NO_HAND_OFF,
    private readonly tracing: Tracing = NO_TRACING,
  ) {
    this.slots = new SlotAlarms(clock, wakeUps);
  }

  /** Forgets the wake-ups still waiting for their slots (the service is stopping). */
  stop(): void {
    this.slots.stop();
  }

  /**
   * Repeats passes until no due job is left; returns the totals. `dispatchConcurrency` passes run
   * at once, each in its own transaction: SKIP LOCKED gives them disjoint jobs, as it does the
   * passes of different replicas, so a backlog (many jobs due at one instant) is fired while the
   * service builds one pass and PostgreSQL writes another. Then, if the lookahead window is
   * crowded, the same for the jobs due within it: counted after what is due has been fired, so
   * that the count never delays a slot.
   */
  async runUntilIdle(): Promise<DispatchResult> {
    const total = await this.round(0);
    const aheadMs = await this.lookahead();
    if (aheadMs > 0) addTo(total, await this.round(aheadMs));
    return total;
  }

  /** Passes in `dispatchConcurrency` lanes until each claims less than a full batch; settles once every pass has ended. */
  private async round(aheadMs: number): Promise<DispatchResult> {
    const lanes = await Promise.allSettled(Array.from({ length: this.settings.dispatchConcurrency ?? 1 }, () => this.passesUntilShort(aheadMs)));
    const total = { jobs: 0, executions: 0, skipped: 0 };
    for (const lane of lanes) {
      if (lane.status === 'rejected') throw lane.reason;
      addTo(total, lane.value);
    }
    return total;
  }

  /** One lane of a round: passes until one claims less than a full batch. */
  private async passesUntilShort(aheadMs: number): Promise<DispatchResult> {
    const total = { jobs: 0, executions: 0, skipped: 0 };
    for (;;) {
      const pass = await this.runOnce(aheadMs);
      addTo(total, pass);
      if (pass.jobs < this.settings.dispatchBatchSize) return total;
    }
  }

  /** One pass; with `aheadMs`, jobs due that much later are fired too, as of their slots. */
  async runOnce(aheadMs = 0): Promise<DispatchResult> {
    return QuotaAppeared.retried((queueTypes) => this.pass(queueTypes, aheadMs));
  }

  /**
   * How far ahead this round of passes fires: DISPATCH_LOOKAHEAD when at least a batch of jobs is
   * due within it (more than one pass fires at their slot), else nothing. A sparse window is
   * fired slot by slot, because only a job fired at its slot can have its execution handed to a
   * waiting worker in the firing transaction; fired ahead, it waits queued and is claimed at the
   * slot, one transaction and one row version more (twice the lag, with 10,000 jobs spread over a
   * minute: docs/performance.md). A window found sparse is not counted again.
   */
  private async lookahead(): Promise<number> {
    const lookaheadMs = this.settings.dispatchLookaheadMs ?? 0;
    const now = this.clock.now().getTime();
    const until = now + lookaheadMs;
    this.coveredUntil = until;
    if (lookaheadMs === 0 || until <= this.sparseUntil) return 0;
    const batch = this.settings.dispatchBatchSize;
    if ((await this.store.transaction((tx) => tx.jobs.countDue(new Date(until), batch), { readOnly: true })) >= batch) return lookaheadMs;
    this.sparseUntil = until;
    return 0;
  }

  /** Jobs were created or rescheduled: a window found sparse may be crowded now. */
  recount(): void {
    this.sparseUntil = 0;
  }

  /**
   * When the next round of passes is due, given the earliest next_run_at: DISPATCH_LOOKAHEAD
   * before it, or at once if that has passed; but at its slot if the last round's window held it
   * and left it (a sparse window, a job its overlap policy holds back, one another replica had
   * locked), so that nothing is counted or claimed again before then.
   */
  nextPassAt(earliest: Date | undefined): Date | undefined {
    if (earliest === undefined || earliest.getTime() <= this.coveredUntil) return earliest;
    return new Date(earliest.getTime() - (this.settings.dispatchLookaheadMs ?? 0));
  }

  private async pass(queueTypes: ReadonlySet<string>, aheadMs: number): Promise<DispatchResult> {
    const started = performance.now();
    const now = this.clock.now();
    const until = new Date(now.getTime() + aheadMs);
    const fired = new NewExecutions(this.handOff, this.ids, now, queueTypes);
    const result = await this.store.transaction(async (tx) => {
      const due = await tx.jobs.claimDue(now, this.settings.dispatchBatchSize, until);
      let skipped = 0;
      const dropped: LedgerRecord[] = [];
      const changes = due.map((job) => {
        // A job not due yet is fired as of its slot; its execution waits in the queue until then.
        const asOf = job.nextRunAt && job.nextRunAt > now ? job.nextRunAt : now;
        const firing = fireJob(job, now, this.settings.misfireGraceMs, this.ids, asOf);
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
    this.slots.wakeWorkers(fired.queued, now, until);
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
