import { utcOffsetAt, wallClockAt } from './time-zone.js';

/**
 * The two questions the cron DST rule needs answered about a zone, in naive wall-clock
 * milliseconds (see time-zone.ts). Both are defined for any zone history, so the rule holds for
 * one-hour shifts, Lord Howe's half hour and whole skipped days alike:
 *
 * - firstInstantReaching(W): the first instant at which the wall clock shows W or later. For an
 *   ordinary W that is the instant showing W; for a W shown twice, the first of the two; for a W
 *   skipped by a gap, the first instant after the gap.
 * - wallClockHighWaterMark(t): the latest wall-clock time shown at or before t. It is t's own
 *   wall-clock time, except while the clock repeats times after a backward shift.
 *
 * A wall-clock time W has fired by instant t exactly when W ≤ wallClockHighWaterMark(t).
 */

const DAY_MS = 86_400_000;
/** Wider than any UTC offset the tz database has ever had, so it brackets every answer. */
const SEARCH_SPAN_MS = 30 * 3_600_000;

export function firstInstantReaching(zone: string, wall: number): number {
  const candidates = candidateOffsets(zone, wall).map((offset) => wall - offset);
  const exact = candidates.filter((instant) => wallClockAt(zone, instant) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // No instant shows `wall`: it lies in a gap, and the answer is the instant the gap ends.
  const before = candidates.filter((instant) => wallClockAt(zone, instant) < wall);
  const lower = before.length > 0 ? Math.max(...before) : wall - SEARCH_SPAN_MS;
  const after = candidates.filter((instant) => instant > lower && wallClockAt(zone, instant) > wall);
  const upper = after.length > 0 ? Math.min(...after) : wall + SEARCH_SPAN_MS;
  return firstInstantWhere(lower, upper, (instant) => wallClockAt(zone, instant) >= wall);
}

export function wallClockHighWaterMark(zone: string, instant: number): number {
  const wall = wallClockAt(zone, instant);
  const firstLater = firstInstantReaching(zone, wall + 1);
  if (firstLater > instant) return wall;
  // The clock showed later times before `instant` and was set back since; the latest of them is
  // the one just before that shift.
  const offsetBefore = utcOffsetAt(zone, firstLater);
  const shift = firstInstantWhere(firstLater, instant, (t) => utcOffsetAt(zone, t) !== offsetBefore);
  return wallClockAt(zone, shift - 1);
}

/**
 * The offsets an instant showing `wall` could have. Probing a day either side catches the
 * offsets around a transition; the refinement adds the offset at each resulting candidate, which
 * is the one that matters if the probes straddle more than one transition.
 */
function candidateOffsets(zone: string, wall: number): number[] {
  const offsets = new Set([wall - DAY_MS, wall, wall + DAY_MS].map((probe) => utcOffsetAt(zone, probe)));
  for (const offset of [...offsets]) offsets.add(utcOffsetAt(zone, wall - offset));
  return [...offsets];
}

/** The least t in (lower, upper] with test(t), given !test(lower), test(upper) and one change in between. */
function firstInstantWhere(lower: number, upper: number, test: (instant: number) => boolean): number {
  let [low, high] = [lower, upper];
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (test(middle)) high = middle;
    else low = middle;
  }
  return high;
}
