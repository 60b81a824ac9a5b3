import type * as OtelApi from '@opentelemetry/api';
import type { AcquiredExecution } from '../gen/jobscheduler/v1/worker_service_pb.js';

/**
 * @opentelemetry/api is an optional peer dependency: an application that has it (and registers
 * an OpenTelemetry SDK) gets a span per handler run; one without it runs handlers as before.
 * Imported by createWorker (loadTracingApi), not at module level: a top-level await would stop
 * CommonJS consumers from require()-ing the client package.
 */
let loading: Promise<typeof OtelApi | undefined> | undefined;
let loaded: { api: typeof OtelApi | undefined } | undefined;

/** Whether the import of @opentelemetry/api has ended (either way). */
export function tracingApiSettled(): boolean {
  return loaded !== undefined;
}

/**
 * Starts importing @opentelemetry/api. Called when a worker is created: the import takes about
 * 40 ms, which the first executions would otherwise wait for.
 */
export function loadTracingApi(): Promise<typeof OtelApi | undefined> {
  return (loading ??= import('@opentelemetry/api').then(
    (api) => (loaded = { api }).api,
    () => (loaded = { api: undefined }).api,
  ));
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Runs the handler in a span under the trace context the server sent with the execution: the
 * span that fired its occurrence, so a job created and run at once continues its creator's
 * trace, a scheduled run continues its own trace (which links to the creator's), and a retry is
 * another span in the same trace. A handler that throws ends the span with an error.
 */
export async function inHandlerSpan<T>(acquired: AcquiredExecution, handler: () => Promise<T>): Promise<T> {
  const api = loaded ? loaded.api : await loadTracingApi();
  if (!api) return handler();
  const execution = acquired.execution;
  const parent = remoteContext(api, acquired.traceParent, acquired.traceState);
  const base = parent ? api.trace.setSpanContext(api.ROOT_CONTEXT, parent) : api.context.active();
  const span = api.trace.getTracer('jobscheduler-sdk').startSpan(
    'jobscheduler.handle',
    {
      kind: api.SpanKind.CONSUMER,
      attributes: {
        'jobscheduler.job.id': execution?.jobId ?? '',
        'jobscheduler.job.type': execution?.jobType ?? '',
        'jobscheduler.job.name': acquired.jobName,
        'jobscheduler.execution.id': execution?.id ?? '',
        'jobscheduler.execution.attempt': execution?.attempt ?? 0,
      },
    },
    base,
  );
  try {
    return await api.context.with(api.trace.setSpan(base, span), handler);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

function remoteContext(otel: typeof OtelApi, traceparent: string, tracestate: string): OtelApi.SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match || match[1] === 'ff') return undefined;
  const spanContext: OtelApi.SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: parseInt(match[4] as string, 16) & 1,
    isRemote: true,
    ...(tracestate ? { traceState: otel.createTraceState(tracestate) } : {}),
  };
  return otel.isSpanContextValid(spanContext) ? spanContext : undefined;
}
