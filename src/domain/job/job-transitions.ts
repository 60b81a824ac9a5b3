import { DomainError } from '../errors.js';
import { JOB_STATES, type JobOperation, type JobState } from './job-state.js';

/**
 * THE job state machine: for each state, the operations allowed in it and the states each may
 * lead to. Every operation in job-operations.ts goes through transition() below, so nothing can
 * move a job along an edge that is not here. docs/state-machines.md draws this table.
 *
 * - fire: the dispatcher starts a due occurrence (creates its first execution).
 * - skip: due occurrences are dropped (overlap SKIP while one is active, or catch-up SKIP after
 *   downtime or a pause) and next_run_at moves on; if they were the schedule's last, the job
 *   completes.
 * - runNow: an operator's extra run (RunJob), outside the schedule.
 * - pause / resume / cancel: operator control. Pause stops new occurrences; what runs finishes.
 * - retry: an operator's RetryJob of a failed one-shot job: a new occurrence now.
 * - reschedule: the schedule changed (UpdateJob); next_run_at is recomputed.
 * - attemptFailed: an attempt failed and the retry policy queued another attempt.
 * - settle: an occurrence ended (succeeded, failed for good, or was cancelled).
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, Partial<Record<JobOperation, readonly JobState[]>>>> = {
  pending: {
    fire: ['running'],
    // To completed when the dropped occurrences were the schedule's last.
    skip: ['scheduled', 'completed'],
    runNow: ['running'],
    pause: ['paused'],
    cancel: ['cancelled'],
    reschedule: ['pending', 'scheduled'],
  },
  scheduled: {
    fire: ['running'],
    skip: ['scheduled', 'completed'],
    runNow: ['running'],
    pause: ['paused'],
    cancel: ['cancelled'],
    reschedule: ['pending', 'scheduled'],
  },
  running: {
    fire: ['running'],
    skip: ['running'],
    runNow: ['running'],
    pause: ['paused'],
    cancel: ['cancelled'],
    reschedule: ['running'],
    attemptFailed: ['running'],
    // Recurring: back to scheduled (or paused after too many consecutive failures, or completed
    // when its schedule has ended); one-shot: completed or failed; still running while other
    // occurrences are active.
    settle: ['scheduled', 'completed', 'failed', 'paused', 'running'],
  },
  paused: {
    runNow: ['paused'],
    resume: ['pending', 'scheduled', 'running'],
    cancel: ['cancelled'],
    reschedule: ['paused'],
    attemptFailed: ['paused'],
    // A one-shot whose only occurrence ends while paused has nothing left to hold back.
    settle: ['paused', 'completed', 'failed'],
  },
  completed: {
    runNow: ['running'],
    reschedule: ['completed'],
  },
  failed: {
    runNow: ['running'],
    retry: ['running'],
    reschedule: ['failed'],
  },
  cancelled: {},
};

/** Whether some operation leads from one state to another: the 49-pair view of the table. */
export function canTransition(from: JobState, to: JobState): boolean {
  return Object.values(JOB_TRANSITIONS[from]).some((targets) => targets.includes(to));
}

/** Whether an operation is allowed in a state at all. */
export function isAllowed(operation: JobOperation, from: JobState): boolean {
  return JOB_TRANSITIONS[from][operation] !== undefined;
}

const VERB: Record<JobOperation, string> = {
  fire: 'fire',
  skip: 'skip an occurrence of',
  runNow: 'run',
  pause: 'pause',
  resume: 'resume',
  cancel: 'cancel',
  retry: 'retry',
  reschedule: 'reschedule',
  attemptFailed: 'retry an attempt of',
  settle: 'settle an occurrence of',
};

/**
 * Where a refusal alone would send a person the wrong way: a recurring job that failed too often
 * is paused, not failed, and the contract once said otherwise, so RetryJob on it says what works.
 */
const INSTEAD: Partial<Record<JobOperation, Partial<Record<JobState, string>>>> = {
  retry: { paused: 'resume a paused job to continue it' },
};

/** Checks one step against the table; an illegal one is a domain error naming both states. */
export function transition(operation: JobOperation, from: JobState, to: JobState): JobState {
  const targets = JOB_TRANSITIONS[from][operation];
  if (targets === undefined) {
    const allowedFrom = JOB_STATES.filter((state) => isAllowed(operation, state));
    const instead = INSTEAD[operation]?.[from];
    throw DomainError.illegalTransition(
      `cannot ${VERB[operation]} a job that is ${from} (${operation} is allowed only when ${allowedFrom.join(', ') || 'never'}${instead ? `; ${instead}` : ''})`,
    );
  }
  if (!targets.includes(to)) {
    throw DomainError.illegalTransition(`cannot ${VERB[operation]} a job that is ${from}: ${from} → ${to} is not a legal transition`);
  }
  return to;
}
