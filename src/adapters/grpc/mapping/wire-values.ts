import { durationFromMs, durationMs, timestampDate, timestampFromDate, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import { DomainError } from '../../../domain/errors.js';

const MIN_SECONDS = -62_135_596_800n; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253_402_300_799n; // 9999-12-31T23:59:59Z
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Timestamp from a request, checked: the message names the field. */
export function dateFrom(field: string, timestamp: Timestamp | undefined): Date | undefined {
  if (!timestamp) return undefined;
  if (timestamp.seconds < MIN_SECONDS || timestamp.seconds > MAX_SECONDS || timestamp.nanos < 0 || timestamp.nanos > 999_999_999) {
    throw DomainError.invalidArgument(`${field} is not a valid timestamp (years 1 to 9999, nanos 0 to 999999999)`);
  }
  return timestampDate(timestamp);
}

/** A Duration from a request, in milliseconds; negative or malformed durations are refused. */
export function msFrom(field: string, duration: Duration | undefined): number | undefined {
  if (!duration) return undefined;
  const { seconds, nanos } = duration;
  if (seconds < 0n || nanos < 0 || nanos > 999_999_999 || seconds > 315_576_000_000n) {
    throw DomainError.invalidArgument(`${field} must be a non-negative duration, got ${seconds}s ${nanos}ns`);
  }
  return durationMs(duration);
}

export function timestamp(date: Date | undefined): Timestamp | undefined {
  return date ? timestampFromDate(date) : undefined;
}

export function duration(ms: number | undefined): Duration | undefined {
  return ms === undefined ? undefined : durationFromMs(ms);
}

/** Ids are UUIDs; anything else cannot name a stored row. */
export function requireId(field: string, value: string): string {
  if (value === '') throw DomainError.invalidArgument(`${field} is required`);
  if (!UUID.test(value)) throw DomainError.invalidArgument(`${field} "${value.slice(0, 64)}" is not a valid id (a UUID)`);
  return value.toLowerCase();
}

export function requireText(field: string, value: string, max: number): string {
  if (value.trim() === '') throw DomainError.invalidArgument(`${field} is required`);
  if (value.length > max) throw DomainError.invalidArgument(`${field} must be at most ${max} characters, got ${value.length}`);
  return value;
}
