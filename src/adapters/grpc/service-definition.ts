import { fromBinary, fromJsonString, toBinary, type DescMessage, type DescMethod, type DescService, type MessageShape } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * grpc-js has no protobuf-es code generator, so the grpc-js service definition is derived from the
 * descriptor protobuf-es generates: paths from the proto names, (de)serialisation with
 * toBinary/fromBinary. Keys are the methods' local names (createJob); grpc-js also accepts the
 * proto names (CreateJob) through originalName. This definition builds typed clients; our server
 * registers grpcServerDefinition instead.
 */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  return definitionOf(service, (method) => decoder(method.input));
}

/**
 * The definition our server registers: requests stay undecoded bytes, because grpc-js runs the
 * deserializer before any handler, so decoding there would spend CPU and memory on callers the
 * guard then refuses. service-binding.ts decodes with decodeRequest once the caller is admitted.
 */
export function grpcServerDefinition(service: DescService): ServiceDefinition {
  return definitionOf(service, () => (bytes: Buffer): Uint8Array => bytes);
}

function definitionOf(service: DescService, requestDeserialize: (method: DescMethod) => (bytes: Buffer) => unknown): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: methodPath(service, method.name),
      originalName: method.name,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: encoder(method.input),
      requestDeserialize: requestDeserialize(method),
      responseSerialize: encoder(method.output),
      responseDeserialize: decoder(method.output),
    } as MethodDefinition<unknown, unknown>;
  }
  return definition as ServiceDefinition;
}

function encoder<Desc extends DescMessage>(schema: Desc) {
  return (message: MessageShape<Desc> | EncodedMessage<Desc>): Buffer => {
    const bytes = message instanceof EncodedMessage ? message.encode() : toBinary(schema, message);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * A response whose binary encoding its handler makes: to know its size before sending it, or to
 * cut it to what a client accepts. grpc-js and the HTTP port's binary codec send encode(); the
 * HTTP port's JSON codec writes `message`.
 */
export class EncodedMessage<Desc extends DescMessage = DescMessage> {
  constructor(
    readonly message: MessageShape<Desc>,
    readonly encode: () => Uint8Array,
  ) {}
}

function decoder<Desc extends DescMessage>(schema: Desc) {
  return (bytes: Buffer): MessageShape<Desc> => fromBinary(schema, bytes);
}

/** Stands in for a request whose bytes are not a valid message of the method's input type. */
export class UnreadableRequest {
  constructor(
    readonly typeName: string,
    readonly reason: string,
  ) {}
}

/**
 * A request body in the protobuf JSON mapping, as the Connect and gRPC-Web protocols may send it
 * (src/adapters/http). It travels undecoded like binary bytes, so it too is parsed only once the
 * caller is admitted.
 */
export class JsonRequest {
  constructor(readonly text: string) {}
}

/**
 * Decodes a request on the server. A malformed request is the caller's mistake, so instead of
 * throwing (which grpc-js would answer INTERNAL) this returns the stand-in, which the handler
 * binding answers INVALID_ARGUMENT.
 */
export function decodeRequest<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array | JsonRequest): MessageShape<Desc> | UnreadableRequest {
  try {
    return bytes instanceof JsonRequest ? fromJsonString(schema, bytes.text) : fromBinary(schema, bytes);
  } catch (error) {
    return new UnreadableRequest(schema.typeName, unreadableBecause(error));
  }
}

/** The decoder's reason, in the caller's terms where Node's own words would puzzle them. */
function unreadableBecause(error: unknown): string {
  // proto3 strings must be UTF-8; protobuf-es checks it with a fatal TextDecoder.
  if ((error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return 'a string field holds bytes that are not valid UTF-8 (proto3 strings must be UTF-8)';
  return (error as Error).message;
}

/** The HTTP/2 path of a method (/package.Service/Method): what grpc-js routes, the role table and the audit log key on. */
export function methodPath(service: DescService, methodName: string): string {
  return `/${service.typeName}/${methodName}`;
}
