import { iso } from './job-row.js';

/** What the hot statements send as array elements. */
export type ArrayElement = string | number | boolean | Date | null | undefined;

export function isArrayElement(value: unknown): value is ArrayElement {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date;
}

/**
 * A PostgreSQL array literal (`{"a","b",NULL}`) for an array parameter of a prepared statement
 * (prepared.ts), built here rather than by the pg driver, which runs two regular expressions over every element and grows the text
 * one piece at a time: in the burst its arrays were a tenth of all the service allocated
 * (docs/performance.md, "Allocations on the hot path"). Every element is quoted as the driver
 * quotes it; a backslash or a double quote is escaped only where there is one. Instants are
 * written in UTC (`iso`), the same instant as the driver's local-time text, for timestamptz.
 */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  if (values.length === 0) return '{}';
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i += 1) parts[i] = element(values[i]);
  return `{${parts.join(',')}}`;
}

function element(value: ArrayElement): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `"${value}"`;
  // An instant's text holds nothing to escape.
  return `"${iso(value)}"`;
}

function quoted(text: string): string {
  if (!text.includes('\\') && !text.includes('"')) return `"${text}"`;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
