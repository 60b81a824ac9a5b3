import { DomainError } from '../../../domain/errors.js';
import type { JsonObject } from '../../../domain/json.js';
import { truncateCharacters } from '../../../domain/text.js';

/** Results, error details and progress are bounded so one worker cannot bloat the database. */
export const MAX_ATTACHMENT_BYTES = 64 * 1024;
export const MAX_ERROR_MESSAGE = 4096;

export function boundedJson(field: string, value: JsonObject | undefined, maxBytes = MAX_ATTACHMENT_BYTES): JsonObject | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > maxBytes) throw DomainError.invalidArgument(`${field} is ${bytes} bytes encoded; the limit is ${maxBytes}`);
  return value;
}

/** Error messages longer than the contract's 4,096 characters are cut, not refused. */
export function truncate(text: string, max = MAX_ERROR_MESSAGE): string {
  return truncateCharacters(text, max);
}
