import { createTraceState, isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import type { TraceContext } from '../../domain/trace-context.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The span context a stored or received `traceparent` names; undefined when it is malformed or
 * all zeros. Parsed here rather than through the global propagator, so a context stored with a
 * job still parses whatever propagators the process registered.
 */
export function spanContextOf(traceContext: TraceContext | undefined): SpanContext | undefined {
  const match = traceContext && TRACEPARENT.exec(traceContext.traceparent.trim().toLowerCase());
  if (!match || match[1] === 'ff') return undefined;
  const spanContext: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: parseInt(match[4] as string, 16) & 1,
    isRemote: true,
    ...(traceContext.tracestate ? { traceState: createTraceState(traceContext.tracestate) } : {}),
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The W3C headers of a span context, to store with a job or execution. */
export function traceContextOf(spanContext: SpanContext): TraceContext | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 1).toString(16).padStart(2, '0')}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}
