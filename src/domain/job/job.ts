import type { TraceContext } from '../trace-context.js';
import type { Dependency } from '../dependency/dependency.js';
import type { JsonObject } from '../json.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { Schedule } from '../schedule/schedule.js';
import type { JobState } from './job-state.js';
import type { ExecutionWindows } from '../window/execution-windows.js';

export type OverlapPolicy = 'skip' | 'allow';
export type CatchUpPolicy = 'skip' | 'run_once' | 'run_all';

/** What a user defines. Durations in milliseconds. */
export interface JobDefinition {
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly payload: JsonObject;
  readonly schedule: Schedule;
  readonly retryPolicy: RetryPolicy;
  readonly attemptTimeoutMs: number | undefined;
  readonly priority: number;
  readonly overlapPolicy: OverlapPolicy;
  readonly catchUpPolicy: CatchUpPolicy;
  readonly catchUpWindowMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Recurring jobs: pause after this many consecutive failed occurrences; 0 never does. */
  readonly pauseAfterConsecutiveFailures: number;
  /** Dead-man's switch: a success is expected within this long of the last one (or of creation). */
  readonly expectSuccessWithinMs: number | undefined;
  /** Upstream jobs: the job fires each time all of them ended an occurrence as their conditions ask. */
  readonly dependsOn: readonly Dependency[];
  /** When clock fire times may run; undefined means always. */
  readonly executionWindows: ExecutionWindows | undefined;
}

/** A job: its definition plus the state the scheduler keeps. Immutable; operations return a new one. */
export interface Job extends JobDefinition {
  readonly id: string;
  readonly state: JobState;
  /** When the next occurrence is due; undefined when nothing will fire on its own. */
  readonly nextRunAt: Date | undefined;
  /** Incremented by every change; the compare-and-set key of every write. */
  readonly version: number;
  /** Occurrences fired and not yet settled (an attempt queued, running or waiting for a retry). */
  readonly activeOccurrences: number;
  /** Executions created so far; the next execution's number is executionCount + 1. */
  readonly executionCount: number;
  readonly consecutiveFailures: number;
  readonly lastError: string;
  /** When an occurrence of the job last fired. */
  readonly lastRunAt: Date | undefined;
  readonly lastSuccessAt: Date | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly pausedAt: Date | undefined;
  readonly cancelledAt: Date | undefined;
  readonly finishedAt: Date | undefined;
  /** The trace of the call that created the job; a recurring job's runs link to it. */
  readonly traceContext?: TraceContext;
  /** Some job depends on this one: settling an occurrence looks for downstream jobs to fire. */
  readonly hasDownstream: boolean;
}

/**
 * A job read without its payload, for work that never looks at it (settling an occurrence when
 * an attempt ends): a payload of up to 256 KiB is then neither read nor parsed per outcome.
 * Only state-scoped writes accept it.
 */
export type JobWithoutPayload = Omit<Job, 'payload'>;

/** The definition part of a job, as a user wrote it. */
export function definitionOf(job: JobDefinition): JobDefinition {
  const { name, type, description, payload, schedule, retryPolicy, attemptTimeoutMs, priority, overlapPolicy, catchUpPolicy, catchUpWindowMs, labels, pauseAfterConsecutiveFailures, expectSuccessWithinMs, dependsOn, executionWindows } = job;
  return { name, type, description, payload, schedule, retryPolicy, attemptTimeoutMs, priority, overlapPolicy, catchUpPolicy, catchUpWindowMs, labels, pauseAfterConsecutiveFailures, expectSuccessWithinMs, dependsOn, executionWindows };
}

export function isRecurring(job: Pick<Job, 'schedule'>): boolean {
  return job.schedule.kind !== 'once';
}
