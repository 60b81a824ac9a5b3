import { DomainError } from '../../domain/errors.js';
import { supportedInstant } from '../../domain/instants.js';
import { nextFireTime, nextFireTimes } from '../../domain/schedule/next-fire-time.js';
import { parseSchedule } from '../../domain/schedule/parse-schedule.js';
import type { ScheduleInput } from '../../domain/schedule/schedule.js';
import type { Clock } from '../ports/clock.js';
import { executionWindows, placeInWindows, type ExecutionWindowsInput } from '../../domain/window/execution-windows.js';

export const DEFAULT_PREVIEW_COUNT = 10;
export const MAX_PREVIEW_COUNT = 100;

/** Slots looked at per fire time asked for when windows skip some; beyond, the preview is shorter. */
const SLOTS_PER_FIRE = 100;

/**
 * PreviewSchedule: the next fire times of a schedule, exactly as a job created at `after`
 * (default now) would fire, without creating one. With execution windows, each slot is placed
 * as the dispatcher would place it on time: kept inside a window, moved to the next opening
 * (DEFER), or left out (SKIP). Overlap is not simulated (run times are unknown), so deferred
 * slots may repeat one opening.
 */
export class PreviewSchedule {
  constructor(private readonly clock: Clock) {}

  execute(input: ScheduleInput | undefined, count: number, after: Date | undefined, windowsInput?: ExecutionWindowsInput): Date[] {
    const schedule = parseSchedule(input);
    const wanted = count === 0 ? DEFAULT_PREVIEW_COUNT : count;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_PREVIEW_COUNT) {
      throw DomainError.invalidArgument(`count must be from 1 to ${MAX_PREVIEW_COUNT}, got ${count}`);
    }
    const origin = after === undefined ? this.clock.now() : supportedInstant('after', after);
    // A one-shot's instant counts even if it equals the origin ("now" means immediately).
    const from = schedule.kind === 'once' ? new Date(origin.getTime() - 1) : origin;
    if (!windowsInput) return nextFireTimes(schedule, from, origin, wanted);
    const windows = executionWindows(windowsInput, 'execution_windows');
    const fires: Date[] = [];
    let slot: Date | undefined = from;
    for (let looked = 0; looked < wanted * SLOTS_PER_FIRE && fires.length < wanted; looked += 1) {
      slot = nextFireTime(schedule, slot, origin);
      if (!slot) break;
      // A one-shot's only occurrence is deferred, never skipped, as when it fires.
      const placed = placeInWindows(windows, slot, schedule.kind !== 'once');
      if (placed.kind === 'run') fires.push(placed.scheduledAt);
    }
    return fires;
  }
}
