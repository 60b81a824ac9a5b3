import { DomainError } from '../../domain/errors.js';
import type { Execution } from '../../domain/execution/execution.js';
import type { Job, JobWithoutPayload } from '../../domain/job/job.js';
import { appliesTo } from '../../domain/quota/quota.js';
import { waitingReason } from '../quotas/manage-quotas.js';
import type { ExecutionStatistics } from '../../domain/statistics/execution-statistics.js';
import type { ExecutionCursor, ExecutionFilter, ExecutionPage } from '../ports/execution-store.js';
import type { JobCursor, JobFilter, JobPage } from '../ports/job-store.js';
import type { Clock } from '../ports/clock.js';
import type { Store, Transaction } from '../ports/store.js';
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

  jobsWithoutPayload(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage<JobWithoutPayload>> {
    return this.store.transaction((tx) => tx.jobs.listWithoutPayload(filter, after, limit), READ);
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

  /** ListOccurrences: a job's ledger over a time range, oldest slot first. */
  async occurrences(query: OccurrenceQuery, after: OccurrenceCursor | undefined, limit: number): Promise<{ occurrences: Occurrence[]; next: OccurrenceCursor | undefined }> {
    const now = this.clock.now();
    const { rows, reason } = await this.store.transaction(async (tx) => {
      const job = await tx.jobs.get(query.jobId);
      if (!job) throw DomainError.notFound(`job ${query.jobId} does not exist`);
      const found = await tx.occurrences.list(query, after, limit);
      const waiting = found.some((row) => row.kind === 'execution' && row.latestStatus === 'queued' && row.scheduledAt <= now);
      return { rows: found, reason: waiting ? await quotaReason(tx, job, now) : '' };
    }, READ);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { occurrences: page.map((row) => occurrenceOf(row, now, reason)), next: rows.length > limit && last ? { slotAt: last.slotAt, key: last.key } : undefined };
  }

  async statistics(jobId: string): Promise<{ job: Job; statistics: ExecutionStatistics; lastExecution: Execution | undefined; expectation: SuccessExpectation | undefined; waitingReason: string }> {
    return this.store.transaction(async (tx) => {
      const job = await tx.jobs.get(jobId);
      if (!job) throw DomainError.notFound(`job ${jobId} does not exist`);
      const statistics = await tx.executions.statistics(jobId, job.executionCount);
      const [lastExecution] = (await tx.executions.list({ jobId }, undefined, 1)).executions;
      const now = this.clock.now();
      // Quotas are read only for a job with something waiting.
      const reason = statistics.byStatus.queued > 0 ? await quotaReason(tx, job, now) : '';
      return { job, statistics, lastExecution, expectation: successExpectation(job, now), waitingReason: reason };
    }, READ);
  }
}

/** The full quota (with its usage) that holds the job's queued executions back; empty if none. */
async function quotaReason(tx: Transaction, job: Job, now: Date): Promise<string> {
  const quotas = (await tx.quotas.list(job.type)).filter((quota) => appliesTo(quota.key, job.type, job.labels));
  return waitingReason(await tx.quotas.usage(quotas, now));
}
