/**
 * The contract's DST rule written the slow, obvious way, for property tests to compare against:
 * scan instants one by one and decide from the zone's wall clock whether each should fire.
 */
import type { CronMatcher } from './cron-matcher.js';
import { localTime, wallFields, type WallFields } from './zone-clock.js';

/** The overlaps of the zones under test last 30 or 60 minutes. */
const OVERLAP_LENGTHS_MS = [30 * 60_000, 60 * 60_000];

/**
 * Whether instant `s` (a whole minute, or a whole second for 6-field expressions) must be a fire
 * time: its wall-clock time matches and is shown for the first time, or `s` ends a gap in which
 * some skipped wall-clock time matches.
 */
export function shouldFire(zone: string, matcher: CronMatcher, s: number): boolean {
  if (matcher.matches(wallFields(zone, s)) && !repeatsEarlierTime(zone, s)) return true;
  return skippedJustBefore(zone, s, stepOf(matcher)).some((fields) => matcher.matches(fields));
}

export function stepOf(matcher: CronMatcher): number {
  return matcher.hasSeconds ? 1_000 : 60_000;
}

function repeatsEarlierTime(zone: string, s: number): boolean {
  return OVERLAP_LENGTHS_MS.some((length) => localTime(zone, s - length) === localTime(zone, s));
}

/** The wall-clock times skipped between s - step and s, if the clock jumped forward there. */
export function skippedJustBefore(zone: string, s: number, step: number): WallFields[] {
  const before = naive(wallFields(zone, s - step));
  const now = naive(wallFields(zone, s));
  const skipped: WallFields[] = [];
  for (let wall = before + step; wall < now; wall += step) skipped.push(fieldsOfNaive(wall));
  return skipped;
}

/** Wall-clock fields as UTC milliseconds, so they can be stepped through with plain arithmetic. */
export function naive(f: WallFields): number {
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
}

export function fieldsOfNaive(wall: number): WallFields {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

export function formatNaive(wall: number): string {
  return new Date(wall).toISOString().slice(0, 19).replace('T', ' ');
}
