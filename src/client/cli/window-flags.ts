import type { MessageInitShape } from '@bufbuild/protobuf';
import { OutsideWindowPolicy, OutsideWindowPolicySchema, WindowEndPolicy, WindowEndPolicySchema, type ExecutionWindows, type ExecutionWindowsSchema } from '../../gen/jobscheduler/v1/job_pb.js';
import { enumLabel, enumValue } from '../labels.js';
import type { Values } from './args.js';
import { UsageError } from './errors.js';
import { parsedFlag } from './operands.js';

export type WindowsInit = MessageInitShape<typeof ExecutionWindowsSchema>;

/** --window is repeatable; the zone and the two policies apply to every window of the job. */
export const WINDOW_OPTIONS = {
  window: { type: 'string', multiple: true },
  'window-zone': { type: 'string' },
  'outside-window': { type: 'string' },
  'at-window-close': { type: 'string' },
} as const;

/** Only jobs update takes it: an update mask path with no value clears the windows. */
export const NO_WINDOWS_OPTION = { 'no-windows': { type: 'boolean' } } as const;

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_TITLES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Mon", "monday", "MON" → 1 (ISO weekday, as the API numbers them). */
function day(text: string, window: string): number {
  const index = DAY_NAMES.indexOf(text.trim().toLowerCase().slice(0, 3));
  const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'][index];
  if (index < 0 || !(full as string).startsWith(text.trim().toLowerCase())) {
    throw new UsageError(`--window ${JSON.stringify(window)}: ${JSON.stringify(text)} is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun`);
  }
  return index + 1;
}

/**
 * "Mon-Fri 09:00-17:00", "Sat,Sun 10:00-12:00", "daily 22:00-06:00". A day range may wrap past
 * Sunday (Fri-Mon). The times go to the server as written: it checks them and says what is wrong.
 */
export function parseWindow(text: string): { days: number[]; start: string; end: string } {
  const match = /^\s*(\S+)\s+([^\s-]*)-([^\s-]*)\s*$/.exec(text);
  if (!match) throw new UsageError(`--window takes "DAYS HH:MM-HH:MM", such as "Mon-Fri 09:00-17:00" or "Sat,Sun 10:00-12:00"; got ${JSON.stringify(text)}`);
  const [, daysText, start, end] = match as unknown as [string, string, string, string];
  const days: number[] = [];
  const parts = /^(daily|every-?day)$/i.test(daysText) ? ['Mon-Sun'] : daysText.split(',');
  for (const part of parts) {
    const [first, last, ...rest] = part.split('-');
    if (rest.length > 0 || first === undefined || first === '') throw new UsageError(`--window ${JSON.stringify(text)}: ${JSON.stringify(part)} is not a day or a range of days such as Mon-Fri`);
    const from = day(first, text);
    const to = last === undefined ? from : day(last, text);
    for (let d = from; ; d = (d % 7) + 1) {
      days.push(d);
      if (d === to) break;
    }
  }
  return { days, start, end };
}

function policy(schema: typeof OutsideWindowPolicySchema | typeof WindowEndPolicySchema, flag: string, text: string): number {
  return parsedFlag(flag, () => enumValue(schema, text));
}

function policies(values: Values): { outsidePolicy?: OutsideWindowPolicy; endPolicy?: WindowEndPolicy } {
  const outside = values['outside-window'] as string | undefined;
  const close = values['at-window-close'] as string | undefined;
  return {
    ...(outside === undefined ? {} : { outsidePolicy: policy(OutsideWindowPolicySchema, 'outside-window', outside) }),
    ...(close === undefined ? {} : { endPolicy: policy(WindowEndPolicySchema, 'at-window-close', close) }),
  };
}

/**
 * The windows the flags describe, or undefined when none is given. `current` is the job's windows
 * (jobs update): a flag left out keeps its value there, so `--outside-window skip` alone changes
 * only the policy. `null` means "clear them" (--no-windows).
 */
export function windowsFrom(values: Values, current?: ExecutionWindows): WindowsInit | null | undefined {
  if (windowsNeedCurrent(values) === false) return values['no-windows'] === true ? null : undefined;
  const given = givenWindowFlags(values);
  if (given.length === 0) return undefined;
  const windows = (values.window as string[] | undefined)?.map(parseWindow) ?? current?.windows.map(({ days, start, end }) => ({ days: [...days], start, end }));
  if (windows === undefined) throw new UsageError(`${given.map((name) => `--${name}`).join(', ')} needs at least one --window "DAYS HH:MM-HH:MM"`);
  const timeZone = (values['window-zone'] as string | undefined) ?? current?.timeZone;
  if (timeZone === undefined) throw new UsageError('--window needs --window-zone ZONE, an IANA time zone such as Europe/Berlin (the windows are local wall-clock times there)');
  return {
    timeZone,
    windows,
    ...(current === undefined ? {} : { outsidePolicy: current.outsidePolicy, endPolicy: current.endPolicy }),
    ...policies(values),
  };
}

/**
 * Whether jobs update must read the job first: what a window flag leaves out stays as the job has
 * it. Mistakes in the flags themselves are usage errors before any call.
 */
export function windowsNeedCurrent(values: Values): boolean {
  const given = givenWindowFlags(values);
  if (values['no-windows'] === true && given.length > 0) throw new UsageError(`--no-windows clears the windows; it does not go with ${given.map((name) => `--${name}`).join(', ')}`);
  (values.window as string[] | undefined)?.forEach(parseWindow);
  policies(values);
  return given.length > 0;
}

function givenWindowFlags(values: Values): string[] {
  return Object.keys(WINDOW_OPTIONS).filter((name) => values[name] !== undefined);
}

/** "Mon-Fri": consecutive days as a range, in the flags' own syntax. */
function daysText(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'daily';
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j += 1;
    const [first, last] = [DAY_TITLES[(sorted[i] as number) - 1] ?? '?', DAY_TITLES[(sorted[j] as number) - 1] ?? '?'];
    runs.push(i === j ? first : j === i + 1 ? `${first},${last}` : `${first}-${last}`);
    i = j + 1;
  }
  return runs.join(',');
}

/** The windows as the CLI's own flags would write them, with the zone and the policies. */
export function windowsText(windows: ExecutionWindows | undefined): string {
  if (windows === undefined || windows.windows.length === 0) return '-';
  const outside = windows.outsidePolicy === OutsideWindowPolicy.UNSPECIFIED ? 'defer' : enumLabel(OutsideWindowPolicySchema, windows.outsidePolicy);
  const close = windows.endPolicy === WindowEndPolicy.UNSPECIFIED ? 'continue' : enumLabel(WindowEndPolicySchema, windows.endPolicy);
  const list = windows.windows.map((w) => `${daysText(w.days)} ${w.start}-${w.end}`).join(', ');
  return `${list} ${windows.timeZone}; outside: ${outside}; at close: ${close}`;
}
