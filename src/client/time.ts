import { durationFromMs, durationMs, timestampDate, timestampFromDate, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';

/** A point in time as the helpers take it: a Date, an ISO 8601 string, or epoch milliseconds. */
export type Instant = Date | string | number;

/** A length of time as the helpers take it: "15m", "1h30m", "250ms", milliseconds, or a Duration message. */
export type DurationInput = string | number | Duration;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A Date of an Instant; throws RangeError for a string or number that is not a time. */
export function toDate(value: Instant): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${JSON.stringify(value)} is not a time: use an ISO 8601 string such as 2026-12-24T18:00:00Z`);
  return date;
}

/** A google.protobuf.Timestamp message (what every *_at field holds). */
export function timestamp(value: Instant): Timestamp {
  return timestampFromDate(toDate(value));
}

/** The Date of a Timestamp field; undefined when the field is unset. */
export function dateOf(value: Timestamp | undefined): Date | undefined {
  return value === undefined ? undefined : timestampDate(value);
}

/** Milliseconds of "15m", "1h30m", "2d", "500ms", "1.5s" or a number of milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${value} is not a duration in milliseconds`);
    return value;
  }
  const text = value.trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (text === '' || parts.map((part) => part[0]).join('') !== text) {
    throw new RangeError(`${JSON.stringify(value)} is not a duration: use a number with ms, s, m, h or d, such as 15m or 1h30m`);
  }
  return Math.round(parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (UNIT_MS[unit as string] as number), 0));
}

/** A google.protobuf.Duration message (attempt_timeout, backoffs, windows). */
export function duration(value: DurationInput): Duration {
  return typeof value === 'object' ? value : durationFromMs(parseDuration(value));
}

/** Milliseconds of a Duration field; undefined when the field is unset. */
export function millisecondsOf(value: Duration | undefined): number | undefined {
  return value === undefined ? undefined : durationMs(value);
}
