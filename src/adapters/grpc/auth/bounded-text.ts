/** How many characters of a value from a request or a token a log line or status message repeats. */
export const MAX_ECHOED_CHARACTERS = 100;

/**
 * The text itself, or its first `max` characters and "…". Values from callers are unbounded (a
 * worker id or a token's kid can be megabytes), and each echo of one would cost that much again
 * in every log line or error that repeats it. Counted in code points, so a cut never splits a
 * UTF-16 surrogate pair into invalid text.
 */
export function boundedText(text: string, max = MAX_ECHOED_CHARACTERS): string {
  if (text.length <= max) return text;
  let characters = 0;
  let end = 0;
  for (const character of text) {
    if (characters === max) return `${text.slice(0, end)}…`;
    characters += 1;
    end += character.length;
  }
  return text;
}
