import type { MessageInitShape } from '@bufbuild/protobuf';
import { durationMs } from '@bufbuild/protobuf/wkt';
import { IntervalUnit, type ScheduleSchema } from '../gen/jobscheduler/v1/schedule_pb.js';
import { parseDuration, timestamp, type DurationInput, type Instant } from './time.js';

/** What Job.schedule and PreviewScheduleRequest.schedule take: `{ kind: { case, value } }`. */
export type ScheduleInit = MessageInitShape<typeof ScheduleSchema>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Fires when the wall clock in `timeZone` (IANA, default UTC) matches a 5- or 6-field cron expression. */
export function cron(expression: string, timeZone?: string): ScheduleInit {
  return { kind: { case: 'cron', value: { expression, ...(timeZone === undefined ? {} : { timeZone }) } } };
}

/**
 * Fires every `interval`, a whole number of minutes ("15m", "2h", "1d", 90 * 60_000), counted from
 * `anchor` (default: the job's creation time). Stored in the largest unit that divides it evenly.
 */
export function every(interval: DurationInput, options: { anchor?: Instant } = {}): ScheduleInit {
  const ms = typeof interval === 'object' ? durationMs(interval) : parseDuration(interval);
  if (ms < MINUTE || ms % MINUTE !== 0) throw new RangeError(`an interval is a whole number of minutes, at least 1m; got ${JSON.stringify(interval)}`);
  const [every, unit] = ms % DAY === 0 ? [ms / DAY, IntervalUnit.DAYS] : ms % HOUR === 0 ? [ms / HOUR, IntervalUnit.HOURS] : [ms / MINUTE, IntervalUnit.MINUTES];
  const anchor = options.anchor === undefined ? {} : { anchor: timestamp(options.anchor) };
  return { kind: { case: 'interval', value: { every, unit, ...anchor } } };
}

/** Fires once at `when`; a past instant is due at once. */
export function at(when: Instant): ScheduleInit {
  return { kind: { case: 'once', value: { at: timestamp(when) } } };
}

/** Fires once, at the job's creation time (a one-shot with no `at`). */
export function now(): ScheduleInit {
  return { kind: { case: 'once', value: {} } };
}

/** No clock: the job runs each time its upstream jobs (`depends_on`) have completed as required. */
export function afterUpstream(): ScheduleInit {
  return { kind: { case: 'afterUpstream', value: {} } };
}
