import { nextFireTime } from '../schedule/next-fire-time.js';
import type { Schedule } from '../schedule/schedule.js';
import type { CatchUpPolicy, OverlapPolicy } from '../job/job.js';

export interface FiringInput {
  readonly schedule: Schedule;
  /** The job's creation time: the default anchor of intervals. */
  readonly origin: Date;
  /** The job's next_run_at, which is due (≤ now). */
  readonly dueAt: Date;
  readonly now: Date;
  readonly catchUp: CatchUpPolicy;
  readonly catchUpWindowMs: number;
  readonly overlap: OverlapPolicy;
  readonly activeOccurrences: number;
  /** An occurrence later than this is "missed" and handled by the catch-up policy. */
  readonly misfireGraceMs: number;
}

/** A run of consecutive slots dropped for one reason: what the occurrence ledger records. */
export interface DroppedSlots {
  readonly reason: 'missed' | 'overlap' | 'window';
  readonly first: Date;
  readonly last: Date;
  readonly count: number;
}

export interface FiringPlan {
  /** Occurrence times to start now, oldest first. */
  readonly fire: readonly Date[];
  /** How many due occurrences were dropped (counting at most MAX_DUE of a long backlog). */
  readonly skipped: number;
  /** The dropped ones, as at most two runs: those missed (older), then those skipped by the overlap policy. */
  readonly dropped: readonly DroppedSlots[];
  /** The next occurrence after now; undefined when the schedule has no more. */
  readonly nextRunAt: Date | undefined;
}

/** Enumerating a backlog stops here; older occurrences of a longer one are not even counted. */
export const MAX_DUE = 10_000;

/**
 * Which due occurrences of a recurring job to start, given how late they are and what is still
 * running. One-shot jobs never get here: their single occurrence always fires, however late.
 *
 * Catch-up (for occurrences older than the misfire grace, after downtime or a pause):
 *   SKIP     drop them; fire only an occurrence that is still on time.
 *   RUN_ONCE fire one run, for the latest due occurrence, and drop the rest.
 *   RUN_ALL  fire every due occurrence within the catch-up window, drop older ones.
 * Overlap SKIP: while an occurrence is active, nothing due now starts (all are skipped). The
 * batch RUN_ALL starts is not checked against itself: its occurrences are queued together.
 * next_run_at always moves to the first fire time after now, so a backlog is never re-planned.
 */
export function planFiring(input: FiringInput): FiringPlan {
  const lookbackMs = input.catchUp === 'run_all' ? Math.max(input.catchUpWindowMs, input.misfireGraceMs) : input.misfireGraceMs;
  const horizon = new Date(input.now.getTime() - lookbackMs);
  // Occurrences older than the horizon can only be skipped, or be RUN_ONCE's single late run.
  const old = input.dueAt < horizon ? occurrences(input, input.dueAt, horizon, true) : [];
  const recent = occurrences(input, input.dueAt < horizon ? firstAtOrAfter(input, horizon) : input.dueAt, input.now, false);
  const candidates = input.catchUp === 'run_once' ? [recent.at(-1) ?? old.at(-1)].filter((time) => time !== undefined) : recent;
  const blocked = input.overlap === 'skip' && input.activeOccurrences > 0;
  const fire = blocked ? [] : candidates;
  // Candidates are always the newest due slots, so what is missed is the run before them.
  const due = [...old, ...recent];
  const missed = due.slice(0, due.length - candidates.length);
  return {
    fire,
    skipped: old.length + recent.length - fire.length,
    dropped: [run('missed', missed), run('overlap', blocked ? candidates : [])].filter((r) => r !== undefined),
    nextRunAt: nextFireTime(input.schedule, input.now, input.origin),
  };
}

export function run(reason: DroppedSlots['reason'], slots: readonly Date[]): DroppedSlots | undefined {
  const [first, last] = [slots[0], slots.at(-1)];
  return first && last ? { reason, first, last, count: slots.length } : undefined;
}

/** Fire times from `first` up to `until` (exclusive or inclusive), at most MAX_DUE of them. */
function occurrences(input: FiringInput, first: Date | undefined, until: Date, exclusive: boolean): Date[] {
  const found: Date[] = [];
  let next = first;
  while (next && (exclusive ? next < until : next <= until) && found.length < MAX_DUE) {
    found.push(next);
    next = nextFireTime(input.schedule, next, input.origin);
  }
  return found;
}

function firstAtOrAfter(input: FiringInput, instant: Date): Date | undefined {
  return nextFireTime(input.schedule, new Date(instant.getTime() - 1), input.origin);
}
