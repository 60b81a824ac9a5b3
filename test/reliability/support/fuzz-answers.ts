import { fromBinary, type DescMessage, type DescMethod, type Message } from '@bufbuild/protobuf';
import type { RawAnswer } from './raw-calls.js';

/**
 * What every answer must respect whatever the request, beyond its status code: a status message
 * a person can read (an echo of a 66 kB value in the grpc-message trailer is neither readable nor
 * safe for the connection), and Timestamps that a client can represent.
 */
export const MAX_STATUS_MESSAGE_BYTES = 1_024;

/** google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;

/** The response messages, decoded (a server that sends bytes its own schema cannot read is wrong too). */
export function decodeAnswer(method: DescMethod, answer: RawAnswer): { messages: Message[]; problem?: string } {
  try {
    return { messages: answer.messages.map((bytes) => fromBinary(method.output, bytes)) };
  } catch (error) {
    return { messages: [], problem: `answered bytes that are not a ${method.output.typeName}: ${(error as Error).message}` };
  }
}

/** Problems of the answer that no request can excuse (beyond INTERNAL, UNKNOWN and hanging). */
export function answerProblems(method: DescMethod, answer: RawAnswer): string[] {
  const problems: string[] = [];
  const length = Buffer.byteLength(answer.details);
  if (length > MAX_STATUS_MESSAGE_BYTES) problems.push(`a status message of ${length} bytes (at most ${MAX_STATUS_MESSAGE_BYTES}): ${answer.details.slice(0, 120)}…`);
  const { messages, problem } = decodeAnswer(method, answer);
  if (problem) problems.push(problem);
  const outside = messages.flatMap((message) => [...timestamps(method.output, message, method.output.name)].filter(([, seconds, nanos]) => seconds < MIN_SECONDS || seconds > MAX_SECONDS || nanos < 0 || nanos > 999_999_999));
  if (outside.length > 0) {
    const [path, seconds, nanos] = outside[0]!;
    problems.push(`${outside.length} Timestamps outside 0001-01-01..9999-12-31, the first ${path} (seconds ${seconds}, nanos ${nanos})`);
  }
  return problems;
}

type Fields = Record<string, unknown>;

/** Every google.protobuf.Timestamp in a message, with its path; other well-known types are leaves. */
function* timestamps(desc: DescMessage, message: Fields, path: string, depth = 0): Generator<[string, bigint, number]> {
  if (desc.typeName === 'google.protobuf.Timestamp') {
    yield [path, BigInt((message.seconds as bigint | undefined) ?? 0n), Number(message.nanos ?? 0)];
    return;
  }
  if (desc.typeName.startsWith('google.protobuf.') || depth > 8) return;
  for (const field of desc.fields) {
    const holder = field.oneof ? (message[field.oneof.localName] as { case?: string; value?: unknown } | undefined) : undefined;
    const value = field.oneof ? (holder?.case === field.localName ? holder.value : undefined) : message[field.localName];
    if (value === undefined || value === null) continue;
    const at = `${path}.${field.name}`;
    if (field.fieldKind === 'message') yield* timestamps(field.message, value as Fields, at, depth + 1);
    else if (field.fieldKind === 'list' && field.listKind === 'message') for (const [i, item] of (value as Fields[]).entries()) yield* timestamps(field.message, item, `${at}[${i}]`, depth + 1);
    else if (field.fieldKind === 'map' && field.mapKind === 'message') for (const [key, item] of Object.entries(value as Record<string, Fields>)) yield* timestamps(field.message, item, `${at}[${key}]`, depth + 1);
  }
}
