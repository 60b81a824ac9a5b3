import { DomainError } from '../../domain/errors.js';
import { jobDefinition, type DefinitionLimits, type JobDefinitionInput } from '../../domain/job/job-definition.js';
import { rescheduleJob } from '../../domain/job/job-operations.js';
import { definitionOf, type Job } from '../../domain/job/job.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { storeDependencies } from '../dependencies/store-dependencies.js';

/** The definition fields UpdateJob may change, by their API names. */
export const UPDATABLE_FIELDS = {
  name: 'name',
  type: 'type',
  description: 'description',
  payload: 'payload',
  schedule: 'schedule',
  retry_policy: 'retryPolicy',
  attempt_timeout: 'attemptTimeoutMs',
  priority: 'priority',
  overlap_policy: 'overlapPolicy',
  catch_up_policy: 'catchUpPolicy',
  catch_up_window: 'catchUpWindowMs',
  labels: 'labels',
  pause_after_consecutive_failures: 'pauseAfterConsecutiveFailures',
  expect_success_within: 'expectSuccessWithinMs',
  depends_on: 'dependsOn',
  execution_windows: 'executionWindows',
} as const satisfies Record<string, keyof JobDefinitionInput>;

export type UpdatableField = keyof typeof UPDATABLE_FIELDS;

export interface UpdateJobCommand {
  readonly id: string;
  /** The new values; only the fields named in `fields` are read. */
  readonly values: JobDefinitionInput;
  readonly fields: readonly UpdatableField[];
  readonly expectedVersion: number | undefined;
}

/**
 * UpdateJob: changes the named definition fields, never the state. The result is validated as a
 * whole, like a new job. A schedule change re-arms a waiting job at once (reschedule in the
 * state machine); a stale expected version is a conflict (ABORTED).
 */
export class UpdateJob {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wakeUps: WakeUps,
    private readonly limits: DefinitionLimits,
    /** A job due within this long wakes the dispatchers, which may be planning to sleep past it. */
    private readonly soonMs = 0,
  ) {}

  async execute(command: UpdateJobCommand): Promise<Job> {
    const now = this.clock.now();
    const updated = await this.store.transaction(async (tx) => {
      const [job] = await tx.jobs.lock([command.id]);
      if (!job) throw DomainError.notFound(`job ${command.id} does not exist`);
      if (command.expectedVersion !== undefined && command.expectedVersion !== job.version) {
        throw DomainError.conflict(`job ${command.id} is at version ${job.version}, not the expected ${command.expectedVersion}; read it again and reapply the change`);
      }
      if (job.state === 'cancelled') throw DomainError.illegalTransition(`cannot update job ${command.id}: it is cancelled, and cancelled jobs cannot be changed`);
      const merged = merge(job, command);
      const definition = jobDefinition(merged, this.limits);
      const scheduleChanged = command.fields.includes('schedule');
      const next: Job = scheduleChanged
        ? rescheduleJob({ ...job, ...definition }, definition.schedule, now)
        : { ...job, ...definition, version: job.version + 1, updatedAt: now };
      const written = await tx.jobs.update([{ job: next, expectedVersion: job.version }]);
      if (!written.has(job.id)) throw DomainError.conflict(`job ${command.id} changed concurrently; retry`);
      if (command.fields.includes('depends_on')) await storeDependencies(tx, next, 'job', job.dependsOn.length > 0);
      return next;
    });
    if (updated.nextRunAt !== undefined && updated.nextRunAt.getTime() <= now.getTime() + this.soonMs) this.wakeUps.jobsDue();
    return updated;
  }
}

function merge(job: Job, command: UpdateJobCommand): JobDefinitionInput {
  const merged: Record<string, unknown> = { ...definitionOf(job) };
  for (const field of command.fields) merged[UPDATABLE_FIELDS[field]] = command.values[UPDATABLE_FIELDS[field]];
  return merged as unknown as JobDefinitionInput;
}
