/**
 * A W3C trace context (the `traceparent` and `tracestate` headers), kept with a job and its
 * executions so the trace of the call that created the work reaches the handler that runs it.
 * Opaque to the domain: it is stored and handed on, never interpreted.
 */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}
