import type { Json } from './api.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A schedule in words: "every 2 hours", "once at …", "at 03:00 on Monday to Friday (Europe/Berlin)". */
export function scheduleInWords(schedule: Json): string {
  if (!schedule) return '—';
  if (schedule.once) return `once at ${instant(schedule.once.at)}`;
  if (schedule.interval) {
    const every = Number(schedule.interval.every ?? 1);
    const unit = String(schedule.interval.unit ?? '').replace('INTERVAL_UNIT_', '').toLowerCase();
    const singular = unit.replace(/s$/, '');
    return every === 1 ? `every ${singular}` : `every ${every} ${unit}`;
  }
  if (schedule.cron) return cronInWords(String(schedule.cron.expression)) + (schedule.cron.timeZone ? ` (${schedule.cron.timeZone})` : ' (UTC)');
  return '—';
}

/** The common cron shapes in words; anything else is shown as the expression itself. */
export function cronInWords(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `cron "${expression}"`;
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const number = /^\d+$/;
  if (expression.trim() === '* * * * *') return 'every minute';
  const step = /^\*\/(\d+)$/;
  if (step.test(minute) && hour === '*' && day === '*' && month === '*' && weekday === '*') return `every ${step.exec(minute)?.[1]} minutes`;
  if (number.test(minute) && hour === '*' && day === '*' && month === '*' && weekday === '*') return `every hour at minute ${minute}`;
  if (number.test(minute) && step.test(hour) && day === '*' && month === '*' && weekday === '*') return `every ${step.exec(hour)?.[1]} hours at minute ${minute}`;
  if (number.test(minute) && number.test(hour) && month === '*') {
    const time = `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
    if (day === '*' && weekday === '*') return `every day at ${time}`;
    if (day === '*' && /^[0-6](-[0-6])?(,[0-6](-[0-6])?)*$/.test(weekday)) return `at ${time} on ${weekdays(weekday)}`;
    if (number.test(day) && weekday === '*') return `at ${time} on day ${day} of every month`;
  }
  return `cron "${expression}"`;
}

function weekdays(field: string): string {
  return field
    .split(',')
    .map((part) => part.split('-').map((day) => WEEKDAYS[Number(day)]).join(' to '))
    .join(', ');
}

export function instant(value: string | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, ' UTC').replace(/(\.\d+) UTC$/, '$1 UTC');
}

/** The zone a job's page shows times in: its cron schedule's, else its execution windows', else UTC. */
export function jobZone(job: Json): string {
  return job?.schedule?.cron?.timeZone || job?.executionWindows?.timeZone || 'UTC';
}

const ISO_DAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** WEEKDAY_MONDAY … as "Monday to Friday", "Saturday, Sunday", "every day". */
function windowDays(days: string[]): string {
  const numbers = [...new Set(days.map((day) => ISO_DAYS.findIndex((name) => name !== '' && `WEEKDAY_${name.toUpperCase()}` === day)).filter((n) => n > 0))].sort((a, b) => a - b);
  if (numbers.length === 7) return 'every day';
  const runs: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && (numbers[j + 1] as number) === (numbers[j] as number) + 1) j += 1;
    const [first, last] = [ISO_DAYS[numbers[i] as number], ISO_DAYS[numbers[j] as number]];
    runs.push(i === j ? `${first}` : j === i + 1 ? `${first}, ${last}` : `${first} to ${last}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/** One weekly window in words: "Monday to Friday 09:00–17:00", "Sunday 22:00–06:00 (into the next day)". */
export function windowInWords(window: Json): string {
  const start = String(window.start ?? '');
  const end = String(window.end ?? '');
  const overnight = end <= start ? (start === end ? ' (all day)' : ' (into the next day)') : '';
  return `${windowDays((window.days ?? []) as string[])} ${start}–${end}${overnight}`;
}

/** What the windows do with a fire time outside them and a run still going at the close. */
export function windowPolicies(windows: Json): string {
  const outside = windows.outsidePolicy === 'OUTSIDE_WINDOW_POLICY_SKIP' ? 'skipped' : 'deferred to the next opening';
  const close = windows.endPolicy === 'WINDOW_END_POLICY_CANCEL' ? 'cancelled' : 'left to finish';
  return `Fire times outside them are ${outside}; a run still going when its window closes is ${close}.`;
}

/** An instant as the wall clock of a zone shows it, briefly: "2026-12-07 03:00 Mon" (the page names the zone). */
export function wallClock(value: string | undefined, timeZone: string): string {
  const full = inZone(value, timeZone);
  return full.replace(/ \S+ \(UTC[^)]*\)$/, '');
}

/**
 * An instant as the wall clock of a time zone shows it, with the zone and its UTC offset at that
 * instant (which differs across a DST change): "2026-12-07 03:00 Mon Europe/Berlin (UTC+01:00)".
 */
export function inZone(value: string | undefined, timeZone: string): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' }).formatToParts(date);
  } catch {
    return instant(value);
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace(/^GMT/, 'UTC');
  const seconds = part('second') === '00' ? '' : `:${part('second')}`;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}${seconds} ${part('weekday')} ${timeZone} (${offset})`;
}

/** "in 5 min", "3 h ago". */
export function relative(value: string | undefined, now = Date.now()): string {
  if (!value) return '—';
  const ms = new Date(value).getTime() - now;
  const span = Math.abs(ms);
  const text = span < 60_000 ? `${Math.round(span / 1000)} s` : span < 3_600_000 ? `${Math.round(span / 60_000)} min` : span < 172_800_000 ? `${Math.round(span / 3_600_000)} h` : `${Math.round(span / 86_400_000)} days`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** A protobuf JSON Duration ("1.5s") in words. */
export function duration(value: string | undefined): string {
  if (!value) return '—';
  const seconds = Number(value.replace(/s$/, ''));
  if (!Number.isFinite(seconds)) return value;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function percent(rate: number | undefined, total: number): string {
  return total === 0 || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

/** JOB_STATE_PAUSED → paused. */
export function enumWord(value: string | undefined, prefix: string): string {
  return value ? value.replace(prefix, '').toLowerCase().replace(/_/g, ' ') : 'unknown';
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
