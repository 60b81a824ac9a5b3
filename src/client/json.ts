import type { JsonObject } from '@bufbuild/protobuf';

/**
 * A payload (or progress, result) as the google.protobuf.Struct fields take it: a plain JSON
 * object. Values go through JSON as they would on the wire (a Date becomes its ISO string,
 * undefined properties disappear), so what you pass is what the worker receives; a value that
 * is not an object, or cannot be encoded (a bigint, a cycle), throws here rather than in the call.
 */
export function json(value: unknown): JsonObject {
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`the payload cannot be encoded as JSON: ${(error as Error).message}`);
  }
  const decoded: unknown = encoded === undefined ? undefined : JSON.parse(encoded);
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new TypeError(`a payload is a JSON object, got ${Array.isArray(decoded) ? 'an array' : decoded === null ? 'null' : typeof decoded}`);
  }
  return decoded as JsonObject;
}
