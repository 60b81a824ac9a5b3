import pg from 'pg';

const TIMESTAMPTZ = 1184;
const ZERO = 48;

/** The digits of text[from, to) as a number, or NaN when one of them is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i += 1) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}

/**
 * timestamptz as PostgreSQL writes it in text ("2026-12-04 11:41:48.262341+00", any offset),
 * read without regular expressions: the pg driver's parser (postgres-date) runs three per value,
 * and a page of 50 executions holds 400 of them. Milliseconds are cut, not rounded, as
 * postgres-date cuts them (Date.UTC drops the fraction of 1000 × 0.ddd…). Whatever is not of that
 * shape (BC, infinity, years outside 100-9999) goes to the driver's parser unchanged.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const n = text.length;
  if (n < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return fallback(text);
  }
  const year = digits(text, 0, 4);
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    i += 1;
    const start = i;
    while (i < n && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= ZERO + 9) i += 1;
    if (i === start) return fallback(text);
    const kept = Math.min(i - start, 3);
    ms = digits(text, start, start + kept) * (kept === 3 ? 1 : kept === 2 ? 10 : 100);
  }
  const sign = text.charCodeAt(i) === 43 ? 1 : text.charCodeAt(i) === 45 ? -1 : 0;
  // The offset: ±HH, ±HH:MM or ±HH:MM:SS, and nothing after it.
  const rest = n - i - 1;
  if (sign === 0 || (rest !== 2 && rest !== 5 && rest !== 8) || year < 100) return fallback(text);
  let offsetSeconds = digits(text, i + 1, i + 3) * 3600;
  if (rest >= 5) offsetSeconds += text.charCodeAt(i + 3) === 58 ? digits(text, i + 4, i + 6) * 60 : Number.NaN;
  if (rest === 8) offsetSeconds += text.charCodeAt(i + 6) === 58 ? digits(text, i + 7, i + 9) : Number.NaN;
  const utc = Date.UTC(year, digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), ms);
  const time = utc - sign * offsetSeconds * 1000;
  return Number.isNaN(time) ? fallback(text) : new Date(time);
}

const driverParser = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date | number | null;

function fallback(text: string): Date | number | null {
  return driverParser(text);
}

/** The pool's type parsers: the driver's, with timestamptz read by parseTimestamptz. */
export const TYPE_PARSERS = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary' ? parseTimestamptz : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
