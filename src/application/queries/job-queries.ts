import { DomainError } from '../../domain/errors.js';
import type { Execution } from '../../domain/execution/execution.js';
import type { Job } from '../../domain/job/job.js';
import type { ExecutionStatistics } from '../../domain/statistics/execution-statistics.js';
import type { ExecutionCursor, ExecutionFilter, ExecutionPage } from '../ports/execution-store.js';
import type { JobCursor, JobFilter, JobPage } from '../ports/job-store.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { OccurrenceCursor, OccurrenceQuery } from '../ports/occurrence-store.js';
import type { Occurrence } from '../../domain/occurrence/occurrence.js';
import { occurrenceOf } from './list-occurrences.js';

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

  async executions(filter: ExecutionFilter, after: ExecutionCursor | undefined, limit: number): Promise<ExecutionPage> {
    return this.store.transaction(async (tx) => {
      if (filter.jobId && !(await tx.jobs.get(filter.jobId))) throw DomainError.notFound(`job ${filter.jobId} does not exist`);
      return tx.executions.list(filter, after, limit);
    }, READ);
  }

  /** ListOccurrences: a job's ledger over a time range, oldest slot first. */
  async occurrences(query: OccurrenceQuery, after: OccurrenceCursor | undefined, limit: number): Promise<{ occurrences: Occurrence[]; next: OccurrenceCursor | undefined }> {
    const rows = await this.store.transaction(async (tx) => {
      if (!(await tx.jobs.get(query.jobId))) throw DomainError.notFound(`job ${query.jobId} does not exist`);
      return tx.occurrences.list(query, after, limit);
    }, READ);
    const now = this.clock.now();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { occurrences: page.map((row) => occurrenceOf(row, now)), next: rows.length > limit && last ? { slotAt: last.slotAt, key: last.key } : undefined };
  }

  async statistics(jobId: string): Promise<{ job: Job; statistics: ExecutionStatistics; lastExecution: Execution | undefined; expectation: SuccessExpectation | undefined }> {
    return this.store.transaction(async (tx) => {
      const job = await tx.jobs.get(jobId);
      if (!job) throw DomainError.notFound(`job ${jobId} does not exist`);
      const statistics = await tx.executions.statistics(jobId);
      const [lastExecution] = (await tx.executions.list({ jobId }, undefined, 1)).executions;
      return { job, statistics, lastExecution, expectation: successExpectation(job, this.clock.now()) };
    }, READ);
  }
}
