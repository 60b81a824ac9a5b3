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

/** A caller's value as a log line or error message repeats it: at most ECHO_LIMIT characters of it. */
export function shortened(text: string): string {
  return truncateText(text, ECHO_LIMIT + 1);
}

/**
 * A caller's value as an error message shows it: quoted, escaped, and at most ECHO_LIMIT
 * characters of it. Messages travel in the gRPC status trailer, which HTTP/2 limits to a few
 * KiB; echoing a 64 KiB value whole made the answer undeliverable and stalled the connection.
 */
export function quoted(value: unknown): string {
  return JSON.stringify(shortened(typeof value === 'string' ? value : String(value)));
}
