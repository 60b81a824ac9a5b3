/**
 * IANA time zones through Intl, the only tz database a pure module can reach. A wall-clock time
 * is represented as a "naive" millisecond count: the epoch milliseconds the same calendar fields
 * would have in UTC. Naive values compare and add like instants, which keeps the DST logic in
 * wall-clock.ts plain arithmetic.
 */

/**
 * Intl also accepts UTC offsets such as "+01:00" in newer engines; the contract asks for an IANA
 * name, and a fixed offset would silently lose DST, so such strings are refused before Intl sees
 * them.
 */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Formatters are costly to build and immutable, so one per zone is kept; this caches, it holds no state. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isKnownTimeZone(name: string): boolean {
  if (!IANA_NAME.test(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time (naive ms) that `instantMs` shows in `zone`. */
export function wallClockAt(zone: string, instantMs: number): number {
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, bc: false };
  for (const part of formatterFor(zone).formatToParts(instantMs)) {
    if (part.type === 'era') fields.bc = part.value === 'BC';
    else if (part.type in fields) (fields as Record<string, number | boolean>)[part.type] = Number(part.value);
  }
  const year = fields.bc ? 1 - fields.year : fields.year;
  // Date.UTC reads years 0-99 as 1900-1999; shifting by one 400-year Gregorian cycle avoids that.
  const naive = Date.UTC(year + 400, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second) - GREGORIAN_CYCLE_MS;
  return naive + mod(instantMs, 1000);
}

const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

/** How far `zone`'s wall clock is ahead of UTC at `instantMs`, in milliseconds. */
export function utcOffsetAt(zone: string, instantMs: number): number {
  return wallClockAt(zone, instantMs) - instantMs;
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
