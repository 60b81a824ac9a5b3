import { DomainError } from '../../domain/errors.js';
import { cancelExecution } from '../../domain/execution/execution-operations.js';
import { queuedExecution, type Execution } from '../../domain/execution/execution.js';
import { cancelJob, pauseJob, resumeJob, retryJob, runJobNow, type StartedOccurrence } from '../../domain/job/job-operations.js';
import type { Job } from '../../domain/job/job.js';
import { eventOf } from '../engine/execution-events.js';
import { traceFired } from '../engine/fire-job.js';
import { NO_TRACING, type Tracing } from '../ports/tracing.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Store, Transaction } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { lockJobWithActive } from './lock-job-with-active.js';
import { resumeDownstream } from '../dependencies/fire-downstream.js';
import { enqueueOutcomeDeliveries } from '../webhooks/outcome-deliveries.js';
import type { SubscriptionRouter } from '../webhooks/subscription-router.js';

export interface ControlResult {
  readonly job: Job;
  /** The execution a retry or run created. */
  readonly execution?: Execution;
  /** Executions a cancel ended. */
  readonly cancelled?: readonly Execution[];
  /** Webhook outbox rows a cancel wrote. */
  readonly webhookDeliveries?: number;
}

/**
 * The operator's controls on one job: pause, resume, cancel, retry, run now. Each reads and
 * locks the job, asks the domain whether the operation is legal from its current state
 * (FAILED_PRECONDITION naming the state if not) and writes the result compare-and-set.
 */
export class ControlJob {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly wakeUps: WakeUps,
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly tracing: Tracing = NO_TRACING,
    private readonly webhooks?: SubscriptionRouter,
  ) {}

  pause(id: string): Promise<ControlResult> {
    return this.apply(id, async (_tx, job, now) => ({ job: pauseJob(job, now) }));
  }

  async resume(id: string): Promise<ControlResult> {
    const result = await this.apply(id, async (tx, job, now) => resumeDownstream(tx, resumeJob(job, now), now, this.ids));
    this.wakeUps.jobsDue();
    this.queued(result.execution);
    return result;
  }

  /** Terminal; its queued and running executions are cancelled in the same transaction. */
  async cancel(id: string, reason: string): Promise<ControlResult> {
    const result = await this.apply(id, async (tx, job, now, active) => {
      const cancelledJob = cancelJob(job, now);
      const why = reason ? `job cancelled: ${reason}` : 'job cancelled';
      const cancelled = active.map((execution) => cancelExecution(execution, now, why));
      const written = await tx.executions.update(active.map((execution, i) => ({ execution: cancelled[i] as Execution, expectedStatus: execution.status })));
      if (written.size !== active.length) throw DomainError.conflict('an execution of the job changed during cancel; retry');
      await tx.events.append(cancelled.map((execution) => eventOf(execution, now)));
      const webhookDeliveries = await enqueueOutcomeDeliveries(tx, this.webhooks, cancelled.map((execution) => ({ execution, retried: false })), now, this.ids);
      // A cancelled job never completes again: its downstream jobs stop waiting for it.
      if (job.hasDownstream) await tx.dependencies.removeUpstream(job.id);
      return { job: cancelledJob, cancelled, webhookDeliveries };
    }, { withActive: true });
    this.observer.finished(result.cancelled ?? []);
    if ((result.webhookDeliveries ?? 0) > 0) this.wakeUps.deliveriesQueued();
    // Workers holding one learn it from their sessions' next lease check, made at once.
    if (result.cancelled?.some((execution) => execution.startedAt !== undefined)) this.wakeUps.leasesChanged();
    return result;
  }

  retry(id: string): Promise<ControlResult> {
    return this.start(id, retryJob);
  }

  runNow(id: string): Promise<ControlResult> {
    return this.start(id, runJobNow);
  }

  private async start(id: string, operation: (job: Job, now: Date) => StartedOccurrence): Promise<ControlResult> {
    const result = await this.apply(id, async (tx, job, now) => {
      const started = operation(job, now);
      const [execution] = traceFired(this.tracing, job, [
        queuedExecution(
          started.job,
          { id: this.ids.newId(), number: started.job.executionCount, occurrenceAt: started.occurrenceAt, attempt: 1, trigger: started.trigger, scheduledAt: now },
          now,
        ),
      ], 'call') as [Execution];
      await tx.executions.insert([execution]);
      await tx.events.append([eventOf(execution, now)]);
      return { job: started.job, execution };
    });
    this.queued(result.execution);
    return result;
  }

  private queued(execution: Execution | undefined): void {
    if (!execution) return;
    this.wakeUps.executionsQueued([execution.jobType]);
    this.observer.queued([execution]);
  }

  /** withActive: the job's queued and running executions are locked too, before the job (lockJobWithActive). */
  private async apply(
    id: string,
    change: (tx: Transaction, job: Job, now: Date, active: readonly Execution[]) => Promise<ControlResult>,
    options: { withActive?: boolean } = {},
  ): Promise<ControlResult> {
    const now = this.clock.now();
    return this.store.transaction(async (tx) => {
      const { job, active } = options.withActive ? await lockJobWithActive(tx, id) : { job: (await tx.jobs.lock([id]))[0], active: [] };
      if (!job) throw DomainError.notFound(`job ${id} does not exist`);
      const result = await change(tx, job, now, active);
      // Control operations move the state machine; the definition is as read.
      const written = await tx.jobs.update([{ job: result.job, expectedVersion: job.version, scope: 'state' }]);
      if (!written.has(id)) throw DomainError.conflict(`job ${id} changed concurrently; retry`);
      return result;
    });
  }
}
