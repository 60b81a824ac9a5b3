/**
 * Characters as a person counts them: Unicode code points, so "😀" is one, not two UTF-16 units.
 * Every "at most N characters" of the contract means this (and PostgreSQL's char_length, which
 * the jobs table checks, counts the same).
 */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The length of text encoded as UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes, as
 * TextEncoder writes it), without encoding it. TextEncoder built a copy only to be measured: for
 * a 200 kB payload decoded from a request about 0.65 ms, against 0.06 ms for the ASCII test here
 * (0.4 ms for text that is not all ASCII, half of TextEncoder's time).
 */
export function utf8ByteLength(text: string): number {
  if (ASCII_ONLY.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 4 bytes for its two units.
      bytes += 2;
      i += 1;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/**
 * Cuts text to at most `max` characters (code points, see characterCount), ending with "…" when
 * it cut. Counting code points keeps every limit the contract states in characters, and never
 * splits a surrogate pair: half of an astral character is not valid Unicode, and PostgreSQL
 * refuses it in json and jsonb columns.
 */
export function truncateCharacters(text: string, max: number): string {
  if (text.length <= max) return text;
  let units = 0;
  let count = 0;
  let cut = 0;
  for (const character of text) {
    count += 1;
    if (count === max) cut = units;
    if (count > max) return `${text.slice(0, cut)}…`;
    units += character.length;
  }
  return text;
}

/** How much of a caller's value an error message repeats. */
export const ECHO_LIMIT = 100;

/** A caller's value as a log line or error message repeats it: at most ECHO_LIMIT characters of it. */
export function shortened(text: string): string {
  return truncateCharacters(text, ECHO_LIMIT + 1);
}

/**
 * A caller's value as an error message shows it: quoted, escaped, and at most ECHO_LIMIT
 * characters of it. Messages travel in the gRPC status trailer, which HTTP/2 limits to a few
 * KiB; echoing a 64 KiB value whole made the answer undeliverable and stalled the connection.
 */
export function quoted(value: unknown): string {
  return JSON.stringify(shortened(typeof value === 'string' ? value : String(value)));
}
