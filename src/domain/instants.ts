import { DomainError } from './errors.js';

/**
 * The instants the service takes, computes, stores and returns: 0001-01-02T00:00:00Z to
 * 9999-12-30T23:59:59.999Z, in whole milliseconds. That is google.protobuf.Timestamp's range
 * (years 1 to 9999, UTC) less one day at each end. UTC offsets stay well within a day, so every
 * supported instant is a date of years 1 to 9999 in every time zone too: as a cron wall-clock
 * time, as PostgreSQL reads it from text with an offset, and as an ISO string (toISOString turns
 * year 10000 into "+010000-…", which PostgreSQL refuses).
 */
export const EARLIEST_INSTANT_MS = -62_135_510_400_000; // 0001-01-02T00:00:00.000Z
export const LATEST_INSTANT_MS = 253_402_214_399_999; // 9999-12-30T23:59:59.999Z

const RANGE = '0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z';

export function isSupportedInstant(ms: number): boolean {
  return ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS;
}

/** `value` checked against the supported range; the refusal names `field`. */
export function supportedInstant(field: string, value: Date): Date {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw DomainError.invalidArgument(`${field} is not a valid time`);
  if (!isSupportedInstant(ms)) throw DomainError.invalidArgument(`${field} must be from ${RANGE}, got ${value.toISOString()}`);
  return new Date(ms);
}
