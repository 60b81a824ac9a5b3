/**
 * When a job fires, as validated values. Build them with parseSchedule (parse-schedule.ts); the
 * types here carry no behaviour so they can be stored and compared as plain data.
 */
export type Schedule = OnceSchedule | IntervalSchedule | CronSchedule | AfterUpstreamSchedule;

/** Fires once, at `at`, or at the job's creation time when `at` is unset. */
export interface OnceSchedule {
  readonly kind: 'once';
  readonly at: Date | undefined;
}

export const INTERVAL_UNITS = ['minutes', 'hours', 'days'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

/**
 * Fires at anchor + k × period for whole numbers k, strictly after the job's creation time. An
 * unset anchor means the creation time, so the first run is one period after creation.
 */
export interface IntervalSchedule {
  readonly kind: 'interval';
  readonly every: number;
  readonly unit: IntervalUnit;
  readonly anchor: Date | undefined;
}

/** Fires when the wall clock in `timeZone` matches `expression` (see docs/schedules.md for DST). */
export interface CronSchedule {
  readonly kind: 'cron';
  readonly expression: string;
  readonly timeZone: string;
}

/** No clock fire times: the job fires when its upstream jobs complete (job dependencies). */
export interface AfterUpstreamSchedule {
  readonly kind: 'after_upstream';
}

/** A schedule that never fires on a clock: the job waits for its upstream jobs. */
export function waitsForUpstream(schedule: Schedule): schedule is AfterUpstreamSchedule {
  return schedule.kind === 'after_upstream';
}

/**
 * What a transport hands to parseSchedule. Loosely typed on purpose: the unit is a string and
 * optional fields may be missing, so that parseSchedule, not the transport, decides what is
 * invalid and says so in one consistent voice.
 */
export type ScheduleInput =
  | { readonly kind: 'once'; readonly at?: Date | undefined }
  | { readonly kind: 'interval'; readonly every: number; readonly unit?: string | undefined; readonly anchor?: Date | undefined }
  | { readonly kind: 'cron'; readonly expression: string; readonly timeZone?: string | undefined }
  | { readonly kind: 'after_upstream' };

export const DEFAULT_TIME_ZONE = 'UTC';

const MINUTE_MS = 60_000;
/** Days are exactly 86,400 s: an interval never follows daylight-saving shifts (the contract says so). */
export const UNIT_MS: Readonly<Record<IntervalUnit, number>> = { minutes: MINUTE_MS, hours: 60 * MINUTE_MS, days: 1_440 * MINUTE_MS };

/** The length of one period of an interval schedule, in milliseconds. */
export function intervalPeriodMs(schedule: Pick<IntervalSchedule, 'every' | 'unit'>): number {
  return schedule.every * UNIT_MS[schedule.unit];
}
