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

/**
 * Cuts text to at most `max` characters (code points, see characterCount), ending with "…" when
 * it cut: for limits the contract states in characters, where truncateText's UTF-16 units would
 * cut text of 4,096 emoji that the contract promises to keep.
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

/**
 * Cuts text to at most `max` UTF-16 code units, ending with "…" when it cut. Never splits a
 * surrogate pair: half of an astral character is not valid Unicode, and PostgreSQL refuses it
 * in json and jsonb columns.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * A caller's value as an error message shows it: quoted, escaped, and at most ECHO_LIMIT
 * characters of it. Messages travel in the gRPC status trailer, which HTTP/2 limits to a few
 * KiB; echoing a 64 KiB value whole made the answer undeliverable and stalled the connection.
 */
export function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(truncateText(text, ECHO_LIMIT + 1));
}
