import { create, type DescMessage, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { grpcServiceDefinition } from '../service-definition.js';

export interface CallSettings {
  /** Absolute deadline or milliseconds from now. */
  deadline?: Date | number;
  metadata?: Metadata | Record<string, string>;
  /** Cancels the call (CANCELLED) when aborted. */
  signal?: AbortSignal;
}

type UnaryMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  settings?: CallSettings,
) => Promise<MessageShape<O>>;

type ServerStreamMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  settings?: CallSettings,
) => AsyncIterable<MessageShape<O>>;

/** A bidirectional call: iterate it for the server's messages; it ends with the call (a failure throws). */
export interface BidiStream<I extends DescMessage, O extends DescMessage> extends AsyncIterable<MessageShape<O>> {
  /** Sends one message; resolves once the transport took it (waiting while the server is slow). */
  send(message: MessageInitShape<I>): Promise<void>;
  /** No more messages from this side; the server's may still come. */
  end(): void;
  cancel(): void;
}

type BidiStreamMethod<I extends DescMessage, O extends DescMessage> = (settings?: CallSettings) => BidiStream<I, O>;

type ClientMethodFor<M> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? UnaryMethod<I, O>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? ServerStreamMethod<I, O>
    : M extends { methodKind: 'bidi_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? BidiStreamMethod<I, O>
      : never;

/** A promise-based client with one typed method per RPC, plus close(). */
export type ServiceClient<S extends DescService> = { [K in keyof S['method']]: ClientMethodFor<S['method'][K]> } & {
  /** The underlying grpc-js client, for waitForReady and channel state. */
  readonly grpc: Client;
  close(): void;
};

/**
 * What these clients accept in one message unless their options say otherwise: twice the largest
 * payload the service can be configured to hold (MAX_PAYLOAD_BYTES, at most 64 MiB). At gRPC's
 * default of 4 MiB, a job or execution whose payload is larger than about 4 MiB could not be
 * read: GetJob failed with RESOURCE_EXHAUSTED, and a worker's Work stream ended on it and, once
 * reconnected, was sent it again. The service keeps its answers within 4 MiB for every other
 * client where splitting can (pages are cut, deliveries split); this covers the single items.
 */
export const RECEIVE_LIMIT_BYTES = 128 * 1024 * 1024;

/**
 * Builds a typed client from a generated service descriptor: requests are plain objects (or
 * messages), responses protobuf-es messages, and failures grpc-js ServiceErrors with code and
 * details.
 */
export function createServiceClient<S extends DescService>(
  service: S,
  address: string,
  channelCredentials: ChannelCredentials = grpcCredentials.createInsecure(),
  channelOptions: ChannelOptions = {},
): ServiceClient<S> {
  const Constructor = makeGenericClientConstructor(grpcServiceDefinition(service), service.typeName);
  const client = new Constructor(address, channelCredentials, { 'grpc.max_receive_message_length': RECEIVE_LIMIT_BYTES, ...channelOptions });
  const methods: Record<string, unknown> = {};
  for (const method of service.methods) {
    const invoke = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method.localName]!.bind(client);
    if (method.methodKind === 'bidi_streaming') {
      methods[method.localName] = (settings: CallSettings = {}) => bidiOf(method.input, invoke(toMetadata(settings.metadata), callOptions(settings)) as ClientDuplexStream<unknown, MessageShape<DescMessage>>, settings.signal);
      continue;
    }
    methods[method.localName] =
      method.methodKind === 'server_streaming'
        ? (request: MessageInitShape<DescMessage>, settings: CallSettings = {}) =>
            streamOf(invoke(create(method.input, request), toMetadata(settings.metadata), callOptions(settings)) as ClientReadableStream<MessageShape<DescMessage>>, settings.signal)
        : (request: MessageInitShape<DescMessage>, settings: CallSettings = {}) =>
            new Promise((resolve, reject) => {
              const { signal } = settings;
              // Detached when the call ends, so a long-lived signal does not gather one listener per call.
              const cancel = () => call.cancel();
              const call = invoke(create(method.input, request), toMetadata(settings.metadata), callOptions(settings), (error: ServiceError | null, response: unknown) => {
                signal?.removeEventListener('abort', cancel);
                if (error) reject(error);
                else resolve(response);
              }) as { cancel(): void };
              if (signal?.aborted) call.cancel();
              else signal?.addEventListener('abort', cancel, { once: true });
            });
  }
  return Object.assign(methods, { grpc: client, close: () => client.close() }) as ServiceClient<S>;
}

function bidiOf(input: DescMessage, call: ClientDuplexStream<unknown, MessageShape<DescMessage>>, signal: AbortSignal | undefined): BidiStream<DescMessage, DescMessage> {
  return {
    send: (message) => (call.write(create(input, message)) ? Promise.resolve() : new Promise((resolve) => call.once('drain', () => resolve()))),
    end: () => call.end(),
    cancel: () => call.cancel(),
    [Symbol.asyncIterator]: () => streamOf(call, signal)[Symbol.asyncIterator](),
  };
}

async function* streamOf<T>(call: ClientReadableStream<T> | ClientDuplexStream<unknown, T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  const cancel = () => call.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for await (const message of call) yield message as T;
  } finally {
    signal?.removeEventListener('abort', cancel);
    call.cancel();
  }
}

function toMetadata(input: CallSettings['metadata']): Metadata {
  if (input instanceof Metadata) return input;
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(input ?? {})) metadata.set(key, value);
  return metadata;
}

function callOptions(settings: CallSettings): CallOptions {
  if (settings.deadline === undefined) return {};
  return { deadline: typeof settings.deadline === 'number' ? Date.now() + settings.deadline : settings.deadline };
}
