import { DomainError } from '../../domain/errors.js';
import { supportedInstant } from '../../domain/instants.js';
import { nextFireTimes } from '../../domain/schedule/next-fire-time.js';
import { parseSchedule } from '../../domain/schedule/parse-schedule.js';
import type { ScheduleInput } from '../../domain/schedule/schedule.js';
import type { Clock } from '../ports/clock.js';

export const DEFAULT_PREVIEW_COUNT = 10;
export const MAX_PREVIEW_COUNT = 100;

/**
 * PreviewSchedule: the next fire times of a schedule, exactly as a job created at `after`
 * (default now) would fire, without creating one.
 */
export class PreviewSchedule {
  constructor(private readonly clock: Clock) {}

  execute(input: ScheduleInput | undefined, count: number, after: Date | undefined): Date[] {
    const schedule = parseSchedule(input);
    const wanted = count === 0 ? DEFAULT_PREVIEW_COUNT : count;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_PREVIEW_COUNT) {
      throw DomainError.invalidArgument(`count must be from 1 to ${MAX_PREVIEW_COUNT}, got ${count}`);
    }
    const origin = after === undefined ? this.clock.now() : supportedInstant('after', after);
    // A one-shot's instant counts even if it equals the origin ("now" means immediately).
    const from = schedule.kind === 'once' ? new Date(origin.getTime() - 1) : origin;
    return nextFireTimes(schedule, from, origin, wanted);
  }
}
