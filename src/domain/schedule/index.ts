export type { CronSchedule, IntervalSchedule, IntervalUnit, OnceSchedule, Schedule, ScheduleInput } from './schedule.js';
export { DEFAULT_TIME_ZONE, INTERVAL_UNITS, intervalPeriodMs } from './schedule.js';
export { MAX_EVERY, MAX_PERIOD_MS, parseSchedule } from './parse-schedule.js';
export { fireTimesBetween, nextFireTime, nextFireTimes } from './next-fire-time.js';
