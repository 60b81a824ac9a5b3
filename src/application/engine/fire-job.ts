import { queuedExecution, type Execution } from '../../domain/execution/execution.js';
import { fireDueJob, type LedgerRun } from '../../domain/job/job-operations.js';
import type { Job, JobDefinition } from '../../domain/job/job.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Tracing } from '../ports/tracing.js';

export interface Fired {
  readonly job: Job;
  /** The first attempts of the occurrences fired, queued. */
  readonly executions: Execution[];
  readonly skipped: number;
  /** Slots that did not fire, for the occurrence ledger (written in the firing transaction). */
  readonly dropped: readonly LedgerRun[];
}

/**
 * Fires a due job: the domain says which occurrences start (overlap and catch-up policies), and
 * each gets its first attempt, numbered after the job's earlier executions. The dispatcher fires
 * what came due; CreateJobs fires a one-shot that is due the moment it is created.
 */
export function fireJob(job: Job, now: Date, misfireGraceMs: number, ids: IdGenerator, asOf: Date = now): Fired {
  const fired = fireDueJob(job, now, misfireGraceMs, asOf);
  const executions = fired.occurrences.map(({ occurrenceAt, scheduledAt, windowClosesAt }, i) =>
    queuedExecution(job, { id: ids.newId(), number: job.executionCount + i + 1, occurrenceAt, attempt: 1, trigger: 'schedule', scheduledAt, windowClosesAt }, now),
  );
  return { job: fired.job, executions, skipped: fired.skipped, dropped: fired.dropped };
}

/** A one-shot due when it is created goes straight into the queue: no dispatcher pass. */
export function firesOnCreation(definition: Pick<JobDefinition, 'schedule'>, now: Date): boolean {
  return definition.schedule.kind === 'once' && (definition.schedule.at === undefined || definition.schedule.at <= now);
}

/**
 * Each fired execution gets a fire span and carries its context to the worker. A call that fires
 * (CreateJob of a one-shot due now, RunJob, RetryJob) puts the span in the caller's trace; the
 * dispatcher starts a trace per occurrence, linked to the trace that created the job, so a
 * recurring job's runs are traces of their own.
 */
export function traceFired(tracing: Tracing, job: Job, executions: Execution[], by: 'call' | 'dispatcher'): Execution[] {
  if (!tracing.enabled) return executions;
  return executions.map((execution) => {
    const traceContext = tracing.mark(
      'jobscheduler.fire',
      { 'jobscheduler.job.id': job.id, 'jobscheduler.job.type': job.type, 'jobscheduler.execution.id': execution.id, 'jobscheduler.execution.attempt': execution.attempt, 'jobscheduler.execution.trigger': execution.trigger },
      by === 'dispatcher' ? { root: true, links: [job.traceContext] } : {},
    );
    return traceContext ? { ...execution, traceContext } : execution;
  });
}
