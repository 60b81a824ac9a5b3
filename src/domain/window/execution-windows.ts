import { DomainError } from '../errors.js';
import { isKnownTimeZone, wallClockAt } from '../schedule/time-zone.js';
import { firstInstantReaching } from '../schedule/wall-clock.js';
import { quoted } from '../text.js';

/** ISO weekday: Monday 1 … Sunday 7. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export type OutsideWindowPolicy = 'defer' | 'skip';
export type WindowEndPolicy = 'continue' | 'cancel';

/** Minutes after local midnight; an end at or before the start closes on the next day. */
export interface WeeklyWindow {
  readonly days: readonly Weekday[];
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface ExecutionWindows {
  readonly timeZone: string;
  readonly windows: readonly WeeklyWindow[];
  readonly outside: OutsideWindowPolicy;
  readonly atEnd: WindowEndPolicy;
}

export interface ExecutionWindowsInput {
  timeZone: string;
  windows: readonly { days: readonly number[]; start: string; end: string }[];
  outside?: OutsideWindowPolicy | undefined;
  atEnd?: WindowEndPolicy | undefined;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1_440;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const DAY_MS = 86_400_000;
const MAX_WINDOWS = 32;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Checks every field; `field` is how the request names the windows ("job.execution_windows"). */
export function executionWindows(input: ExecutionWindowsInput, field: string): ExecutionWindows {
  check(isKnownTimeZone(input.timeZone), `${field}.time_zone must be an IANA time zone such as "Europe/Berlin", got ${quoted(input.timeZone)}`);
  check(input.windows.length >= 1 && input.windows.length <= MAX_WINDOWS, `${field}.windows must hold 1 to ${MAX_WINDOWS} windows, got ${input.windows.length} (leave ${field} unset to run at any time)`);
  const windows = input.windows.map((window, i): WeeklyWindow => {
    const at = `${field}.windows[${i}]`;
    check(window.days.length >= 1, `${at}.days must name at least one day`);
    for (const [d, day] of window.days.entries()) check(Number.isInteger(day) && day >= 1 && day <= 7, `${at}.days[${d}] must be a weekday from MONDAY to SUNDAY, got ${day}`);
    check(new Set(window.days).size === window.days.length, `${at}.days names a day twice`);
    return { days: [...window.days].sort() as Weekday[], startMinute: minuteOf(`${at}.start`, window.start), endMinute: minuteOf(`${at}.end`, window.end) };
  });
  refuseOverlaps(windows, field);
  return { timeZone: input.timeZone, windows, outside: input.outside ?? 'defer', atEnd: input.atEnd ?? 'continue' };
}

/** "HH:MM" as the API writes it. */
export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function minuteOf(field: string, text: string): number {
  const match = HH_MM.exec(text);
  check(match !== null, `${field} must be a time "HH:MM" from 00:00 to 23:59, got ${quoted(text)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function lengthMinutes(window: WeeklyWindow): number {
  return window.endMinute > window.startMinute ? window.endMinute - window.startMinute : window.endMinute - window.startMinute + DAY_MINUTES;
}

/**
 * Overlapping windows are refused rather than merged, so that each instant belongs to at most
 * one window and "when it closes" has one answer; windows that only touch are allowed and
 * treated as one span. Compared in minutes of the week, wall-clock.
 */
function refuseOverlaps(windows: readonly WeeklyWindow[], field: string): void {
  const spans = windows.flatMap((window, index) =>
    window.days.map((day) => ({ index, day, start: (day - 1) * DAY_MINUTES + window.startMinute, length: lengthMinutes(window) })),
  );
  for (const [i, a] of spans.entries()) {
    for (const b of spans.slice(i + 1)) {
      // Either may wrap past Sunday night: compare b's start shifted by whole weeks around a.
      const overlap = [-WEEK_MINUTES, 0, WEEK_MINUTES].some((shift) => b.start + shift < a.start + a.length && a.start < b.start + shift + b.length);
      if (overlap) {
        const describe = (s: typeof a) => `windows[${s.index}] (${DAY_NAMES[s.day]} ${hhmm(windows[s.index]!.startMinute)}-${hhmm(windows[s.index]!.endMinute)})`;
        check(false, `${field}: ${describe(a)} overlaps ${describe(b)}; make them touch or merge them into one window`);
      }
    }
  }
}

/** One opening of a window, as instants. */
export interface WindowSpan {
  readonly opensAt: Date;
  readonly closesAt: Date;
}

/**
 * The openings of the windows that begin on local days from `fromMs`'s day − 1 to `days` days
 * later, in order, touching ones merged. A window opens at the first instant the zone's wall
 * clock reaches its start and closes at the first instant it reaches its end (the cron rule:
 * a boundary in a spring-forward gap falls at the gap's end; one in a fall-back overlap at its
 * first pass).
 */
function spans(windows: ExecutionWindows, fromMs: number, days: number): WindowSpan[] {
  const firstDay = Math.floor(wallClockAt(windows.timeZone, fromMs) / DAY_MS) - 1;
  const found: { opens: number; closes: number }[] = [];
  for (let day = firstDay; day <= firstDay + days + 1; day += 1) {
    const weekday = (((new Date(day * DAY_MS).getUTCDay() + 6) % 7) + 1) as Weekday;
    for (const window of windows.windows) {
      if (!window.days.includes(weekday)) continue;
      const openWall = day * DAY_MS + window.startMinute * MINUTE_MS;
      const opens = firstInstantReaching(windows.timeZone, openWall);
      const closes = firstInstantReaching(windows.timeZone, openWall + lengthMinutes(window) * MINUTE_MS);
      // A window swallowed whole by a gap (its end no later than its start as instants) never opens.
      if (closes > opens) found.push({ opens, closes });
    }
  }
  found.sort((a, b) => a.opens - b.opens);
  const merged: { opens: number; closes: number }[] = [];
  for (const span of found) {
    const last = merged.at(-1);
    if (last && span.opens <= last.closes) last.closes = Math.max(last.closes, span.closes);
    else merged.push({ ...span });
  }
  return merged.map((s) => ({ opensAt: new Date(s.opens), closesAt: new Date(s.closes) }));
}

/** The window open at `at` (opensAt ≤ at < closesAt), if any. */
export function windowAt(windows: ExecutionWindows, at: Date): WindowSpan | undefined {
  const ms = at.getTime();
  return spans(windows, ms - DAY_MS, 3).find((s) => s.opensAt.getTime() <= ms && ms < s.closesAt.getTime());
}

/** The first window opening after `at`; every valid set of windows opens at least weekly. */
export function nextOpening(windows: ExecutionWindows, at: Date): WindowSpan {
  const ms = at.getTime();
  const next = spans(windows, ms, 9).find((s) => s.opensAt.getTime() > ms);
  if (!next) throw DomainError.invalidArgument(`execution windows in ${windows.timeZone} never open after ${at.toISOString()}`);
  return next;
}

/** Where an occurrence that becomes due at `at` runs, given the job's windows. */
export type Placement =
  | { readonly kind: 'run'; readonly scheduledAt: Date; readonly windowClosesAt: Date | undefined }
  | { readonly kind: 'skip' };

/**
 * Inside a window: it runs at `at`. Outside: deferred to the next opening, or skipped when the
 * policy says so and `maySkip` (a one-shot, a retry or an upstream trigger is never skipped:
 * that would lose its only chance). With end policy CANCEL the execution carries the window's
 * close, which bounds its deadline.
 */
export function placeInWindows(windows: ExecutionWindows | undefined, at: Date, maySkip: boolean): Placement {
  if (!windows) return { kind: 'run', scheduledAt: at, windowClosesAt: undefined };
  const open = windowAt(windows, at);
  if (open) return { kind: 'run', scheduledAt: at, windowClosesAt: windows.atEnd === 'cancel' ? open.closesAt : undefined };
  if (maySkip && windows.outside === 'skip') return { kind: 'skip' };
  const next = nextOpening(windows, at);
  return { kind: 'run', scheduledAt: next.opensAt, windowClosesAt: windows.atEnd === 'cancel' ? next.closesAt : undefined };
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw DomainError.invalidArgument(message);
}
