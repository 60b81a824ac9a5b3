import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { MAX_ATTACHMENT_BYTES, truncate } from '../adapters/grpc/mapping/json-limits.js';

/** A stack in the error details is cut like a message, at twice the length. */
const MAX_STACK = 8 * 1024;

/** What ReportOutcomes carries for one execution, before the lease is attached. */
export type Outcome =
  | { readonly case: 'success'; readonly value: { readonly result?: JsonObject } }
  | { readonly case: 'failure'; readonly value: { readonly errorMessage: string; readonly errorDetails?: JsonObject; readonly retryable?: boolean } };

/** A handler's resolved value as an outcome; a result the server would refuse becomes a failure instead. */
export function successOf(value: unknown): Outcome {
  if (value === undefined || value === null) return { case: 'success', value: {} };
  try {
    const copy = boundedJson(value);
    return { case: 'success', value: { result: isJsonObject(copy) ? copy : { value: copy } } };
  } catch (error) {
    return failure(`the handler's result cannot be stored: ${(error as Error).message}`, { name: 'InvalidResult' }, false);
  }
}

/** A handler's thrown value as a failed outcome. */
export function failureOf(error: unknown): Outcome {
  if (!(error instanceof Error)) return failure(String(error) || 'the handler failed', { name: 'NonError' }, retryableOf(error));
  const details: JsonObject = { name: error.name };
  if (error.stack) details['stack'] = truncate(error.stack, MAX_STACK);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') details['code'] = code;
  return failure(error.message || error.name || 'the handler failed', details, retryableOf(error));
}

/** A failure decided by the SDK itself. */
export function failure(message: string, details: JsonObject | undefined, retryable: boolean): Outcome {
  const errorMessage = truncate(message);
  return { case: 'failure', value: { errorMessage: errorMessage.trim() === '' ? 'the handler failed' : errorMessage, ...(details ? { errorDetails: details } : {}), ...(retryable ? {} : { retryable: false }) } };
}

/**
 * A plain JSON copy of `value` (dates become strings, undefined members vanish, as JSON.stringify
 * does), refused when larger than the server accepts, so one bad value never sinks a whole batch.
 */
export function boundedJson(value: unknown): JsonValue {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new TypeError('it has no JSON form');
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_ATTACHMENT_BYTES) throw new RangeError(`it is ${bytes} bytes as JSON; the limit is ${MAX_ATTACHMENT_BYTES}`);
  return JSON.parse(text) as JsonValue;
}

export function isJsonObject(value: JsonValue): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function retryableOf(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}
