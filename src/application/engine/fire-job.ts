import { queuedExecution, type Execution } from '../../domain/execution/execution.js';
import { fireDueJob } from '../../domain/job/job-operations.js';
import type { Job, JobDefinition } from '../../domain/job/job.js';
import type { IdGenerator } from '../ports/ids.js';

export interface Fired {
  readonly job: Job;
  /** The first attempts of the occurrences fired, queued. */
  readonly executions: Execution[];
  readonly skipped: number;
}

/**
 * Fires a due job: the domain says which occurrences start (overlap and catch-up policies), and
 * each gets its first attempt, numbered after the job's earlier executions. The dispatcher fires
 * what came due; CreateJobs fires a one-shot that is due the moment it is created.
 */
export function fireJob(job: Job, now: Date, misfireGraceMs: number, ids: IdGenerator): Fired {
  const fired = fireDueJob(job, now, misfireGraceMs);
  const executions = fired.occurrences.map((occurrenceAt, i) =>
    queuedExecution(job, { id: ids.newId(), number: job.executionCount + i + 1, occurrenceAt, attempt: 1, trigger: 'schedule', scheduledAt: occurrenceAt }, now),
  );
  return { job: fired.job, executions, skipped: fired.skipped };
}

/** A one-shot due when it is created goes straight into the queue: no dispatcher pass. */
export function firesOnCreation(definition: Pick<JobDefinition, 'schedule'>, now: Date): boolean {
  return definition.schedule.kind === 'once' && (definition.schedule.at === undefined || definition.schedule.at <= now);
}
