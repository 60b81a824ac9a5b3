import { randomUUID } from 'node:crypto';
import type { Metadata, ServerDuplexStream, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { ANONYMOUS, type Principal } from './auth/principal.js';

/** What a handler may know about the call it serves, without touching grpc-js. */
export interface CallContext {
  /** The full method path, e.g. /jobscheduler.v1.JobSchedulerService/CreateJob. */
  readonly method: string;
  readonly metadata: Metadata;
  /** Aborted when the client cancels, the deadline passes or the server shuts down. */
  readonly signal: AbortSignal;
  readonly peer: string;
  /** From the caller's x-correlation-id (or x-request-id) header, or generated; appears in every log line of the call. */
  readonly correlationId: string;
  /** Who calls: set by the binding's guard once authenticated (subject "anonymous" before, or without authentication). */
  readonly principal: Principal;
  /** The size of a unary call's request as received in protobuf binary; undefined for JSON and for streams. */
  readonly requestBytes: number | undefined;
}

const CORRELATION_HEADERS = ['x-correlation-id', 'x-request-id'];
const SAFE_ID = /^[\w.:-]{1,128}$/;

type ServerCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;

/**
 * The context of one call, and release(), which the binding calls when the call ends: it
 * detaches the call from the server's shutdown signal, which would otherwise collect one
 * listener per call ever served.
 */
export function createCallContext(method: string, call: ServerCall, shutdown: AbortSignal): { context: CallContext; release: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  // The union of grpc-js call types has no common on/off signature; all are EventEmitters.
  const events = call as unknown as NodeJS.EventEmitter;
  const release = () => {
    events.off('cancelled', abort);
    shutdown.removeEventListener('abort', abort);
  };
  events.on('cancelled', abort);
  shutdown.addEventListener('abort', abort, { once: true });
  const context: CallContext = {
    method,
    metadata: call.metadata,
    signal: controller.signal,
    peer: call.getPeer(),
    correlationId: correlationIdOf(call.metadata),
    principal: ANONYMOUS,
    requestBytes: requestBytesOf(call),
  };
  return { context, release };
}

function requestBytesOf(call: ServerCall): number | undefined {
  // grpcServerDefinition leaves a unary request undecoded (service-binding.ts decodes it once admitted).
  const request = (call as { request?: unknown }).request;
  return request instanceof Uint8Array ? request.byteLength : undefined;
}

function correlationIdOf(metadata: Metadata): string {
  for (const header of CORRELATION_HEADERS) {
    const [value] = metadata.get(header);
    if (typeof value === 'string' && SAFE_ID.test(value)) return value;
  }
  return randomUUID();
}
