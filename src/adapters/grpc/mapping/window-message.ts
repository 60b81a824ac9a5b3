import { DomainError } from '../../../domain/errors.js';
import { hhmm, type ExecutionWindows, type ExecutionWindowsInput, type OutsideWindowPolicy as DomainOutside, type WindowEndPolicy as DomainEnd } from '../../../domain/window/execution-windows.js';
import { OutsideWindowPolicy, WindowEndPolicy, type ExecutionWindows as WireWindows } from '../../../gen/jobscheduler/v1/job_pb.js';
import { reverseOf } from './wire-values.js';

const OUTSIDE: Readonly<Record<DomainOutside, OutsideWindowPolicy>> = { defer: OutsideWindowPolicy.DEFER, skip: OutsideWindowPolicy.SKIP };
const END: Readonly<Record<DomainEnd, WindowEndPolicy>> = { continue: WindowEndPolicy.CONTINUE, cancel: WindowEndPolicy.CANCEL };
const OUTSIDE_FROM_WIRE = reverseOf(OUTSIDE);
const END_FROM_WIRE = reverseOf(END);

function policy<D extends string>(field: string, table: ReadonlyMap<number, D>, value: number): D | undefined {
  if (value === 0) return undefined;
  const found = table.get(value);
  if (found === undefined) throw DomainError.invalidArgument(`${field} has an unknown value (${value})`);
  return found;
}

/** The wire windows, unvalidated (executionWindows() in the domain judges them); unset stays unset. */
export function windowsInput(windows: WireWindows | undefined, field: string): ExecutionWindowsInput | undefined {
  if (!windows) return undefined;
  return {
    timeZone: windows.timeZone,
    windows: windows.windows.map((w) => ({ days: [...w.days], start: w.start, end: w.end })),
    outside: policy(`${field}.outside_policy`, OUTSIDE_FROM_WIRE, windows.outsidePolicy),
    atEnd: policy(`${field}.end_policy`, END_FROM_WIRE, windows.endPolicy),
  };
}

/** The whole message, as jobMessage builds it (see there). */
export function windowsMessage(windows: ExecutionWindows | undefined): WireWindows | undefined {
  if (!windows) return undefined;
  return {
    $typeName: 'jobscheduler.v1.ExecutionWindows',
    timeZone: windows.timeZone,
    windows: windows.windows.map((w) => ({ $typeName: 'jobscheduler.v1.WeeklyWindow', days: [...w.days], start: hhmm(w.startMinute), end: hhmm(w.endMinute) })),
    outsidePolicy: OUTSIDE[windows.outside],
    endPolicy: END[windows.atEnd],
  };
}
