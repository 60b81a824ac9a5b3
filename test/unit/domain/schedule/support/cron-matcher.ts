/**
 * A deliberately small cron matcher for the tests: numbers, *, ranges, steps and lists, with the
 * classic rule that a day matches either day field when both are restricted. It exists to check
 * croner and the DST mapping from the outside, so it shares no code with src/.
 */
import type { WallFields } from './zone-clock.js';

type FieldName = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'weekday';
const BOUNDS: Record<FieldName, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  month: [1, 12],
  weekday: [0, 7],
};

export interface CronMatcher {
  matches(fields: WallFields): boolean;
  /** True for 6-field expressions. */
  readonly hasSeconds: boolean;
}

export function cronMatcher(expression: string): CronMatcher {
  const parts = expression.trim().split(/\s+/);
  const hasSeconds = parts.length === 6;
  const [second, minute, hour, day, month, weekday] = hasSeconds ? parts : ['0', ...parts];
  const sets = {
    second: values('second', second),
    minute: values('minute', minute),
    hour: values('hour', hour),
    day: values('day', day),
    month: values('month', month),
    weekday: new Set([...values('weekday', weekday)].map((d) => d % 7)),
  };
  const dayStar = day === '*';
  const weekdayStar = weekday === '*';
  return {
    hasSeconds,
    matches(f) {
      const dayOk = sets.day.has(f.day);
      const weekdayOk = sets.weekday.has(f.weekday);
      const dateOk = dayStar || weekdayStar ? dayOk && weekdayOk : dayOk || weekdayOk;
      return sets.second.has(f.second) && sets.minute.has(f.minute) && sets.hour.has(f.hour) && sets.month.has(f.month) && dateOk;
    },
  };
}

function values(name: FieldName, field: string | undefined): Set<number> {
  const [min, max] = BOUNDS[name];
  const result = new Set<number>();
  for (const item of (field ?? '*').split(',')) {
    const [range = '*', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [low, high] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(Number) : [Number(range), Number(range)];
    for (let v = low ?? min; v <= (high ?? max); v += step) result.add(v);
  }
  return result;
}
