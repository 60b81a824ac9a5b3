import { status } from '@grpc/grpc-js';

/**
 * The wire formats the HTTP port speaks, each a thin framing around the same protobuf messages:
 * Connect unary (the body is the message, errors are JSON with an HTTP status), Connect streaming
 * and gRPC-Web (enveloped messages; the status travels in a last frame).
 */
export type ProtocolName = 'connect' | 'connect-stream' | 'grpc-web' | 'grpc-web-text';
export type Codec = 'json' | 'proto';

export interface Protocol {
  name: ProtocolName;
  codec: Codec;
  /** The content type of the response. */
  contentType: string;
}

/** The protocol a request's content type selects, or undefined for one we do not speak. */
export function protocolOf(contentType: string | undefined): Protocol | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  switch (type) {
    case 'application/json':
      return { name: 'connect', codec: 'json', contentType: 'application/json' };
    case 'application/proto':
      return { name: 'connect', codec: 'proto', contentType: 'application/proto' };
    case 'application/connect+json':
      return { name: 'connect-stream', codec: 'json', contentType: type };
    case 'application/connect+proto':
      return { name: 'connect-stream', codec: 'proto', contentType: type };
    case 'application/grpc-web':
    case 'application/grpc-web+proto':
      return { name: 'grpc-web', codec: 'proto', contentType: 'application/grpc-web+proto' };
    case 'application/grpc-web+json':
      return { name: 'grpc-web', codec: 'json', contentType: type };
    case 'application/grpc-web-text':
    case 'application/grpc-web-text+proto':
      return { name: 'grpc-web-text', codec: 'proto', contentType: 'application/grpc-web-text+proto' };
    default:
      return undefined;
  }
}

export const SUPPORTED_CONTENT_TYPES = 'application/json or application/proto (Connect unary), application/connect+json or application/connect+proto (Connect streaming), application/grpc-web(+proto|+json) or application/grpc-web-text';

/** Connect's names for the gRPC codes and the HTTP status of a Connect unary error (connectrpc.com/docs/protocol). */
const CONNECT_CODES: Readonly<Record<number, readonly [string, number]>> = {
  [status.CANCELLED]: ['canceled', 499],
  [status.UNKNOWN]: ['unknown', 500],
  [status.INVALID_ARGUMENT]: ['invalid_argument', 400],
  [status.DEADLINE_EXCEEDED]: ['deadline_exceeded', 504],
  [status.NOT_FOUND]: ['not_found', 404],
  [status.ALREADY_EXISTS]: ['already_exists', 409],
  [status.PERMISSION_DENIED]: ['permission_denied', 403],
  [status.RESOURCE_EXHAUSTED]: ['resource_exhausted', 429],
  [status.FAILED_PRECONDITION]: ['failed_precondition', 400],
  [status.ABORTED]: ['aborted', 409],
  [status.OUT_OF_RANGE]: ['out_of_range', 400],
  [status.UNIMPLEMENTED]: ['unimplemented', 501],
  [status.INTERNAL]: ['internal', 500],
  [status.UNAVAILABLE]: ['unavailable', 503],
  [status.DATA_LOSS]: ['data_loss', 500],
  [status.UNAUTHENTICATED]: ['unauthenticated', 401],
};

export function connectCode(code: status): { name: string; httpStatus: number } {
  const [name, httpStatus] = CONNECT_CODES[code] ?? ['unknown', 500];
  return { name, httpStatus };
}

export const FLAG_COMPRESSED = 0x01;
export const FLAG_CONNECT_END = 0x02;
export const FLAG_GRPC_WEB_TRAILER = 0x80;

/** One length-prefixed frame: a flags byte, a big-endian 32-bit length, the data. */
export function envelope(flags: number, data: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + data.length);
  frame[0] = flags;
  frame.writeUInt32BE(data.length, 1);
  frame.set(data, 5);
  return frame;
}

/** The one message of a streaming request's body, or why the body is not one enveloped message. */
export function singleEnvelope(body: Buffer): { data: Buffer } | { problem: string; code: status } {
  if (body.length < 5) return { problem: 'the request body is not an enveloped message (fewer than 5 bytes)', code: status.INVALID_ARGUMENT };
  const flags = body[0] as number;
  const length = body.readUInt32BE(1);
  if (flags & FLAG_COMPRESSED) return { problem: 'compressed messages are not supported: send them uncompressed (identity)', code: status.UNIMPLEMENTED };
  if (body.length !== 5 + length) return { problem: `the request body must hold exactly one enveloped message; it announces ${length} bytes and carries ${body.length - 5}`, code: status.INVALID_ARGUMENT };
  return { data: body.subarray(5) };
}

/** gRPC's percent-encoding of grpc-message: printable ASCII but '%' stays, the rest is %XX of its UTF-8. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
