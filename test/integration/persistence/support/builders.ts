import { randomUUID } from 'node:crypto';
import { cancelExecution, failExecution, startExecution, succeedExecution } from '../../../../src/domain/execution/execution-operations.js';
import type { ExecutionStatus } from '../../../../src/domain/execution/execution-status.js';
import { queuedExecution, type Execution } from '../../../../src/domain/execution/execution.js';
import { jobDefinition, type JobDefinitionInput } from '../../../../src/domain/job/job-definition.js';
import { cancelJob, createJob, fireDueJob, pauseJob, settleOccurrence } from '../../../../src/domain/job/job-operations.js';
import type { JobState } from '../../../../src/domain/job/job-state.js';
import type { Job } from '../../../../src/domain/job/job.js';

/**
 * Valid jobs and executions for store tests, built only through the domain's own operations so
 * every row is one the service could really write (and the table's CHECKs agree with the domain).
 */
export const T0 = new Date('2026-01-05T09:00:00.000Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** UUIDs whose order is known (uuid order in PostgreSQL = lowercase hex order in JavaScript). */
export function orderedId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function newJob(input: Partial<JobDefinitionInput> = {}, options: { id?: string; now?: Date } = {}): Job {
  const definition = jobDefinition(
    { name: 'crawl example.org', type: 'crawl', schedule: { kind: 'interval', every: 5, unit: 'minutes', anchor: undefined }, ...input },
    { maxPayloadBytes: 65_536 },
  );
  return createJob(options.id ?? randomUUID(), definition, options.now ?? T0);
}

/** A job in the given state, reached by the same operations the engine uses. */
export function jobInState(state: JobState, options: { id?: string; now?: Date; type?: string } = {}): Job {
  const now = options.now ?? T0;
  const type = options.type ?? 'crawl';
  const once = (): Job => newJob({ type, schedule: { kind: 'once', at: undefined } }, { ...options, now });
  const recurring = (): Job => newJob({ type, labels: { tier: 'gold' } }, { ...options, now });
  switch (state) {
    case 'pending':
      return once();
    case 'scheduled':
      return recurring();
    case 'running':
      return fireDueJob(once(), now, MINUTE).job;
    case 'paused':
      return pauseJob(recurring(), now);
    case 'completed':
      return settleOccurrence(fireDueJob(once(), now, MINUTE).job, 'succeeded', at(MINUTE));
    case 'failed':
      return settleOccurrence(fireDueJob(once(), now, MINUTE).job, 'failed', at(MINUTE), 'boom');
    case 'cancelled':
      return cancelJob(recurring(), now);
  }
}

export interface ExecutionOptions {
  number: number;
  status?: ExecutionStatus;
  occurrenceAt?: Date;
  attempt?: number;
  queuedAt?: Date;
  scheduledAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  leaseDurationMs?: number;
  leaseToken?: string;
  id?: string;
}

/** An execution of `job` in any status; times default to minutes after T0 derived from the number. */
export function executionOf(job: Job, options: ExecutionOptions): Execution {
  const occurrenceAt = options.occurrenceAt ?? at(options.number * MINUTE);
  const queuedAt = options.queuedAt ?? occurrenceAt;
  const queued = queuedExecution(
    job,
    { id: options.id ?? randomUUID(), number: options.number, occurrenceAt, attempt: options.attempt ?? 1, trigger: 'schedule', scheduledAt: options.scheduledAt ?? queuedAt },
    queuedAt,
  );
  const status = options.status ?? 'queued';
  if (status === 'queued') return queued;
  const finishedAt = options.finishedAt ?? new Date((options.startedAt ?? queuedAt).getTime() + 1_500);
  if (status === 'cancelled' && options.startedAt === undefined) return cancelExecution(queued, finishedAt, 'cancelled by an operator');
  const startedAt = options.startedAt ?? new Date(queuedAt.getTime() + 500);
  const running = startExecution(queued, 'worker-1', options.leaseToken ?? randomUUID(), options.leaseDurationMs ?? 30_000, startedAt);
  switch (status) {
    case 'running':
      return running;
    case 'succeeded':
      return succeedExecution(running, finishedAt, { pages: 3 });
    case 'cancelled':
      return cancelExecution(running, finishedAt, 'cancelled by an operator');
    case 'failed':
    case 'timed_out':
    case 'lost':
      return failExecution(running, status, { message: `${status}!`, details: { code: 7 }, retryable: status !== 'failed' }, finishedAt);
  }
}
