import { ScalarType, type DescMessage, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, status, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';

export interface RawAnswer {
  code: number;
  details: string;
  ms: number;
  /** The response messages as sent: one for a unary call that succeeded, any number for a stream. */
  messages: Buffer[];
}

/**
 * A grpc-js client that sends bytes as they are as the request of any method, unary or
 * streaming, and reports how the call ended. Streams are read to their end (or deadline); a
 * bidirectional stream gets the bytes as its one message.
 */
export class RawCaller {
  private readonly client: Client;

  constructor(address: string, services: readonly DescService[]) {
    const identity = (bytes: Buffer) => bytes;
    const methods = Object.fromEntries(
      services.flatMap((service) =>
        service.methods.map((m) => [
          `${service.name}/${m.name}`,
          { path: `/${service.typeName}/${m.name}`, requestStream: m.methodKind === 'bidi_streaming', responseStream: m.methodKind !== 'unary', requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
        ]),
      ),
    );
    const Constructor = makeGenericClientConstructor(methods, 'Raw');
    this.client = new Constructor(address, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
  }

  call(method: DescMethod, bytes: Uint8Array, deadlineMs: number): Promise<RawAnswer> {
    const started = Date.now();
    const key = `${method.parent.name}/${method.name}`;
    const invoke = (this.client as unknown as Record<string, (...args: unknown[]) => unknown>)[key]!.bind(this.client);
    const deadline = new Date(started + deadlineMs);
    return new Promise((resolve) => {
      if (method.methodKind === 'bidi_streaming') {
        // The case is the stream's one message; the client then says it is done.
        const messages: Buffer[] = [];
        const stream = invoke({ deadline }) as ClientDuplexStream<Buffer, Buffer>;
        stream.on('data', (message: Buffer) => messages.push(message));
        stream.on('error', () => undefined);
        stream.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details, ms: Date.now() - started, messages }));
        stream.write(Buffer.from(bytes));
        stream.end();
      } else if (method.methodKind === 'server_streaming') {
        const messages: Buffer[] = [];
        const stream = invoke(Buffer.from(bytes), { deadline }) as ClientReadableStream<Buffer>;
        stream.on('data', (message: Buffer) => messages.push(message));
        stream.on('error', () => undefined);
        stream.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details, ms: Date.now() - started, messages }));
      } else {
        invoke(Buffer.from(bytes), { deadline }, (error: ServiceError | null, response?: Buffer) =>
          resolve({ code: error?.code ?? status.OK, details: error?.details ?? '', ms: Date.now() - started, messages: response ? [response] : [] }),
        );
      }
    });
  }

  close(): void {
    this.client.close();
  }
}

const MARKER = 'Zq9Zq9Zq';
const MARKER_BYTES = Buffer.from(MARKER, 'utf8');

/** Byte sequences that are not valid UTF-8 (or are, but hold NUL), each as long as MARKER. */
export const INVALID_UTF8 = [
  [0xff, 0xfe, 0xfd, 0xfc, 0x80, 0x81, 0xc0, 0xc1],
  [0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x41],
  [0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf, 0x41, 0x41],
  [0xf4, 0x90, 0x80, 0x80, 0x41, 0x41, 0x41, 0x41],
  [0xc0, 0x80, 0xe0, 0x80, 0x80, 0x41, 0x41, 0x41],
  [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
].map((bytes) => Buffer.from(bytes));

/**
 * One request init per string of the message (fields, repeated fields, map keys and values,
 * Struct keys and values, nested messages and oneofs up to a few levels), holding MARKER there.
 */
export function* markedRequests(message: DescMessage, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 3) return;
  for (const field of message.fields) {
    const wrap = (value: unknown): Record<string, unknown> => (field.oneof ? { [field.oneof.localName]: { case: field.localName, value } } : { [field.localName]: value });
    if (field.fieldKind === 'scalar' && field.scalar === ScalarType.STRING) yield wrap(MARKER);
    else if (field.fieldKind === 'list' && field.listKind === 'scalar' && field.scalar === ScalarType.STRING) yield wrap([MARKER]);
    else if (field.fieldKind === 'map' && field.mapKey === ScalarType.STRING && field.mapKind === 'scalar' && field.scalar === ScalarType.STRING) {
      yield wrap({ [MARKER]: 'v' });
      yield wrap({ k: MARKER });
    } else if (field.fieldKind === 'message' && field.message.typeName === 'google.protobuf.Struct') {
      yield wrap({ [MARKER]: MARKER });
    } else if (field.fieldKind === 'message' && !field.message.typeName.startsWith('google.protobuf.')) {
      for (const inner of markedRequests(field.message, depth + 1)) yield wrap(inner);
    } else if (field.fieldKind === 'list' && field.listKind === 'message' && !field.message.typeName.startsWith('google.protobuf.')) {
      for (const inner of markedRequests(field.message, depth + 1)) yield wrap([inner]);
    }
  }
}

/** The encoded request with every MARKER replaced by `replacement` (same length, so lengths stay right). */
export function patched(bytes: Uint8Array, replacement: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(MARKER_BYTES); at >= 0; at = out.indexOf(MARKER_BYTES, at + MARKER_BYTES.length)) replacement.copy(out, at);
  return out;
}

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};

/** A google.protobuf.Struct `{ a: { a: … {} } }` nested `depth` times, as bytes (built inside out, without recursion). */
function deepStructBytes(depth: number): Buffer {
  const prefixes: number[][] = [];
  let inner = 0;
  for (let level = 0; level < depth; level += 1) {
    const value = 1 + varint(inner).length + inner; // Value { struct_value (5) }
    const entry = 3 + 1 + varint(value).length + value; // FieldsEntry { key (1) = "a", value (2) }
    prefixes.push([0x0a, ...varint(entry), 0x0a, 0x01, 0x61, 0x12, ...varint(value), 0x2a, ...varint(inner)]);
    inner = 1 + varint(entry).length + entry; // Struct { fields (1) }
  }
  return Buffer.from(prefixes.reverse().flat());
}

/** Field-number paths from a request to each Struct it can hold (payload, result, progress, details). */
function structPaths(message: DescMessage, depth = 0): number[][] {
  if (depth > 3) return [];
  return message.fields.flatMap((field) => {
    const inner = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
    if (!inner) return [];
    if (inner.typeName === 'google.protobuf.Struct') return [[field.number]];
    if (inner.typeName.startsWith('google.protobuf.')) return [];
    return structPaths(inner, depth + 1).map((path) => [field.number, ...path]);
  });
}

/**
 * Requests whose Struct fields are nested deeper than a recursive decoder's stack allows (no
 * encoder can build them, so they are written by hand): each must be refused, not crash a call.
 */
export function deeplyNested(method: DescMethod, depths: readonly number[] = [2_000, 40_000]): Buffer[] {
  return depths.flatMap((depth) => {
    const struct = deepStructBytes(depth);
    return structPaths(method.input).map((path) =>
      path.reduceRight((inner, number) => Buffer.concat([Buffer.from([(number << 3) | 2, ...varint(inner.length)]), inner]), struct),
    );
  });
}
