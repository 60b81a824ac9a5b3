import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { quoted } from '../../../domain/text.js';

const NUL = '\u0000';
/** protobuf-es represents these messages as plain JSON values. */
const JSON_TYPES = new Set(['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue']);

interface TextField {
  readonly field: DescField;
  /** The message type of the field's values, if they are messages. */
  readonly inner: DescMessage | undefined;
}

/** Per message type, the fields that can hold text (numbers, booleans, bytes and enums cannot), worked out once. */
const textFieldsOf = new WeakMap<DescMessage, readonly TextField[]>();

function textFields(desc: DescMessage): readonly TextField[] {
  let fields = textFieldsOf.get(desc);
  if (fields === undefined) {
    fields = desc.fields
      .filter((field) => field.fieldKind === 'message' || field.fieldKind === 'map' || (field.fieldKind === 'list' ? field.listKind === 'message' || field.scalar === ScalarType.STRING : field.fieldKind === 'scalar' && field.scalar === ScalarType.STRING))
      .map((field) => ({
        field,
        inner: field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') || (field.fieldKind === 'map' && field.mapKind === 'message') ? field.message : undefined,
      }));
    textFieldsOf.set(desc, fields);
  }
  return fields;
}

const join = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);
const keyed = (path: string, key: string) => `${path}[${quoted(key.replace(/\u0000/g, '\\0'))}]`;
const holdsNul = (path: string) => `${path || 'the request'} contains the NUL character (U+0000), which cannot be stored; remove it`;

/**
 * Why a decoded request cannot be stored as it is, naming the place as in the request
 * (`job.labels["team"]`, `outcomes[0].success.result["key"]`), or undefined when it can:
 *
 * - the NUL character (U+0000) in any text: PostgreSQL stores neither text nor jsonb with NUL in
 *   it and refuses the whole statement, which would fail as INTERNAL;
 * - NaN or ±Infinity as a number of a Struct or Value (payload, result, progress, error
 *   details): JSON has no such numbers, and JSON.stringify would silently store null instead.
 *
 * One walk over every request, at the edge. Iterative, so a deeply nested Struct cannot exhaust
 * the stack.
 */
export function unstorableValueAt(schema: DescMessage, message: unknown): string | undefined {
  const pending: Array<{ value: unknown; path: string; schema: DescMessage | undefined }> = [{ value: message, path: '', schema }];
  while (pending.length > 0) {
    const { value, path, schema: desc } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return holdsNul(path);
      continue;
    }
    if (typeof value === 'number') {
      // Only JSON values reach here as numbers (textFields leaves scalar fields out).
      if (!Number.isFinite(value)) return `${path} is ${String(value)}; JSON has no NaN or Infinity`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (desc === undefined || JSON_TYPES.has(desc.typeName)) {
      // A JSON value: an array, or an object whose keys are data too.
      if (Array.isArray(value)) value.forEach((item, i) => pending.push({ value: item, path: `${path}[${i}]`, schema: undefined }));
      else
        for (const [key, item] of Object.entries(value)) {
          if (key.includes(NUL)) return holdsNul(keyed(path, key));
          pending.push({ value: item, path: keyed(path, key), schema: undefined });
        }
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const { field, inner } of textFields(desc)) {
      const holder = field.oneof ? (record[field.oneof.localName] as { case?: string; value?: unknown } | undefined) : undefined;
      if (field.oneof && holder?.case !== field.localName) continue;
      const fieldValue = field.oneof ? holder?.value : record[field.localName];
      const fieldPath = join(path, field.name);
      if (field.fieldKind === 'list' && Array.isArray(fieldValue)) {
        fieldValue.forEach((item, i) => pending.push({ value: item, path: `${fieldPath}[${i}]`, schema: inner }));
      } else if (field.fieldKind === 'map' && fieldValue && typeof fieldValue === 'object') {
        for (const [key, item] of Object.entries(fieldValue)) {
          if (key.includes(NUL)) return holdsNul(keyed(fieldPath, key));
          pending.push({ value: item, path: keyed(fieldPath, key), schema: inner });
        }
      } else {
        pending.push({ value: fieldValue, path: fieldPath, schema: inner });
      }
    }
  }
  return undefined;
}
