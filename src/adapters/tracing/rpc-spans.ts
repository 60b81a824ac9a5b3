import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { status, type Metadata } from '@grpc/grpc-js';
import { spanContextOf } from './w3c.js';

/** The span of one call: the handler runs inside it, and it ends with the call's status. */
export interface RpcSpan {
  run<T>(fn: () => T): T;
  end(code: status, message?: string): void;
}

export type RpcTracer = (method: string, metadata: Metadata) => RpcSpan;

/**
 * A server span per RPC, under the caller's span when its metadata carries a W3C `traceparent`
 * (what OpenTelemetry's gRPC client instrumentation and the SDKs send). The status is the one the
 * client receives, so an error span says INVALID_ARGUMENT or UNAVAILABLE as the caller saw it.
 */
export function rpcTracer(tracer: Tracer): RpcTracer {
  return (method, metadata) => {
    const [traceparent] = metadata.get('traceparent');
    const [tracestate] = metadata.get('tracestate');
    const caller = typeof traceparent === 'string' ? spanContextOf({ traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) }) : undefined;
    const parent = caller ? trace.setSpanContext(ROOT_CONTEXT, caller) : ROOT_CONTEXT;
    const [service, name] = method.replace(/^\//, '').split('/');
    const span = tracer.startSpan(method.replace(/^\//, ''), { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': service ?? '', 'rpc.method': name ?? '' } }, parent);
    const active = trace.setSpan(parent, span);
    return {
      run: (fn) => context.with(active, fn),
      end: (code, message) => {
        span.setAttribute('rpc.grpc.status_code', code);
        if (code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: `${status[code]}${message ? `: ${message}` : ''}` });
        span.end();
      },
    };
  };
}
