import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Tracer } from '@opentelemetry/api';
import type { Execution } from '../../domain/execution/execution.js';
import type { TraceContext } from '../../domain/trace-context.js';
import type { EngineObserver } from '../../application/ports/engine-observer.js';
import type { SpanAttributes, SpanOptions, Tracing } from '../../application/ports/tracing.js';
import { spanContextOf, traceContextOf } from './w3c.js';

/** The engine's spans through @opentelemetry/api, with the tracer the composition root set up. */
export class OtelTracing implements Tracing {
  readonly enabled = true;

  constructor(private readonly tracer: Tracer) {}

  active(): TraceContext | undefined {
    const span = trace.getActiveSpan();
    return span ? traceContextOf(span.spanContext()) : undefined;
  }

  mark(name: string, attributes: SpanAttributes, options: SpanOptions = {}): TraceContext | undefined {
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: defined(attributes), links: linksTo(options.links ?? []), root: options.root ?? false });
    span.end();
    return traceContextOf(span.spanContext());
  }

  detached<T>(fn: () => T): T {
    return context.with(ROOT_CONTEXT, fn);
  }
}

/**
 * A span per claim (an execution handed to a worker) and per outcome (an attempt ended), each in
 * the trace its execution was fired in. The outcome span covers the attempt, from its start to
 * its end as the server recorded them. Executions fired while tracing was off have no trace to
 * join and get none.
 */
export class SpanObserver implements EngineObserver {
  constructor(private readonly tracer: Tracer) {}

  queued(): void {}

  dispatchPass(): void {}

  started(executions: readonly Execution[]): void {
    for (const execution of executions) {
      const parent = spanContextOf(execution.traceContext);
      if (!parent) continue;
      const span = this.tracer.startSpan(
        'jobscheduler.claim',
        { kind: SpanKind.INTERNAL, attributes: { ...executionAttributes(execution), 'jobscheduler.worker.id': execution.workerId ?? '' }, startTime: execution.startedAt },
        trace.setSpanContext(ROOT_CONTEXT, parent),
      );
      span.end(execution.startedAt);
    }
  }

  finished(executions: readonly Execution[]): void {
    for (const execution of executions) {
      const parent = spanContextOf(execution.traceContext);
      if (!parent) continue;
      const span = this.tracer.startSpan(
        'jobscheduler.outcome',
        {
          kind: SpanKind.INTERNAL,
          attributes: { ...executionAttributes(execution), 'jobscheduler.execution.status': execution.status, 'jobscheduler.worker.id': execution.workerId ?? '' },
          startTime: execution.startedAt ?? execution.finishedAt,
        },
        trace.setSpanContext(ROOT_CONTEXT, parent),
      );
      if (execution.status !== 'succeeded' && execution.status !== 'cancelled') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: execution.error?.message ?? execution.status });
      }
      span.end(execution.finishedAt);
    }
  }
}

export function executionAttributes(execution: Execution): Attributes {
  return {
    'jobscheduler.job.id': execution.jobId,
    'jobscheduler.job.type': execution.jobType,
    'jobscheduler.execution.id': execution.id,
    'jobscheduler.execution.attempt': execution.attempt,
  };
}

function defined(attributes: SpanAttributes): Attributes {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) result[key] = value;
  return result;
}

function linksTo(contexts: readonly (TraceContext | undefined)[]): Link[] {
  return contexts.flatMap((traceContext) => {
    const spanContext = spanContextOf(traceContext);
    return spanContext ? [{ context: spanContext }] : [];
  });
}
