import { Cron } from 'croner';
import { cronSyntaxProblem } from './cron-syntax.js';

/**
 * The only module that knows croner. croner is used as a matcher of wall-clock fields and nothing
 * else: it runs at a fixed UTC offset of 0, so the "instants" it sees are naive wall-clock times
 * (time-zone.ts) and its own DST handling never comes into play. Mapping wall-clock times to
 * instants, and with it the DST rule, is wall-clock.ts's job.
 *
 * croner's nextRun(from) reads the system clock but uses it only when `from` is missing, which is
 * never the case here, so results depend on the arguments alone.
 */

export type CronProblem = { readonly kind: 'invalid'; readonly reason: string } | { readonly kind: 'never-fires' };

/**
 * Any 5- or 6-field expression repeats with the 400-year Gregorian cycle (146,097 days, a whole
 * number of weeks), and croner searches up to the year 3000, so an expression with no match after
 * 2000-01-01 has no match at all.
 */
const NEVER_FIRES_PROBE = Date.UTC(2000, 0, 1);
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

/** Compiled patterns by expression. Bounded, and emptied when full: a cache, not state. */
const compiled = new Map<string, Cron>();
const COMPILED_LIMIT = 1_000;

/** Why `expression` cannot be a schedule, or undefined if it can. */
export function cronExpressionProblem(expression: string): CronProblem | undefined {
  const syntax = cronSyntaxProblem(expression);
  if (syntax) return { kind: 'invalid', reason: syntax };
  let cron: Cron;
  try {
    cron = compile(expression);
  } catch (error) {
    return { kind: 'invalid', reason: libraryReason(error) };
  }
  return cron.nextRun(new Date(NEVER_FIRES_PROBE)) === null ? { kind: 'never-fires' } : undefined;
}

/**
 * The first wall-clock time (naive ms, whole seconds) strictly after `afterWall` that matches
 * `expression`. `expression` must have passed cronExpressionProblem. croner gives up at the year
 * 3000, so later times are searched whole 400-year cycles earlier, where the calendar, weekdays
 * included, is the same, and moved back.
 */
export function nextCronMatch(expression: string, afterWall: number): number | undefined {
  const shift = Math.max(0, Math.floor((afterWall - NEVER_FIRES_PROBE) / GREGORIAN_CYCLE_MS)) * GREGORIAN_CYCLE_MS;
  const match = compile(expression).nextRun(new Date(afterWall - shift))?.getTime();
  return match === undefined ? undefined : match + shift;
}

function compile(expression: string): Cron {
  let cron = compiled.get(expression);
  if (!cron) {
    // Standard cron semantics: when both day fields are restricted, a day matching either fires.
    cron = new Cron(expression, { mode: '5-or-6-parts', utcOffset: 0, domAndDow: false });
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    compiled.set(expression, cron);
  }
  return cron;
}

function libraryReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern:\s*/, '').replace(/\.$/, '');
}
