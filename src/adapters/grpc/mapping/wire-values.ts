import { durationMs, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import { DomainError } from '../../../domain/errors.js';
import { isJobType } from '../../../domain/job/job-definition.js';
import { characterCount, quoted } from '../../../domain/text.js';

const MIN_SECONDS = -62_135_596_800n; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253_402_300_799n; // 9999-12-31T23:59:59Z
const MIN_MS = Number(MIN_SECONDS) * 1_000;
const MAX_MS = Number(MAX_SECONDS) * 1_000 + 999;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The inverse of a domain → wire enum table, built once (wire value → domain name), for decoding requests. */
export function reverseOf<D extends string, W extends number>(table: Readonly<Record<D, W>>): ReadonlyMap<number, D> {
  return new Map((Object.entries(table) as [D, W][]).map(([domain, wire]) => [wire, domain]));
}

/** Ids are UUIDs; anything else cannot name a stored row. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * A Timestamp from a request, checked: the message names the field. Whole milliseconds, cut
 * rather than rounded: rounding (timestampDate) moves 9999-12-31T23:59:59.9999Z into the year
 * 10000. Whether the instant is one the service supports is the domain's rule
 * (domain/instants.ts), checked where the field is used.
 */
export function dateFrom(field: string, timestamp: Timestamp | undefined): Date | undefined {
  if (!timestamp) return undefined;
  if (timestamp.seconds < MIN_SECONDS || timestamp.seconds > MAX_SECONDS || timestamp.nanos < 0 || timestamp.nanos > 999_999_999) {
    throw DomainError.invalidArgument(`${field} is not a valid timestamp (years 1 to 9999, nanos 0 to 999999999)`);
  }
  return new Date(Number(timestamp.seconds) * 1_000 + Math.floor(timestamp.nanos / 1_000_000));
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

/**
 * A Date for a response. An instant computed from a clock in the last days of 9999 (a lease, a
 * deadline, a retry) can pass the end of google.protobuf.Timestamp's range; such a Timestamp is
 * invalid, and JSON encoders refuse it, so the end of the range stands for it.
 */
export function timestamp(date: Date | undefined): Timestamp | undefined {
  if (!date) return undefined;
  // The message literal timestampFromDate() would build, without a Date per value and without
  // create()'s walk over the schema: a page of 50 executions holds up to 400 of them.
  const ms = Math.min(Math.max(date.getTime(), MIN_MS), MAX_MS);
  const seconds = Math.floor(ms / 1000);
  return { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/**
 * Whole milliseconds: a fraction would give fractional nanos, which do not serialise (the call
 * failed INTERNAL). GetJobStats' percentiles are fractional when rows hold microsecond times,
 * as rows written by other tools (or loaded by SQL) do.
 */
export function duration(ms: number | undefined): Duration | undefined {
  if (ms === undefined) return undefined;
  // The message literal durationFromMs() would build, without create()'s walk (as timestamp()).
  const whole = Math.round(ms);
  const seconds = Math.trunc(whole / 1000);
  return { $typeName: 'google.protobuf.Duration', seconds: BigInt(seconds), nanos: (whole - seconds * 1000) * 1_000_000 };
}

/** Ids are UUIDs; anything else cannot name a stored row. */
export function requireId(field: string, value: string): string {
  if (value === '') throw DomainError.invalidArgument(`${field} is required`);
  if (!UUID.test(value)) throw DomainError.invalidArgument(`${field} ${quoted(value)} is not a valid id (a UUID)`);
  return value.toLowerCase();
}

export function requireText(field: string, value: string, max: number): string {
  if (value.trim() === '') throw DomainError.invalidArgument(`${field} is required`);
  // Never more characters than UTF-16 units, so short text needs no count.
  const length = value.length > max ? characterCount(value) : value.length;
  if (length > max) throw DomainError.invalidArgument(`${field} must be at most ${max} characters, got ${length}`);
  return value;
}

/**
 * Runs a validation whose messages name fields relative to a part of the request (the domain
 * says "schedule.cron.expression", "retry_policy.max_retries"), and puts `prefix` before the
 * field of an INVALID_ARGUMENT it raises when the message starts with one of `relativeFields`,
 * so the message names the field as it sits in the request ("requests[3].job.schedule…").
 */
export function withinField<T>(prefix: string, relativeFields: readonly string[], validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    throw prefixed(prefix, relativeFields, error);
  }
}

/** withinField() for an asynchronous validation (a use case that validates what it merged). */
export async function withinFieldAsync<T>(prefix: string, relativeFields: readonly string[], validate: () => Promise<T>): Promise<T> {
  try {
    return await validate();
  } catch (error) {
    throw prefixed(prefix, relativeFields, error);
  }
}

function prefixed(prefix: string, relativeFields: readonly string[], error: unknown): unknown {
  if (error instanceof DomainError && error.kind === 'InvalidArgument' && relativeFields.some((field) => startsWithField(error.message, field))) {
    return DomainError.invalidArgument(`${prefix}${error.message}`);
  }
  return error;
}

function startsWithField(message: string, field: string): boolean {
  return message.startsWith(field) && /^[\s.[]/.test(message.slice(field.length));
}

/** Job types named in a request (job_types), each checked: the message names the element. */
export function requireJobTypes(types: readonly string[], field = 'job_types'): void {
  types.forEach((type, i) => {
    if (!isJobType(type)) throw DomainError.invalidArgument(`${field}[${i}] ${quoted(type)} is not a valid job type`);
  });
}
