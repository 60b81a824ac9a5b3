import { DomainError } from '../../domain/errors.js';
import { createJob } from '../../domain/job/job-operations.js';
import type { Job, JobDefinition } from '../../domain/job/job.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Idempotency } from '../ports/job-store.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';

export interface CreateJobCommand {
  readonly definition: JobDefinition;
  readonly idempotency: Idempotency | undefined;
}

/**
 * CreateJob and BatchCreateJobs: every definition is already validated; all jobs are inserted
 * in one transaction or none. A request id seen before returns the job it created, if the
 * request is the same; a different request under the same id is refused.
 */
export class CreateJobs {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly wakeUps: WakeUps,
  ) {}

  async execute(commands: readonly CreateJobCommand[]): Promise<Job[]> {
    const now = this.clock.now();
    const jobs = await this.store.transaction(async (tx) => {
      const result: Job[] = [];
      const fresh: { job: Job; idempotency: Idempotency | undefined }[] = [];
      for (const [index, command] of commands.entries()) {
        const earlier = command.idempotency && (await tx.jobs.findByRequestId(command.idempotency.requestId));
        if (earlier) {
          if (earlier.fingerprint !== command.idempotency?.fingerprint) {
            throw DomainError.alreadyExists(`${commands.length > 1 ? `requests[${index}]: ` : ''}request_id "${command.idempotency?.requestId}" was already used for a different job (${earlier.job.id})`);
          }
          result.push(earlier.job);
          continue;
        }
        const job = createJob(this.ids.newId(), command.definition, now);
        fresh.push({ job, idempotency: command.idempotency });
        result.push(job);
      }
      await tx.jobs.insert(
        fresh.map((f) => f.job),
        fresh.map((f) => f.idempotency),
      );
      return { result, fresh: fresh.map((f) => f.job) };
    });
    if (jobs.fresh.some((job) => job.nextRunAt !== undefined && job.nextRunAt <= this.clock.now())) this.wakeUps.jobsDue();
    return jobs.result;
  }
}
