import type { TraceContext } from '../../domain/trace-context.js';

export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface SpanOptions {
  /**
   * Where the span goes: by default under the span active in this call (the RPC being served);
   * `root` starts a trace of its own.
   */
  readonly root?: boolean;
  /** Spans this one is linked to (in other traces), such as the trace that created a job. */
  readonly links?: readonly (TraceContext | undefined)[];
}

/**
 * Traces, as the engine records them. Off unless the operator configured an exporter; while
 * off, `enabled` is false and the engine calls nothing else on the hot path.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** The context of the span active in this call (the RPC being served), to store with a job. */
  active(): TraceContext | undefined;
  /** Records a span of one instant (a decision, such as firing an occurrence); returns its context. */
  mark(name: string, attributes: SpanAttributes, options?: SpanOptions): TraceContext | undefined;
  /**
   * Runs `fn` outside any span: for work started by one call that serves many (a group commit),
   * which must not be counted in that call's trace.
   */
  detached<T>(fn: () => T): T;
}

export const NO_TRACING: Tracing = {
  enabled: false,
  active: () => undefined,
  mark: () => undefined,
  detached: (fn) => fn(),
};
