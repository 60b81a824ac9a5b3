import { DomainError } from '../errors.js';

/**
 * A signing secret in the Standard Webhooks form: "whsec_" and the base64 of 24 to 64 bytes
 * (the HMAC key is those bytes). Receivers' libraries for that convention take it as it is.
 */
const SECRET = /^whsec_([A-Za-z0-9+/]{32,88}={0,2})$/;

export function checkSecret(field: string, secret: string): string {
  const match = SECRET.exec(secret);
  const bytes = match ? Math.floor((match[1]!.replace(/=+$/, '').length * 3) / 4) : 0;
  if (!match || match[1]!.length % 4 !== 0 || bytes < 24 || bytes > 64) {
    throw DomainError.invalidArgument(`${field} must be "whsec_" followed by the base64 of 24 to 64 random bytes, or empty to have one generated`);
  }
  return secret;
}
