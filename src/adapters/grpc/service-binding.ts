import { setMaxListeners } from 'node:events';
import { create, type DescMessage, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import {
  Metadata,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type StatusObject,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from '../../application/ports/logger.js';
import { StoreUnavailableError } from '../../application/ports/store.js';
import { DomainError } from '../../domain/errors.js';
import type { AuditHook, CallOutcome } from './auth/audit-log.js';
import type { Guard } from './auth/call-guard.js';
import { callerOf } from './auth/guarded-registrar.js';
import { createCallContext, type CallContext } from './call-context.js';
import { unstorableValueAt } from './mapping/unstorable-values.js';
import { decodeRequest, EncodedMessage, methodPath, UnreadableRequest, type JsonRequest } from './service-definition.js';
import { GrpcError, MAX_STATUS_MESSAGE, STATUS_BY_KIND } from './status-table.js';
import { truncateCharacters } from '../../domain/text.js';
import type { RpcTracer } from '../tracing/rpc-spans.js';

type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => Promise<MessageInitShape<O> | EncodedMessage<O>>;

/** send() resolves once the message is handed to the transport, waiting while the client is slow. */
type ServerStreamHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  send: (message: MessageInitShape<O> | EncodedMessage<O>) => Promise<void>,
  context: CallContext,
) => Promise<void>;

/**
 * A bidirectional stream. The caller is admitted before the first message is read; each request
 * arrives decoded and checked, and one that is not a valid message, or holds what cannot be
 * stored, ends the call with INVALID_ARGUMENT (the iteration throws).
 */
type BidiStreamHandler<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  send: (message: MessageInitShape<O> | EncodedMessage<O>) => Promise<void>,
  context: CallContext,
) => Promise<void>;

type HandlerFor<M> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? UnaryHandler<I, O>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? ServerStreamHandler<I, O>
    : M extends { methodKind: 'bidi_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? BidiStreamHandler<I, O>
      : never;

/** One typed handler per RPC of a generated service. */
export type ServiceHandlers<S extends DescService> = { [K in keyof S['method']]: HandlerFor<S['method'][K]> };

export interface BindingOptions {
  logger: Logger;
  /** Aborts every call's signal when the server shuts down. */
  shutdown: AbortSignal;
  /** Authenticates and authorizes every call before its handler runs (auth/call-guard.ts); absent: no checks. */
  guard?: Guard;
  /** Told the outcome of every call, with its caller: the audit log (auth/audit-log.ts). */
  audit?: AuditHook;
  /** Told about every finished call (metrics); must not throw. */
  onCall?: (method: string, code: status, durationMs: number) => void;
  /** A span per call when tracing is on (tracing/rpc-spans.ts); absent: no tracing work at all. */
  traceCall?: RpcTracer;
}

/**
 * Turns typed promise handlers into a grpc-js implementation. This is the one wrapper around every
 * handler: a rejected promise becomes a status from the error table, never an unhandled rejection,
 * and an unexpected error becomes INTERNAL with a correlation id that also appears in the log line,
 * so no database message or stack trace reaches a client.
 */
export function bindService<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
  options: BindingOptions,
): UntypedServiceImplementation {
  // Every call in flight listens on the shutdown signal (hundreds of long polls are normal): no
  // listener limit, or Node warns of a leak at the eleventh concurrent call.
  setMaxListeners(0, options.shutdown);
  const implementation: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const path = methodPath(service, method.name);
    const handler = (handlers as Record<string, unknown>)[method.localName];
    if (typeof handler !== 'function') throw new Error(`no handler for ${path}`);
    if (method.methodKind === 'unary') {
      implementation[method.localName] = unary(path, method.input, method.output, handler as UnaryHandler<DescMessage, DescMessage>, options);
    } else if (method.methodKind === 'server_streaming') {
      implementation[method.localName] = serverStream(path, method.input, method.output, handler as ServerStreamHandler<DescMessage, DescMessage>, options);
    } else if (method.methodKind === 'bidi_streaming') {
      implementation[method.localName] = bidiStream(path, method.input, method.output, handler as BidiStreamHandler<DescMessage, DescMessage>, options);
    } else {
      throw new Error(`${path}: ${method.methodKind} methods are not supported`);
    }
  }
  return implementation;
}

/** The request bytes as grpcServerDefinition hands them over (or JSON from the HTTP port), still undecoded. */
type RawUnaryCall = ServerUnaryCall<Uint8Array | JsonRequest, unknown>;
type RawStreamCall = ServerWritableStream<Uint8Array | JsonRequest, unknown>;
type RawDuplexCall = ServerDuplexStream<Uint8Array, unknown>;

/** What admit() has established so far, for the audit line: the caller, and the request once decoded. */
interface Admission {
  context: CallContext;
  request?: MessageShape<DescMessage>;
}

function unary(path: string, input: DescMessage, output: DescMessage, handler: UnaryHandler<DescMessage, DescMessage>, options: BindingOptions) {
  return (call: RawUnaryCall, callback: sendUnaryData<unknown>) => {
    const created = createCallContext(path, call, options.shutdown);
    const admission: Admission = { context: created.context };
    const started = process.hrtime.bigint();
    const span = options.traceCall?.(path, call.metadata);
    const finish = (code: status, response?: unknown, details?: string) => {
      created.release();
      span?.end(code, details);
      logCall(options, admission.context, code, started);
      audited(options, { context: admission.context, request: admission.request, response, code });
    };
    const handled = () => admit(path, input, call, admission, options).then((request) => handler(request, admission.context));
    (span ? span.run(handled) : handled())
      .then(
        (response) => {
          if (response instanceof EncodedMessage) {
            // Sent as its bytes; the audit line gets the message they encode.
            finish(status.OK, response.message);
            callback(null, response);
            return;
          }
          const message = create(output, response);
          finish(status.OK, message);
          callback(null, message);
        },
        (error: unknown) => {
          const statusObject = toStatus(error, admission.context, options.logger);
          finish(statusObject.code, undefined, statusObject.details);
          callback(statusObject);
        },
      );
  };
}

function serverStream(path: string, input: DescMessage, output: DescMessage, handler: ServerStreamHandler<DescMessage, DescMessage>, options: BindingOptions) {
  return (call: RawStreamCall) =>
    streaming(path, output, call, options, async (admission, send) => handler(await admit(path, input, call, admission, options), send, admission.context));
}

function bidiStream(path: string, input: DescMessage, output: DescMessage, handler: BidiStreamHandler<DescMessage, DescMessage>, options: BindingOptions) {
  return (call: RawDuplexCall) =>
    streaming(path, output, call, options, async (admission, send) => {
      await authorized(path, call, admission, options);
      await handler(checkedRequests(input, call, admission), send, admission.context);
    });
}

/**
 * What both kinds of streaming call share: the call's context, send() that waits while the client
 * is slow, and the end, with the status of the error table and the log and audit lines.
 */
function streaming(
  path: string,
  output: DescMessage,
  call: RawStreamCall | RawDuplexCall,
  options: BindingOptions,
  run: (admission: Admission, send: (message: MessageInitShape<DescMessage> | EncodedMessage) => Promise<void>) => Promise<void>,
): void {
  const created = createCallContext(path, call, options.shutdown);
  const admission: Admission = { context: created.context };
  const started = process.hrtime.bigint();
  const finish = (code: status) => {
    created.release();
    logCall(options, admission.context, code, started);
    audited(options, { context: admission.context, request: admission.request, response: undefined, code });
  };
  const send = (message: MessageInitShape<DescMessage> | EncodedMessage): Promise<void> =>
    call.write(message instanceof EncodedMessage ? message : create(output, message)) ? Promise.resolve() : new Promise((resolve) => call.once('drain', () => resolve()));
  // No span: a stream lives as long as its worker or watcher, and what happens on a Work stream
  // is traced in the traces of the jobs it carries (claims and outcomes).
  run(admission, send).then(
    () => {
      finish(status.OK);
      call.end();
    },
    (error: unknown) => {
      const statusObject = toStatus(error, admission.context, options.logger);
      finish(statusObject.code);
      // grpc-js turns an 'error' event on a server stream into the call's final status.
      call.emit('error', Object.assign(new Error(statusObject.details), statusObject));
    },
  );
}

/** The messages of a stream, each decoded and checked as admit() checks a unary request. */
async function* checkedRequests(input: DescMessage, call: RawDuplexCall, admission: Admission): AsyncIterable<MessageShape<DescMessage>> {
  // Not `for await (… of call)`: that iterator destroys the stream when the client half-closes,
  // and a destroyed call can no longer send its responses or its status.
  for await (const bytes of call.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>) {
    yield checked(input, bytes, admission);
  }
}

/** Authentication, then the role table (see admit()). */
async function authorized(path: string, call: RawUnaryCall | RawStreamCall | RawDuplexCall, admission: Admission, options: BindingOptions): Promise<void> {
  if (options.guard === undefined) return;
  const principal = await options.guard.authenticate(callerOf(call));
  admission.context = { ...admission.context, principal };
  options.guard.authorize(path, principal);
}

/**
 * A request decoded, or INVALID_ARGUMENT when it is not a valid message or holds what cannot be
 * stored. The first request of a call is kept for its audit line, even when refused.
 */
function checked(input: DescMessage, bytes: Uint8Array | JsonRequest, admission: Admission): MessageShape<DescMessage> {
  const request = decodeRequest(input, bytes);
  if (request instanceof UnreadableRequest) {
    throw new GrpcError(status.INVALID_ARGUMENT, `the request is not a valid ${request.typeName} message: ${request.reason}`);
  }
  admission.request ??= request;
  const unstorable = unstorableValueAt(input, request);
  if (unstorable !== undefined) throw new GrpcError(status.INVALID_ARGUMENT, unstorable);
  return request;
}

/**
 * Admits a call and returns its decoded request: authentication first (the principal is recorded
 * in the admission even when the role check then refuses, so the audit line names who was
 * refused), then the role table, and only then decoding, so a caller who is refused costs no
 * decoding whatever the size of its message; then whether the request could be decoded at all,
 * and whether the database can store what it holds.
 */
async function admit(path: string, input: DescMessage, call: RawUnaryCall | RawStreamCall, admission: Admission, options: BindingOptions): Promise<MessageShape<DescMessage>> {
  await authorized(path, call, admission, options);
  return checked(input, call.request, admission);
}

function toStatus(error: unknown, context: CallContext, logger: Logger): StatusObject {
  const metadata = new Metadata();
  metadata.set('x-correlation-id', context.correlationId);
  if (error instanceof DomainError) return { code: STATUS_BY_KIND[error.kind], details: truncateCharacters(error.message, MAX_STATUS_MESSAGE), metadata };
  if (error instanceof GrpcError) return { code: error.code, details: truncateCharacters(error.message, MAX_STATUS_MESSAGE), metadata };
  if (error instanceof StoreUnavailableError) {
    logger.warn({ err: error, method: context.method, correlation_id: context.correlationId }, 'database unavailable during an RPC');
    const details = error.outcomeUnknown
      ? `the database connection was lost while the change was being committed; it may have been made: read before retrying, or retry idempotently (correlation id ${context.correlationId})`
      : `the database is unavailable; nothing was changed, retry later (correlation id ${context.correlationId})`;
    return { code: status.UNAVAILABLE, details, metadata };
  }
  logger.error({ err: error, method: context.method, correlation_id: context.correlationId }, 'unexpected error in RPC handler');
  return { code: status.INTERNAL, details: `internal error (correlation id ${context.correlationId})`, metadata };
}

/**
 * Tells the audit hook, which must not keep the call from being answered: an exception there
 * would otherwise leave a unary call without its callback (or reject a promise nobody awaits).
 */
function audited(options: BindingOptions, outcome: CallOutcome): void {
  try {
    options.audit?.(outcome);
  } catch (error) {
    options.logger.error({ err: error, method: outcome.context.method, correlation_id: outcome.context.correlationId }, 'audit hook failed');
  }
}

function logCall({ logger, onCall }: BindingOptions, context: CallContext, code: status, started: bigint): void {
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  onCall?.(context.method, code, durationMs);
  const fields = {
    rpc: context.method,
    code: status[code],
    duration_ms: durationMs,
    correlation_id: context.correlationId,
    peer: context.peer,
  };
  if (code === status.OK) logger.debug(fields, 'rpc');
  else logger.info(fields, 'rpc');
}
