import { startExecution } from '../../domain/execution/execution-operations.js';
import type { Execution } from '../../domain/execution/execution.js';
import type { Job } from '../../domain/job/job.js';
import type { ExecutionEventRecord } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Transaction } from '../ports/store.js';
import { eventOf } from '../engine/execution-events.js';
import type { AcquiredExecution } from './acquire-executions.js';

/**
 * A worker waiting on this replica with a free slot for a job type, reserved for an execution
 * being created: the execution is written already leased to it, in the creating transaction, and
 * sent to it after the commit. No wake-up and no acquisition stand between a created job and its
 * handler.
 */
export interface Reservation {
  readonly workerId: string;
  readonly leaseDurationMs: number;
  /** After the commit: the execution, leased to this worker. */
  deliver(acquired: AcquiredExecution): void;
  /** The transaction failed: the slot is free again. */
  cancel(): void;
}

export interface HandOff {
  /** Reserves a slot of a waiting worker of `type`, if this replica has one. */
  reserve(type: string): Reservation | undefined;
}

export const NO_HAND_OFF: HandOff = { reserve: () => undefined };

/** New executions split into those queued and those leased at once to a waiting worker. */
export class NewExecutions {
  readonly queued: Execution[] = [];
  readonly handedOff: Array<{ readonly reservation: Reservation; readonly acquired: AcquiredExecution }> = [];

  constructor(
    private readonly handOff: HandOff,
    private readonly ids: IdGenerator,
    private readonly now: Date,
    /** Types found to have a quota after all (QuotaAppeared): their executions are queued. */
    private readonly queueTypes: ReadonlySet<string> = new Set(),
  ) {}

  /** The first attempts of `job`'s fired occurrences: each to a waiting worker if there is one. */
  add(job: Job, executions: readonly Execution[]): void {
    for (const execution of executions) {
      // Deferred to a window opening: it waits in the queue like a retry's backoff.
      const reservation = execution.scheduledAt > this.now || this.queueTypes.has(execution.jobType) ? undefined : this.handOff.reserve(execution.jobType);
      if (!reservation) {
        this.queued.push(execution);
        continue;
      }
      const started = startExecution(execution, reservation.workerId, this.ids.newId(), reservation.leaseDurationMs, this.now);
      this.handedOff.push({ reservation, acquired: { execution: started, jobName: job.name, payload: job.payload } });
    }
  }

  /**
   * Inserts the executions and their events. Fails with QuotaAppeared if a handed-off
   * execution's type has a quota in the database: the reservations followed this replica's
   * cached set of quota'd types, which lags a quota just set on another replica by the time its
   * NOTIFY takes. The check is part of the insert statement, and only when something was handed
   * off: the common path pays an index probe of a table of a few rows; the rare one rolls back
   * and fires again with those types queued, to be claimed under their quota.
   */
  async write(tx: Pick<Transaction, 'executions' | 'events'>): Promise<void> {
    const executions = this.all;
    const [limited] = await Promise.all([
      this.handedOff.length > 0 ? tx.executions.insertReportingQuotaTypes(executions) : tx.executions.insert(executions).then(() => []),
      tx.events.append(this.events),
    ]);
    if (limited.length > 0) throw new QuotaAppeared(limited);
  }

  /** Every execution to insert. */
  get all(): Execution[] {
    return [...this.queued, ...this.handedOff.map((h) => h.acquired.execution)];
  }

  /** Their events: a handed-off execution was queued and started at once, both in that order. */
  get events(): ExecutionEventRecord[] {
    return [
      ...this.queued.map((e) => eventOf(e, this.now)),
      ...this.handedOff.flatMap(({ acquired: { execution } }) => [eventOf({ ...execution, status: 'queued' }, this.now), eventOf(execution, this.now)]),
    ];
  }

  /** After the commit: each handed-off execution goes to its worker. */
  deliver(): void {
    for (const { reservation, acquired } of this.handedOff) reservation.deliver(acquired);
  }

  /** The transaction failed: the reserved slots are free again. */
  cancel(): void {
    for (const { reservation } of this.handedOff.splice(0)) reservation.cancel();
  }
}

/** A handed-off execution's type has a quota this replica had not heard of: fire again with `types` queued. */
export class QuotaAppeared extends Error {
  constructor(readonly types: readonly string[]) {
    super(`job types ${types.join(', ')} have a quota this replica had not heard of yet`);
  }

  /** Runs `attempt` again, with the types to queue, for as long as it finds quotas appeared (each time one more type at least). */
  static async retried<T>(attempt: (queueTypes: ReadonlySet<string>) => Promise<T>): Promise<T> {
    const queueTypes = new Set<string>();
    for (;;) {
      try {
        return await attempt(queueTypes);
      } catch (error) {
        if (!(error instanceof QuotaAppeared)) throw error;
        for (const type of error.types) queueTypes.add(type);
      }
    }
  }
}
