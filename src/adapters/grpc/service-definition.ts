import { fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * grpc-js has no protobuf-es code generator, so the grpc-js service definition is derived from the
 * descriptor protobuf-es generates: paths from the proto names, (de)serialisation with
 * toBinary/fromBinary. Keys are the methods' local names (createJob); grpc-js also accepts the
 * proto names (CreateJob) through originalName. The same definition builds typed clients.
 */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: methodPath(service, method.name),
      originalName: method.name,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: encoder(method.input),
      requestDeserialize: tolerantDecoder(method.input),
      responseSerialize: encoder(method.output),
      responseDeserialize: decoder(method.output),
    } as MethodDefinition<unknown, unknown>;
  }
  return definition as ServiceDefinition;
}

function encoder<Desc extends DescMessage>(schema: Desc) {
  return (message: MessageShape<Desc>): Buffer => Buffer.from(toBinary(schema, message));
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
 * Requests are decoded on the server only. grpc-js answers INTERNAL when a deserializer throws;
 * a malformed request is the caller's mistake, so the handler binding answers INVALID_ARGUMENT
 * for this stand-in instead.
 */
function tolerantDecoder<Desc extends DescMessage>(schema: Desc) {
  return (bytes: Buffer): MessageShape<Desc> | UnreadableRequest => {
    try {
      return fromBinary(schema, bytes);
    } catch (error) {
      return new UnreadableRequest(schema.typeName, unreadableBecause(error));
    }
  };
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
