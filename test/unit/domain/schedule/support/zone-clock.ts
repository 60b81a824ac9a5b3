/**
 * Reads a zone's wall clock for the tests, independently of src/domain/schedule/time-zone.ts, so
 * the tests do not check the implementation against itself.
 */
export interface WallFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formats = new Map<string, Intl.DateTimeFormat>();

export function wallFields(zone: string, instant: Date | number): WallFields {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(String(parts.weekday)),
  };
}

/** "2026-03-29 03:00:00", the zone's wall clock at `instant`. */
export function localTime(zone: string, instant: Date | number): string {
  const f = wallFields(zone, instant);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${f.year}-${two(f.month)}-${two(f.day)} ${two(f.hour)}:${two(f.minute)}:${two(f.second)}`;
}

/** Minutes the zone is ahead of UTC at `instant`. */
export function offsetMinutes(zone: string, instant: number): number {
  const f = wallFields(zone, instant);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return Math.round((wall - (instant - (((instant % 1000) + 1000) % 1000))) / 60_000);
}

/** The instants in [fromYear, toYear] at which the zone's UTC offset changes (found to the second). */
export function offsetChanges(zone: string, fromYear: number, toYear: number): number[] {
  const step = 86_400_000; // transitions of the zones under test are months apart
  const changes: number[] = [];
  for (let t = Date.UTC(fromYear, 0, 1); t < Date.UTC(toYear + 1, 0, 1); t += step) {
    if (offsetMinutes(zone, t) === offsetMinutes(zone, t + step)) continue;
    let [low, high] = [t, t + step];
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2000) * 1000;
      if (offsetMinutes(zone, middle) === offsetMinutes(zone, t)) low = middle;
      else high = middle;
    }
    changes.push(high);
  }
  return changes;
}
