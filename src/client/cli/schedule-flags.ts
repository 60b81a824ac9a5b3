import { at, cron, every, now, type ScheduleInit } from '../schedules.js';
import { UsageError } from './errors.js';
import type { Values } from './args.js';

export const SCHEDULE_OPTIONS = {
  every: { type: 'string' },
  anchor: { type: 'string' },
  cron: { type: 'string' },
  tz: { type: 'string' },
  at: { type: 'string' },
  now: { type: 'boolean' },
} as const;

export const SCHEDULE_OPTION_NAMES = Object.keys(SCHEDULE_OPTIONS);

/** The schedule the flags describe, or undefined when none is given. */
export function scheduleFrom(values: Values): ScheduleInit | undefined {
  const given = (['every', 'cron', 'at', 'now'] as const).filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length > 1) throw new UsageError(`give one schedule: ${given.map((name) => `--${name}`).join(' and ')} together`);
  if (values.tz !== undefined && values.cron === undefined) throw new UsageError('--tz goes with --cron');
  if (values.anchor !== undefined && values.every === undefined) throw new UsageError('--anchor goes with --every');
  switch (given[0]) {
    case 'every':
      return every(values.every as string, values.anchor === undefined ? {} : { anchor: values.anchor as string });
    case 'cron':
      return cron(values.cron as string, values.tz as string | undefined);
    case 'at':
      return at(values.at as string);
    case 'now':
      return now();
    default:
      return undefined;
  }
}
