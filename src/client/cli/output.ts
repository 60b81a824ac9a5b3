import { toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { durationMs, timestampDate, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { Schedule } from '../../gen/jobscheduler/v1/schedule_pb.js';
import { IntervalUnit } from '../../gen/jobscheduler/v1/schedule_pb.js';

/** Where a command writes; tests and the CLI pass process.stdout. */
export interface Out {
  write(text: string): unknown;
}

/** Protobuf JSON (int64 as strings, timestamps RFC 3339, enum names), one value per line. */
export function printJson<S extends DescMessage>(out: Out, schema: S, message: MessageShape<S>): void {
  out.write(`${JSON.stringify(toJson(schema, message))}\n`);
}

export function printJsonArray<S extends DescMessage>(out: Out, schema: S, messages: readonly MessageShape<S>[], extra: Record<string, unknown> = {}): void {
  out.write(`${JSON.stringify({ items: messages.map((m) => toJson(schema, m)), ...extra })}\n`);
}

/** Columns padded to their widest cell; an empty list prints the header and "(none)". */
export function printTable(out: Out, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  out.write(`${line(header)}\n`);
  for (const row of rows) out.write(`${line(row)}\n`);
  if (rows.length === 0) out.write('(none)\n');
}

/** One "key: value" line per field, for a single record. */
export function printFields(out: Out, fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) out.write(`${`${key}:`.padEnd(width + 2)}${value}\n`);
}

export function time(value: Timestamp | undefined): string {
  return value === undefined ? '-' : timestampDate(value).toISOString();
}

export function span(value: Duration | undefined): string {
  if (value === undefined) return '-';
  const ms = durationMs(value);
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms % 1_000 === 0 ? 0 : 1)}s`;
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  let rest = ms;
  let text = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) text += `${count}${unit}`;
  }
  return text;
}

export function json(value: unknown): string {
  return value === undefined ? '-' : JSON.stringify(value);
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** A schedule as the CLI's own flags would write it. */
export function scheduleText(schedule: Schedule | undefined): string {
  const kind = schedule?.kind;
  switch (kind?.case) {
    case 'once':
      return kind.value.at ? `at ${time(kind.value.at)}` : 'now';
    case 'interval': {
      const unit = { [IntervalUnit.MINUTES]: 'm', [IntervalUnit.HOURS]: 'h', [IntervalUnit.DAYS]: 'd' }[kind.value.unit as number] ?? '?';
      return `every ${kind.value.every}${unit}${kind.value.anchor ? ` from ${time(kind.value.anchor)}` : ''}`;
    }
    case 'cron':
      return `cron '${kind.value.expression}' ${kind.value.timeZone || 'UTC'}`;
    case 'afterUpstream':
      return 'after its upstream jobs';
    default:
      return '-';
  }
}
