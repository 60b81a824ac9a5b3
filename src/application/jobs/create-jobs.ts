import { DomainError } from '../../domain/errors.js';
import { createJob } from '../../domain/job/job-operations.js';
import type { Job, JobDefinition } from '../../domain/job/job.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Idempotency } from '../ports/job-store.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { quoted } from '../../domain/text.js';
import { wakeWorkersFor } from '../engine/execution-events.js';
import { fireJob, firesOnCreation, traceFired } from '../engine/fire-job.js';
import { NO_TRACING, type Tracing } from '../ports/tracing.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import { NewExecutions, NO_HAND_OFF, QuotaAppeared, type HandOff } from '../worker/hand-off.js';
import { storeDependencies } from '../dependencies/store-dependencies.js';

export interface CreateJobCommand {
  readonly definition: JobDefinition;
  readonly idempotency: Idempotency | undefined;
  /** How the request names this job ("job", "requests[3].job"): the one check made at creation time names it. Default "job". */
  readonly field?: string;
}

/**
 * CreateJob and BatchCreateJobs: every definition is already validated; all jobs are inserted
 * in one transaction or none. A request id seen before returns the job it created, if the
 * request is the same; a different request under the same id is refused. A one-shot due now is
 * fired in the same transaction (its first execution queued, the job running), so a worker can
 * take it as soon as the call returns, without waiting for a dispatcher pass.
 */
export class CreateJobs {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly wakeUps: WakeUps,
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly handOff: HandOff = NO_HAND_OFF,
    /** A job due within this long wakes the dispatchers, which may be planning to sleep past it. */
    private readonly soonMs = 0,
    private readonly tracing: Tracing = NO_TRACING,
  ) {}

  async execute(commands: readonly CreateJobCommand[]): Promise<Job[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await QuotaAppeared.retried((queueTypes) => this.createAll(commands, queueTypes));
      } catch (error) {
        // Another call with one of our request ids committed between our lookup and our insert
        // (a client retrying while its first call is still in flight). Looking again finds its
        // job, so the same request gets that job and a different one ALREADY_EXISTS.
        if (error instanceof RequestIdTaken && attempt < MAX_ATTEMPTS) continue;
        throw error instanceof RequestIdTaken ? error.cause : error;
      }
    }
  }

  private async createAll(commands: readonly CreateJobCommand[], queueTypes: ReadonlySet<string>): Promise<Job[]> {
    const now = this.clock.now();
    const fired = new NewExecutions(this.handOff, this.ids, now, queueTypes);
    const jobs = await this.store.transaction(async (tx) => {
      const result: Job[] = [];
      const fresh: { job: Job; idempotency: Idempotency | undefined; field: string }[] = [];
      // Request ids earlier in this batch: a repeat within one batch is a repeat like any other.
      const inBatch = new Map<string, { job: Job; fingerprint: string }>();
      for (const [index, command] of commands.entries()) {
        const key = command.idempotency;
        const earlier = key && (inBatch.get(key.requestId) ?? (await tx.jobs.findByRequestId(key.requestId)));
        if (earlier) {
          if (earlier.fingerprint !== key?.fingerprint) {
            throw DomainError.alreadyExists(`${commands.length > 1 ? `requests[${index}]: ` : ''}request_id ${quoted(key?.requestId)} was already used for a different job (${earlier.job.id})`);
          }
          result.push(earlier.job);
          continue;
        }
        let job = withinJob(command.field ?? 'job', () => createJob(this.ids.newId(), command.definition, now));
        const traceContext = this.tracing.enabled ? this.tracing.active() : undefined;
        if (traceContext) job = { ...job, traceContext };
        if (firesOnCreation(command.definition, now)) {
          const firing = fireJob(job, now, 0, this.ids);
          // Created and fired in one write: the pending job in between was never stored.
          job = { ...firing.job, version: job.version };
          fired.add(job, traceFired(this.tracing, job, firing.executions, 'call'));
        }
        if (key) inBatch.set(key.requestId, { job, fingerprint: key.fingerprint });
        fresh.push({ job, idempotency: key, field: command.field ?? 'job' });
        result.push(job);
      }
      // Issued together: the store may send them in one round trip (nothing needs the others' results).
      const inserted = tx.jobs.insert(
        fresh.map((f) => f.job),
        fresh.map((f) => f.idempotency),
      );
      const written = Promise.all([inserted, fired.write(tx)]);
      try {
        await inserted;
      } catch (error) {
        written.catch(() => undefined);
        if (error instanceof DomainError && error.kind === 'AlreadyExists') throw new RequestIdTaken(error);
        throw error;
      }
      await written;
      for (const { job, field } of fresh) await storeDependencies(tx, job, field, false);
      return { result, fresh: fresh.map((f) => f.job) };
      // Without request ids or executions the work is the one INSERT of all the jobs: atomic by itself.
    }, { singleStatement: commands.every((command) => command.idempotency === undefined && !firesOnCreation(command.definition, now) && command.definition.dependsOn.length === 0) }).catch((error: unknown) => {
      fired.cancel();
      throw error;
    });
    this.observer.queued(fired.all);
    fired.deliver();
    wakeWorkersFor(this.wakeUps, fired.queued);
    const soon = this.clock.now().getTime() + this.soonMs;
    if (jobs.fresh.some((job) => job.nextRunAt !== undefined && job.nextRunAt.getTime() <= soon)) this.wakeUps.jobsDue();
    return jobs.result;
  }
}

const MAX_ATTEMPTS = 3;

/** The store refused a request id that a concurrent transaction stored first. */
class RequestIdTaken extends Error {
  constructor(override readonly cause: DomainError) {
    super(cause.message);
  }
}

/** A definition checked at creation time (a schedule with no fire time left), with the field named from the top of the request. */
function withinJob<T>(field: string, create: () => T): T {
  try {
    return create();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'InvalidArgument') throw DomainError.invalidArgument(`${field}.${error.message}`);
    throw error;
  }
}
