export type { Schedule, ScheduleInput } from './schedule.js';
export { intervalPeriodMs } from './schedule.js';
export { parseSchedule } from './parse-schedule.js';
export { fireTimesBetween, nextFireTime, nextFireTimes } from './next-fire-time.js';
