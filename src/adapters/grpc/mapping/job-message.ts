import type { JobDefinitionInput } from '../../../domain/job/job-definition.js';
import type { JobState as DomainState } from '../../../domain/job/job-state.js';
import type { CatchUpPolicy as DomainCatchUp, Job, JobWithoutPayload, OverlapPolicy as DomainOverlap } from '../../../domain/job/job.js';
import { parseSchedule } from '../../../domain/schedule/parse-schedule.js';
import { DomainError } from '../../../domain/errors.js';
import { CatchUpPolicy, DependencyCondition, JobState, JobView, OverlapPolicy, type Job as WireJob } from '../../../gen/jobscheduler/v1/job_pb.js';
import type { DependencyCondition as DomainCondition } from '../../../domain/dependency/dependency.js';
import { scheduleInput, scheduleMessage } from './schedule-message.js';
import { windowsInput, windowsMessage } from './window-message.js';
import { duration, msFrom, reverseOf, timestamp, withinField } from './wire-values.js';

export const STATE_TO_WIRE: Readonly<Record<DomainState, JobState>> = {
  pending: JobState.PENDING,
  scheduled: JobState.SCHEDULED,
  running: JobState.RUNNING,
  paused: JobState.PAUSED,
  completed: JobState.COMPLETED,
  failed: JobState.FAILED,
  cancelled: JobState.CANCELLED,
};

const STATE_FROM_WIRE = reverseOf(STATE_TO_WIRE);

export type JobViewName = 'full' | 'basic';

/** JobView on the wire; unset is FULL. */
export function viewFromWire(field: string, view: JobView): JobViewName {
  if (view === JobView.UNSPECIFIED || view === JobView.FULL) return 'full';
  if (view === JobView.BASIC) return 'basic';
  throw DomainError.invalidArgument(`${field} has an unknown value (${view}): JOB_VIEW_FULL or JOB_VIEW_BASIC`);
}

export function stateFromWire(field: string, state: JobState): DomainState {
  const found = STATE_FROM_WIRE.get(state);
  if (found === undefined) throw DomainError.invalidArgument(`${field} has an unknown or unspecified job state (${state})`);
  return found;
}

const OVERLAP: Readonly<Record<DomainOverlap, OverlapPolicy>> = { skip: OverlapPolicy.SKIP, allow: OverlapPolicy.ALLOW };
const CATCH_UP: Readonly<Record<DomainCatchUp, CatchUpPolicy>> = { skip: CatchUpPolicy.SKIP, run_once: CatchUpPolicy.RUN_ONCE, run_all: CatchUpPolicy.RUN_ALL };
const CONDITION: Readonly<Record<DomainCondition, DependencyCondition>> = {
  success: DependencyCondition.SUCCESS,
  failure: DependencyCondition.FAILURE,
  completion: DependencyCondition.COMPLETION,
};
const CONDITION_FROM_WIRE = reverseOf(CONDITION);
const OVERLAP_FROM_WIRE = reverseOf(OVERLAP);
const CATCH_UP_FROM_WIRE = reverseOf(CATCH_UP);

function fromWire<D extends string>(field: string, table: ReadonlyMap<number, D>, value: number): D | undefined {
  if (value === 0) return undefined;
  const found = table.get(value);
  if (found === undefined) throw DomainError.invalidArgument(`${field} has an unknown value (${value})`);
  return found;
}

/** The input fields of a wire Job, unvalidated; jobDefinition() and parseSchedule() judge them. */
export function definitionInput(job: WireJob | undefined, field = 'job'): JobDefinitionInput {
  if (!job) throw DomainError.invalidArgument(`${field} is required`);
  const policy = job.retryPolicy;
  return {
    name: job.name,
    type: job.type,
    description: job.description,
    payload: job.payload,
    schedule: withinField(`${field}.`, ['schedule'], () => parseSchedule(scheduleInput(job.schedule, `${field}.schedule`))),
    retryPolicy: policy && {
      maxRetries: policy.maxRetries,
      initialBackoffMs: msFrom(`${field}.retry_policy.initial_backoff`, policy.initialBackoff),
      maxBackoffMs: msFrom(`${field}.retry_policy.max_backoff`, policy.maxBackoff),
      multiplier: policy.multiplier,
      jitter: policy.jitter,
    },
    attemptTimeoutMs: msFrom(`${field}.attempt_timeout`, job.attemptTimeout),
    priority: job.priority,
    overlapPolicy: fromWire(`${field}.overlap_policy`, OVERLAP_FROM_WIRE, job.overlapPolicy),
    catchUpPolicy: fromWire(`${field}.catch_up_policy`, CATCH_UP_FROM_WIRE, job.catchUpPolicy),
    catchUpWindowMs: msFrom(`${field}.catch_up_window`, job.catchUpWindow),
    labels: job.labels,
    pauseAfterConsecutiveFailures: job.pauseAfterConsecutiveFailures,
    expectSuccessWithinMs: msFrom(`${field}.expect_success_within`, job.expectSuccessWithin),
    executionWindows: windowsInput(job.executionWindows, `${field}.execution_windows`),
    dependsOn: job.dependsOn.map((d, i) => ({ jobId: d.jobId, condition: fromWire(`${field}.depends_on[${i}].condition`, CONDITION_FROM_WIRE, d.condition) })),
  };
}

/**
 * The one mapping from a domain Job to the wire message. It builds the message itself, every
 * field set, as executionMessage does: create() returns a message as it is, and walked the
 * schema for each init shape (a BatchCreateJobs answer holds up to 1,000 jobs).
 */
export function jobMessage(job: JobWithoutPayload & { readonly payload?: Job['payload'] }, view: JobViewName = 'full'): WireJob {
  return {
    $typeName: 'jobscheduler.v1.Job',
    id: job.id,
    name: job.name,
    type: job.type,
    payload: view === 'full' ? job.payload : undefined,
    schedule: scheduleMessage(job.schedule),
    retryPolicy: {
      $typeName: 'jobscheduler.v1.RetryPolicy',
      maxRetries: job.retryPolicy.maxRetries,
      initialBackoff: duration(job.retryPolicy.initialBackoffMs),
      maxBackoff: duration(job.retryPolicy.maxBackoffMs),
      multiplier: job.retryPolicy.multiplier,
      jitter: job.retryPolicy.jitter,
    },
    attemptTimeout: duration(job.attemptTimeoutMs),
    priority: job.priority,
    overlapPolicy: OVERLAP[job.overlapPolicy],
    catchUpPolicy: CATCH_UP[job.catchUpPolicy],
    catchUpWindow: duration(job.catchUpWindowMs),
    labels: { ...job.labels },
    pauseAfterConsecutiveFailures: job.pauseAfterConsecutiveFailures,
    expectSuccessWithin: duration(job.expectSuccessWithinMs),
    description: job.description,
    state: STATE_TO_WIRE[job.state],
    nextRunAt: timestamp(job.nextRunAt),
    version: BigInt(job.version),
    executionCount: BigInt(job.executionCount),
    consecutiveFailures: job.consecutiveFailures,
    lastError: job.lastError,
    lastRunAt: timestamp(job.lastRunAt),
    lastSuccessAt: timestamp(job.lastSuccessAt),
    createdAt: timestamp(job.createdAt),
    updatedAt: timestamp(job.updatedAt),
    pausedAt: timestamp(job.pausedAt),
    cancelledAt: timestamp(job.cancelledAt),
    finishedAt: timestamp(job.finishedAt),
    traceParent: job.traceContext?.traceparent ?? '',
    dependsOn: job.dependsOn.map((d) => ({ $typeName: 'jobscheduler.v1.JobDependency', jobId: d.jobId, condition: CONDITION[d.condition] })),
    executionWindows: windowsMessage(job.executionWindows),
  };
}
