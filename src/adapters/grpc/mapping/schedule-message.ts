import type { Schedule, ScheduleInput } from '../../../domain/schedule/schedule.js';
import { IntervalUnit, type Schedule as WireSchedule } from '../../../gen/jobscheduler/v1/schedule_pb.js';
import { dateFrom, timestamp } from './wire-values.js';

const UNIT_FROM_WIRE: Readonly<Record<IntervalUnit, string | undefined>> = {
  [IntervalUnit.UNSPECIFIED]: undefined,
  [IntervalUnit.MINUTES]: 'minutes',
  [IntervalUnit.HOURS]: 'hours',
  [IntervalUnit.DAYS]: 'days',
};

const UNIT_TO_WIRE = { minutes: IntervalUnit.MINUTES, hours: IntervalUnit.HOURS, days: IntervalUnit.DAYS } as const;

/** The wire Schedule as the domain's (unvalidated) input; parseSchedule judges it. */
export function scheduleInput(schedule: WireSchedule | undefined, field = 'schedule'): ScheduleInput | undefined {
  const kind = schedule?.kind;
  switch (kind?.case) {
    case 'once':
      return { kind: 'once', at: dateFrom(`${field}.once.at`, kind.value.at) };
    case 'interval':
      // UNSPECIFIED is "not set" (parseSchedule: "unit is required"); a number the contract does
      // not know is passed on as such, so the message shows it.
      return { kind: 'interval', every: kind.value.every, unit: unitFromWire(kind.value.unit), anchor: dateFrom(`${field}.interval.anchor`, kind.value.anchor) };
    case 'cron':
      return { kind: 'cron', expression: kind.value.expression, timeZone: kind.value.timeZone || undefined };
    case 'afterUpstream':
      return { kind: 'after_upstream' };
    default:
      return undefined;
  }
}

function unitFromWire(unit: IntervalUnit): string | undefined {
  return unit === IntervalUnit.UNSPECIFIED ? undefined : (UNIT_FROM_WIRE[unit] ?? `unknown (${unit})`);
}

/** The whole message, as jobMessage builds it (see there). */
export function scheduleMessage(schedule: Schedule): WireSchedule {
  return { $typeName: 'jobscheduler.v1.Schedule', kind: scheduleKind(schedule) };
}

function scheduleKind(schedule: Schedule): WireSchedule['kind'] {
  switch (schedule.kind) {
    case 'once':
      return { case: 'once', value: { $typeName: 'jobscheduler.v1.OnceSchedule', at: timestamp(schedule.at) } };
    case 'interval':
      return { case: 'interval', value: { $typeName: 'jobscheduler.v1.IntervalSchedule', every: schedule.every, unit: UNIT_TO_WIRE[schedule.unit], anchor: timestamp(schedule.anchor) } };
    case 'cron':
      return { case: 'cron', value: { $typeName: 'jobscheduler.v1.CronSchedule', expression: schedule.expression, timeZone: schedule.timeZone } };
    case 'after_upstream':
      return { case: 'afterUpstream', value: { $typeName: 'jobscheduler.v1.AfterUpstreamSchedule' } };
  }
}
