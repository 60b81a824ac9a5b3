import { expect } from 'chai';
import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { createWorker, type Worker } from '../../../src/sdk/index.js';
import { OtlpReceiver, type ReceivedSpan } from '../../support/otlp-receiver.js';
import { ServiceProcess } from '../../support/service-process.js';
import { TestDatabase } from '../../support/test-database.js';

const SERVER_SPAN = 2;

/** The span named `name` of `trace`, the only one (or the `nth`). */
function one(spans: readonly ReceivedSpan[], traceId: string, name: string, nth = 0): ReceivedSpan {
  const found = spans.filter((s) => s.traceId === traceId && s.name === name);
  expect(found.length, `spans named ${name} in the trace`).to.be.greaterThan(nth);
  return found[nth]!;
}

/**
 * The service as operators run it (its own process, configured only by OTEL_* variables) exports
 * to a real OTLP/HTTP endpoint; the test process plays the client and the worker, each with an
 * OpenTelemetry SDK exporting to the same endpoint, as an instrumented application would.
 */
describe('traces from a client call to the handler (OpenTelemetry, OTLP/HTTP)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let receiver: OtlpReceiver;
  let service: ServiceProcess;
  let scheduler: JobSchedulerClient;
  let provider: NodeTracerProvider;
  let address: string;
  const workers: Worker[] = [];
  let tracingOn: Promise<Record<string, unknown>>;

  before(async () => {
    database = await TestDatabase.create();
    receiver = await OtlpReceiver.start();
    service = ServiceProcess.spawn({
      DATABASE_URL: database.url,
      GRPC_PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'jobscheduler-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    tracingOn = service.waitForLog('tracing on: spans go to the OTLP endpoint');
    address = await service.started();
    scheduler = createJobSchedulerClient(address);
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'test-application' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))],
    });
    provider.register();
  });

  after(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ timeoutMs: 0 })));
    scheduler?.close();
    await provider?.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
    service?.kill('SIGTERM');
    await service?.exit();
    await receiver?.close();
    await database?.drop();
  });

  /** Calls `call` inside a client span, with its context in the gRPC metadata; returns the span's trace id. */
  async function asClient<T>(name: string, call: (metadata: Record<string, string>) => Promise<T>): Promise<{ traceId: string; spanId: string; result: T }> {
    return trace.getTracer('test-client').startActiveSpan(name, { kind: SpanKind.CLIENT }, async (span) => {
      const metadata: Record<string, string> = {};
      propagation.inject(context.active(), metadata);
      try {
        return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, result: await call(metadata) };
      } finally {
        span.end();
      }
    });
  }

  it('CreateJob of a job run at once: one trace from the client span through the RPC, fire, claim and outcome to the handler span; a retry is a new handler span in it', async () => {
    expect((await tracingOn).endpoint).to.equal(receiver.url);
    const type = `traced.${process.pid}.once`;
    const attempts: Array<{ attempt: number; traceId: string | undefined }> = [];
    workers.push(
      createWorker({
        address,
        types: [type],
        handler: async (job) => {
          attempts.push({ attempt: job.attempt, traceId: trace.getActiveSpan()?.spanContext().traceId });
          if (job.attempt === 1) throw new Error('first attempt fails on purpose');
          return { ok: true };
        },
        logger: () => undefined,
      }),
    );
    const created = await asClient('create the job', (metadata) =>
      scheduler.createJob(
        { job: { name: 'traced once', type, payload: {}, schedule: { kind: { case: 'once', value: {} } }, retryPolicy: { maxRetries: 1, initialBackoff: { seconds: 1n } } } },
        { metadata },
      ),
    );
    const jobId = created.result.job!.id;
    expect(created.result.job!.traceParent).to.match(new RegExp(`^00-${created.traceId}-[0-9a-f]{16}-01$`));

    const spans = await receiver.waitFor('two handler spans and two outcome spans', (all) =>
      all.filter((s) => s.traceId === created.traceId && (s.name === 'jobscheduler.handle' || s.name === 'jobscheduler.outcome')).length >= 4,
    );
    const client = one(spans, created.traceId, 'create the job');
    expect(client.parentSpanId).to.equal('');
    const rpc = one(spans, created.traceId, 'jobscheduler.v1.JobSchedulerService/CreateJob');
    expect(rpc.service).to.equal('jobscheduler-under-test');
    expect(rpc.kind).to.equal(SERVER_SPAN);
    expect(rpc.parentSpanId).to.equal(client.spanId);
    const fire = one(spans, created.traceId, 'jobscheduler.fire');
    expect(fire.parentSpanId).to.equal(rpc.spanId);
    const statements = spans.filter((s) => s.traceId === created.traceId && s.name.startsWith('pg.query'));
    // CreateJob's own transaction, and not the work sessions' group commits that it woke.
    expect(statements.filter((s) => /^pg\.query:(BEGIN|COMMIT)/.test(s.name)).map((s) => s.name.split(' ')[0]), 'the pg instrumentation traces the call\'s one transaction').to.deep.equal(['pg.query:BEGIN', 'pg.query:COMMIT']);
    for (const statement of statements) expect(statement.parentSpanId).to.equal(rpc.spanId);
    expect(fire.attributes).to.include({ 'jobscheduler.job.id': jobId, 'jobscheduler.job.type': type, 'jobscheduler.execution.attempt': 1 });
    const handles = spans.filter((s) => s.traceId === created.traceId && s.name === 'jobscheduler.handle').sort((a, b) => Number(a.attributes['jobscheduler.execution.attempt']) - Number(b.attributes['jobscheduler.execution.attempt']));
    expect(handles.map((h) => h.attributes['jobscheduler.execution.attempt'])).to.deep.equal([1, 2]);
    for (const handle of handles) {
      expect(handle.service).to.equal('test-application');
      expect(handle.parentSpanId, 'the handler span is under the fire span').to.equal(fire.spanId);
      expect(handle.attributes['jobscheduler.job.id']).to.equal(jobId);
    }
    expect(handles[0]!.status.code, 'the failed attempt is an error span').to.equal(2);
    expect(attempts.map((a) => a.traceId)).to.deep.equal([created.traceId, created.traceId]);
    const claims = spans.filter((s) => s.traceId === created.traceId && s.name === 'jobscheduler.claim');
    const outcomes = spans.filter((s) => s.traceId === created.traceId && s.name === 'jobscheduler.outcome');
    expect(claims).to.have.length(2);
    expect(outcomes).to.have.length(2);
    for (const span of [...claims, ...outcomes]) expect(span.parentSpanId).to.equal(fire.spanId);
    expect(outcomes.map((o) => o.attributes['jobscheduler.execution.status']).sort()).to.deep.equal(['failed', 'succeeded']);
    const failed = outcomes.find((o) => o.attributes['jobscheduler.execution.status'] === 'failed')!;
    expect(failed.status).to.include({ code: 2, message: 'first attempt fails on purpose' });
  });

  it('a scheduled run is a trace of its own, linked to the trace that created the job', async () => {
    const type = `traced.${process.pid}.scheduled`;
    workers.push(createWorker({ address, types: [type], handler: async () => ({}), logger: () => undefined }));
    const at = new Date(Date.now() + 1_000);
    const created = await asClient('create a scheduled job', (metadata) =>
      scheduler.createJob({ job: { name: 'traced later', type, payload: {}, schedule: { kind: { case: 'once', value: { at: { seconds: BigInt(Math.floor(at.getTime() / 1000)), nanos: (at.getTime() % 1000) * 1e6 } } } } } }, { metadata }),
    );
    const jobId = created.result.job!.id;
    const ofJob = (all: readonly ReceivedSpan[], name: string) => all.some((s) => s.name === name && s.attributes['jobscheduler.job.id'] === jobId);
    const spans = await receiver.waitFor('the fire and handler spans of the scheduled run', (all) => ofJob(all, 'jobscheduler.fire') && ofJob(all, 'jobscheduler.handle'));
    const handle = spans.find((s) => s.name === 'jobscheduler.handle' && s.attributes['jobscheduler.job.id'] === jobId)!;
    expect(handle.traceId).not.to.equal(created.traceId);
    const fire = one(spans, handle.traceId, 'jobscheduler.fire');
    expect(fire.parentSpanId, 'the dispatcher starts the run trace').to.equal('');
    expect(handle.parentSpanId).to.equal(fire.spanId);
    const rpc = one(spans, created.traceId, 'jobscheduler.v1.JobSchedulerService/CreateJob');
    expect(fire.links).to.deep.equal([{ traceId: created.traceId, spanId: rpc.spanId }]);
  });

  it('RunJob of a recurring job: the run is in the RunJob caller\'s trace, the job keeps its creator\'s', async () => {
    const type = `traced.${process.pid}.run-now`;
    workers.push(createWorker({ address, types: [type], handler: async () => ({}), logger: () => undefined }));
    const created = await asClient('create a nightly job', (metadata) =>
      scheduler.createJob({ job: { name: 'nightly', type, payload: {}, schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: 'UTC' } } } } }, { metadata }),
    );
    const jobId = created.result.job!.id;
    const run = await asClient('run it now', (metadata) => scheduler.runJob({ id: jobId }, { metadata }));
    expect(run.traceId).not.to.equal(created.traceId);
    expect(run.result.job!.traceParent, 'the job still names its creator').to.equal(created.result.job!.traceParent);
    expect(run.result.execution!.traceParent).to.match(new RegExp(`^00-${run.traceId}-`));
    const named = ['jobscheduler.v1.JobSchedulerService/RunJob', 'jobscheduler.fire', 'jobscheduler.handle'];
    const spans = await receiver.waitFor('the RPC, fire and handler spans of the run', (all) => named.every((name) => all.some((s) => s.traceId === run.traceId && s.name === name)));
    const rpc = one(spans, run.traceId, 'jobscheduler.v1.JobSchedulerService/RunJob');
    const fire = one(spans, run.traceId, 'jobscheduler.fire');
    expect(fire.parentSpanId).to.equal(rpc.spanId);
    expect(fire.attributes).to.include({ 'jobscheduler.job.id': jobId, 'jobscheduler.execution.trigger': 'run_now' });
    expect(one(spans, run.traceId, 'jobscheduler.handle').parentSpanId).to.equal(fire.spanId);
  });

  it('an RPC refused is an error span with the gRPC status the client received', async () => {
    const refused = await asClient('get a job that does not exist', (metadata) =>
      scheduler.getJob({ id: '00000000-0000-4000-8000-000000000000' }, { metadata }).then(
        () => undefined,
        (error: { code: number }) => error.code,
      ),
    );
    expect(refused.result).to.equal(5);
    const spans = await receiver.waitFor('the GetJob span', (all) => all.some((s) => s.traceId === refused.traceId && s.name.endsWith('/GetJob')));
    const rpc = one(spans, refused.traceId, 'jobscheduler.v1.JobSchedulerService/GetJob');
    expect(rpc.attributes['rpc.grpc.status_code']).to.equal(5);
    expect(rpc.status.code).to.equal(2);
    expect(rpc.status.message).to.match(/^NOT_FOUND: job 00000000-0000-4000-8000-000000000000 does not exist/);
  });

  it('with no OTEL_* variables the service traces nothing: no exporter, no trace context stored, however the caller traces', async () => {
    const untraced = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_PORT: '0', LOG_LEVEL: 'debug' });
    const lines: string[] = [];
    untraced.onLog((entry) => lines.push(String(entry.msg)));
    const client = createJobSchedulerClient(await untraced.started());
    try {
      const created = await asClient('create while the service does not trace', (metadata) =>
        client.createJob({ job: { name: 'untraced', type: `untraced.${process.pid}`, payload: {}, schedule: { kind: { case: 'once', value: {} } } } }, { metadata }),
      );
      expect(created.result.job!.traceParent).to.equal('');
      const { executions } = await client.listExecutions({ jobId: created.result.job!.id });
      expect(executions.map((e) => e.traceParent)).to.deep.equal(['']);
      expect(lines).not.to.include('tracing on: spans go to the OTLP endpoint');
      expect(receiver.spans.filter((s) => s.traceId === created.traceId).map((s) => s.service)).to.deep.equal(['test-application']);
    } finally {
      client.close();
      untraced.kill('SIGTERM');
      await untraced.exit();
    }
  });
});
