import { DomainError } from '../errors.js';
import { supportedInstant } from '../instants.js';
import { cronExpressionProblem } from './cron.js';
import { CRON_FIELDS_HELP } from './cron-syntax.js';
import { DEFAULT_TIME_ZONE, INTERVAL_UNITS, UNIT_MS, type IntervalUnit, type Schedule, type ScheduleInput } from './schedule.js';
import { isKnownTimeZone } from './time-zone.js';
import { characterCount, quoted } from '../text.js';

export const MAX_EVERY = 1_000_000;
export const MAX_CRON_LENGTH = 500;
/** Ten years of 365 days: longer periods are almost certainly a unit mistake. */
export const MAX_PERIOD_MS = 3_650 * UNIT_MS.days;

/**
 * Validates a schedule as it came over the wire and returns it as a value. Every refusal is a
 * DomainError of kind InvalidArgument whose message names the field by its wire name.
 */
export function parseSchedule(input: ScheduleInput | undefined): Schedule {
  if (input === undefined) throw DomainError.invalidArgument('schedule is required: set one of once, interval, cron or after_upstream');
  switch (input.kind) {
    case 'once':
      return { kind: 'once', at: optionalTime('schedule.once.at', input.at) };
    case 'interval': {
      const unit = intervalUnit(input.unit);
      return { kind: 'interval', every: intervalEvery(input.every, unit), unit, anchor: optionalTime('schedule.interval.anchor', input.anchor) };
    }
    case 'cron':
      return { kind: 'cron', expression: cronExpression(input.expression), timeZone: timeZone(input.timeZone) };
    case 'after_upstream':
      return { kind: 'after_upstream' };
    default:
      throw DomainError.invalidArgument(`schedule kind ${quoted((input as { kind?: unknown }).kind)} is unknown: set one of once, interval, cron or after_upstream`);
  }
}

function optionalTime(field: string, value: Date | undefined): Date | undefined {
  return value === undefined ? undefined : supportedInstant(field, value);
}

function intervalUnit(unit: string | undefined): IntervalUnit {
  if (unit === undefined || unit === '' || unit === 'unspecified') {
    throw DomainError.invalidArgument(`schedule.interval.unit is required: one of ${INTERVAL_UNITS.join(', ')}`);
  }
  if (!(INTERVAL_UNITS as readonly string[]).includes(unit)) {
    throw DomainError.invalidArgument(`schedule.interval.unit must be one of ${INTERVAL_UNITS.join(', ')}, got ${quoted(unit)}`);
  }
  return unit as IntervalUnit;
}

function intervalEvery(every: number, unit: IntervalUnit): number {
  const field = 'schedule.interval.every';
  if (typeof every !== 'number' || !Number.isInteger(every)) throw DomainError.invalidArgument(`${field} must be a whole number, got ${String(every)}`);
  if (every < 1) throw DomainError.invalidArgument(`${field} must be at least 1, got ${every}`);
  if (every > MAX_EVERY) throw DomainError.invalidArgument(`${field} must be at most 1,000,000, got ${every}`);
  const most = MAX_PERIOD_MS / UNIT_MS[unit];
  if (every > most) throw DomainError.invalidArgument(`${field} must be at most ${most} when the unit is ${unit} (a period of at most 10 years), got ${every}`);
  return every;
}

function cronExpression(expression: string): string {
  const field = 'schedule.cron.expression';
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw DomainError.invalidArgument(`${field} is required: ${CRON_FIELDS_HELP}, for example "0 3 * * *" for 03:00 daily`);
  }
  const trimmed = expression.trim();
  // A real expression is a few dozen characters; without a bound a 64 kB one was parsed and stored.
  const length = characterCount(trimmed);
  if (length > MAX_CRON_LENGTH) throw DomainError.invalidArgument(`${field} must be at most ${MAX_CRON_LENGTH} characters, got ${length}`);
  const problem = cronExpressionProblem(trimmed);
  if (problem?.kind === 'invalid') throw DomainError.invalidArgument(`${field} ${quoted(trimmed)} is invalid: ${problem.reason}`);
  if (problem?.kind === 'never-fires') {
    throw DomainError.invalidArgument(`${field} ${quoted(trimmed)} never fires: no calendar date matches its day-of-month, month and day-of-week fields`);
  }
  return trimmed;
}

function timeZone(zone: string | undefined): string {
  if (zone === undefined || zone === '') return DEFAULT_TIME_ZONE;
  if (typeof zone !== 'string' || !isKnownTimeZone(zone)) throw DomainError.invalidArgument(`schedule.cron.time_zone ${quoted(zone)} is not a known IANA time zone`);
  return zone;
}
