import { DomainError } from '../errors.js';
import { LATEST_INSTANT_MS } from '../instants.js';
import { nextCronMatch } from './cron.js';
import { nextIntervalFireMs } from './interval.js';
import type { CronSchedule, Schedule } from './schedule.js';
import { firstInstantReaching, wallClockHighWaterMark } from './wall-clock.js';

/**
 * When a schedule fires. `origin` is the job's creation time: the instant of a once schedule
 * without `at`, the default anchor of an interval, and the earliest an interval may fire (never
 * at or before it). Cron fire times do not depend on it.
 *
 * A once schedule fires at `at ?? origin` even when that lies before `origin` (a past `at` is due
 * at once), so the first run of any job is nextFireTime(schedule, origin - 1 ms, origin).
 *
 * Every schedule ends at the last supported instant (instants.ts): a later fire time could be
 * neither stored nor sent as a Timestamp, so there is none.
 */

/** The first fire time strictly after `after`, or undefined if there is none. */
export function nextFireTime(schedule: Schedule, after: Date, origin: Date): Date | undefined {
  const next = nextFireMs(schedule, validTime('after', after), validTime('origin', origin));
  return next === undefined || next > LATEST_INSTANT_MS ? undefined : new Date(next);
}

/** The fire times in (afterExclusive, untilInclusive], in order, at most `limit` of them. */
export function fireTimesBetween(schedule: Schedule, afterExclusive: Date, untilInclusive: Date, origin: Date, limit: number): Date[] {
  if (!Number.isInteger(limit) || limit < 0) throw DomainError.invalidArgument(`limit must be a whole number of at least 0, got ${limit}`);
  const until = validTime('untilInclusive', untilInclusive);
  const times: Date[] = [];
  let cursor: Date | undefined = afterExclusive;
  while (times.length < limit) {
    cursor = nextFireTime(schedule, cursor, origin);
    if (cursor === undefined || cursor.getTime() > until) break;
    times.push(cursor);
  }
  return times;
}

/** The next `count` fire times strictly after `after` (fewer if the schedule ends). */
export function nextFireTimes(schedule: Schedule, after: Date, origin: Date, count: number): Date[] {
  return fireTimesBetween(schedule, after, new Date(LATEST_INSTANT_MS), origin, count);
}

function nextFireMs(schedule: Schedule, after: number, origin: number): number | undefined {
  switch (schedule.kind) {
    case 'once': {
      const at = schedule.at?.getTime() ?? origin;
      return at > after ? at : undefined;
    }
    case 'interval':
      return nextIntervalFireMs(schedule, after, origin);
    case 'cron':
      return nextCronFireMs(schedule, after);
    case 'after_upstream':
      return undefined;
  }
}

/**
 * Each matching wall-clock time fires once, at the first instant the zone's clock reaches it:
 * skipped times fire when the gap ends, repeated times on their first occurrence. So the next
 * fire is the first match later than any wall-clock time already shown.
 */
function nextCronFireMs(schedule: CronSchedule, after: number): number | undefined {
  const key = `${schedule.timeZone} ${after} ${schedule.expression}`;
  const known = cronFireTimes.get(key);
  if (known !== undefined || cronFireTimes.has(key)) return known;
  const wall = nextCronMatch(schedule.expression, wallClockHighWaterMark(schedule.timeZone, after));
  const next = wall === undefined ? undefined : firstInstantReaching(schedule.timeZone, wall);
  if (cronFireTimes.size >= CRON_FIRE_TIMES_KEPT) cronFireTimes.clear();
  cronFireTimes.set(key, next);
  return next;
}

/**
 * Answers of nextCronFireMs, which is a pure function of zone, instant and expression. Each answer
 * costs a few dozen Intl formatToParts calls (about 0.3 ms here), and the jobs a dispatcher pass
 * fires together mostly ask the same question: every job with the same expression and zone that
 * came due at one instant. A cache, not state: it never changes an answer.
 */
const cronFireTimes = new Map<string, number | undefined>();
const CRON_FIRE_TIMES_KEPT = 10_000;

/** The instant's milliseconds, or a domain error naming the field when it is not a valid Date. */
export function validTime(name: string, value: Date): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw DomainError.invalidArgument(`${name} is not a valid time`);
  return ms;
}
