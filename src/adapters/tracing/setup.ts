import type { EngineObserver } from '../../application/ports/engine-observer.js';
import type { Tracing } from '../../application/ports/tracing.js';
import type { RpcTracer } from './rpc-spans.js';

/** What the composition root wires when tracing is on. */
export interface ServiceTracing {
  readonly tracing: Tracing;
  /** Claim and outcome spans. */
  readonly observer: EngineObserver;
  readonly rpc: RpcTracer;
  /** Sends the spans still buffered; called last at shutdown. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether the operator asked for traces, by the standard variables only: an OTLP endpoint, or
 * OTEL_TRACES_EXPORTER=otlp (whose endpoint defaults to localhost:4318). OTEL_SDK_DISABLED=true
 * and OTEL_TRACES_EXPORTER=none turn it off whatever else is set.
 */
export function tracingRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return exporters.includes('otlp');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Starts OpenTelemetry when the environment asks for it, and only then: the SDK, the OTLP/HTTP
 * exporter and the PostgreSQL instrumentation are loaded on demand, so a service without
 * OTEL_* variables neither loads nor runs any of it. Everything else (endpoint, headers,
 * protocol, sampler, service name, batch sizes) is read by the SDK from the standard variables.
 * Must run before `pg` is imported, for its instrumentation to patch it.
 */
export async function startTracing(env: Env = process.env): Promise<ServiceTracing | undefined> {
  if (!tracingRequested(env)) return undefined;
  const [{ trace }, { NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, resources, { registerInstrumentations }, { PgInstrumentation }, own] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
    import('./otel-tracing.js'),
  ]);
  const { rpcTracer } = await import('./rpc-spans.js');
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': 'jobscheduler' }))
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  // The W3C propagator and the AsyncLocalStorage context manager, so a call's span is active in its handler.
  provider.register();
  // Statements only inside a traced call or engine step: a lone pg span per poll would be noise.
  const unregister = registerInstrumentations({ instrumentations: [new PgInstrumentation({ requireParentSpan: true })] });
  const tracer = trace.getTracer('jobscheduler');
  return {
    tracing: new own.OtelTracing(tracer),
    observer: new own.SpanObserver(tracer),
    rpc: rpcTracer(tracer),
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
}
