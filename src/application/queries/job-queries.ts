import { DomainError } from '../../domain/errors.js';
import type { Execution } from '../../domain/execution/execution.js';
import type { Job } from '../../domain/job/job.js';
import { appliesTo } from '../../domain/quota/quota.js';
import { waitingReason } from '../quotas/manage-quotas.js';
import type { ExecutionStatistics } from '../../domain/statistics/execution-statistics.js';
import type { ExecutionCursor, ExecutionFilter, ExecutionPage } from '../ports/execution-store.js';
import type { JobCursor, JobFilter, JobPage } from '../ports/job-store.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

/** A job's dead-man's switch: by when a success is expected, and whether that has passed. */
export interface SuccessExpectation {
  readonly expectedBy: Date;
  readonly overdue: boolean;
}

export function successExpectation(job: Job, now: Date): SuccessExpectation | undefined {
  if (job.expectSuccessWithinMs === undefined) return undefined;
  const expectedBy = new Date((job.lastSuccessAt ?? job.createdAt).getTime() + job.expectSuccessWithinMs);
  return { expectedBy, overdue: expectedBy < now && job.state !== 'cancelled' };
}

/** Reads need no transaction block (TransactionOptions.readOnly). */
const READ = { readOnly: true } as const;

/** Reads for the API: one job or execution, pages of them, and a job's statistics. */
export class JobQueries {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async job(id: string): Promise<Job> {
    const job = await this.store.transaction((tx) => tx.jobs.get(id), READ);
    if (!job) throw DomainError.notFound(`job ${id} does not exist`);
    return job;
  }

  async execution(id: string): Promise<Execution> {
    const execution = await this.store.transaction((tx) => tx.executions.get(id), READ);
    if (!execution) throw DomainError.notFound(`execution ${id} does not exist`);
    return execution;
  }

  jobs(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage> {
    return this.store.transaction((tx) => tx.jobs.list(filter, after, limit), READ);
  }

  /**
   * An execution belongs to an existing job (deleting a job deletes its history), so a page with
   * rows shows that the job exists; only an empty page asks whether it does, for NOT_FOUND.
   */
  async executions(filter: ExecutionFilter, after: ExecutionCursor | undefined, limit: number): Promise<ExecutionPage> {
    return this.store.transaction(async (tx) => {
      const page = await tx.executions.list(filter, after, limit);
      if (page.executions.length === 0 && filter.jobId && !(await tx.jobs.get(filter.jobId))) throw DomainError.notFound(`job ${filter.jobId} does not exist`);
      return page;
    }, READ);
  }

  async statistics(jobId: string): Promise<{ job: Job; statistics: ExecutionStatistics; lastExecution: Execution | undefined; expectation: SuccessExpectation | undefined; waitingReason: string }> {
    return this.store.transaction(async (tx) => {
      const job = await tx.jobs.get(jobId);
      if (!job) throw DomainError.notFound(`job ${jobId} does not exist`);
      const statistics = await tx.executions.statistics(jobId);
      const [lastExecution] = (await tx.executions.list({ jobId }, undefined, 1)).executions;
      const now = this.clock.now();
      // Quotas are read only for a job with something waiting.
      let reason = '';
      if (statistics.byStatus.queued > 0) {
        const quotas = (await tx.quotas.list(job.type)).filter((quota) => appliesTo(quota.key, job.type, job.labels));
        reason = waitingReason(await tx.quotas.usage(quotas, now));
      }
      return { job, statistics, lastExecution, expectation: successExpectation(job, now), waitingReason: reason };
    }, READ);
  }
}
