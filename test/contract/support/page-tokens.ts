/**
 * Edited page tokens, for the cases that check the service never trusts one. A token is opaque
 * to clients; these helpers look inside only to change what a forger would change. If the
 * format is not what they expect, they fall back to altering the text.
 */
export function forgedToken(token: string, edit: (position: Record<string, unknown>) => void): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p: Record<string, unknown> };
    edit(parsed.p);
    return Buffer.from(JSON.stringify(parsed)).toString('base64url');
  } catch {
    return `${token.slice(0, -4)}AAAA`;
  }
}

/** Every text field of the position replaced by text that is no id. */
export const withBadIds = (token: string): string =>
  forgedToken(token, (p) => {
    for (const key of Object.keys(p)) if (typeof p[key] === 'string') p[key] = "x' OR 1=1 --";
  });

/** Every number of the position replaced by one no row position can hold. */
export const withBadNumbers = (token: string): string =>
  forgedToken(token, (p) => {
    for (const key of Object.keys(p)) if (typeof p[key] === 'number') p[key] = 1e300;
  });

/** Not JSON at all. */
export const GARBAGE_TOKEN = 'bm90IGEgdG9rZW4';
/** Valid base64url JSON, but not an object. */
export const NULL_TOKEN = Buffer.from('null').toString('base64url');
