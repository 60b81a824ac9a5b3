import { intervalPeriodMs, type IntervalSchedule } from './schedule.js';

/**
 * The first grid point anchor + k × period strictly after both `after` and `origin`. The grid
 * extends both ways from the anchor, so an anchor in the future still yields runs before it; it
 * is clipped at the job's creation (`origin`) because the contract makes the first run of an
 * interval without an anchor one period after creation, and an explicit anchor must not behave
 * differently from the default one when it equals the creation time.
 */
export function nextIntervalFireMs(schedule: IntervalSchedule, after: number, origin: number): number {
  const period = intervalPeriodMs(schedule);
  const anchor = schedule.anchor?.getTime() ?? origin;
  const floor = Math.max(after, origin);
  let k = Math.floor((floor - anchor) / period) + 1;
  // Float division of spans near the Date range can be one off; step onto the exact grid point.
  while (anchor + k * period <= floor) k += 1;
  while (anchor + (k - 1) * period > floor) k -= 1;
  return anchor + k * period;
}
