import { createHash } from 'node:crypto';
import { DomainError } from '../../../domain/errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/**
 * Opaque page tokens: the keyset position plus a digest of the query, so a token is refused
 * when replayed with other filters or altered. Base64url JSON; not secret, just not meant to be
 * built by hand.
 */
export function encodePageToken(position: Record<string, unknown>, query: unknown): string {
  return Buffer.from(JSON.stringify({ p: position, q: digest(query) })).toString('base64url');
}

export function decodePageToken(token: string, query: unknown): Record<string, unknown> | undefined {
  if (token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw notIssued();
  }
  if (!isRecord(parsed) || !isRecord(parsed.p)) throw notIssued();
  if (parsed.q !== digest(query)) {
    throw DomainError.invalidArgument('page_token does not belong to this query: pass the same filters as the request that returned it');
  }
  return parsed.p;
}

export function pageSize(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (requested > MAX_PAGE_SIZE) throw DomainError.invalidArgument(`page_size must be at most ${MAX_PAGE_SIZE}, got ${requested}`);
  return requested;
}

function digest(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 12);
}

/**
 * Reads a field of a decoded position, refusing tokens whose content is not what we wrote: the
 * digest only ties a token to its query, so an edited position must still never reach SQL.
 */
export function positionField<T>(position: Record<string, unknown>, name: string, check: (value: unknown) => value is T): T {
  const value = position[name];
  if (!check(value)) throw notIssued();
  return value;
}

/** Milliseconds within the range of a protobuf Timestamp (years 1 to 9999). */
const MIN_TIME_MS = -62_135_596_800_000;
const MAX_TIME_MS = 253_402_300_799_999;

export const isTimeMs = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= MIN_TIME_MS && (value as number) <= MAX_TIME_MS;
export const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notIssued(): DomainError {
  return DomainError.invalidArgument('page_token is not a token this service issued');
}
