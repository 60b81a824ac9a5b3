import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { create } from '@bufbuild/protobuf';
import { AcquiredExecutionSchema } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { inHandlerSpan } from '../../../src/sdk/handler-span.js';

const acquired = create(AcquiredExecutionSchema, {
  execution: { id: 'e0d7c6a2-0000-4000-8000-000000000001', jobId: 'b0d7c6a2-0000-4000-8000-000000000001', jobType: 'email', attempt: 1 },
  jobName: 'welcome',
  traceParent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

/**
 * The child imports the SDK's handler span while a resolve hook refuses @opentelemetry/api, as
 * in an application that does not have it installed.
 */
const WITHOUT_API = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function resolve(specifier, context, next) {" +
  "  if (specifier === '@opentelemetry/api') throw Object.assign(new Error('not installed'), { code: 'ERR_MODULE_NOT_FOUND' });" +
  "  return next(specifier, context);" +
  "}"));
const api = await import('@opentelemetry/api').then(() => 'loaded', () => 'missing');
const { inHandlerSpan } = await import(new URL('dist/src/sdk/handler-span.js', 'file://' + process.cwd() + '/').href);
const result = await inHandlerSpan({ execution: { jobId: 'j', jobType: 't', id: 'e', attempt: 1 }, jobName: 'n', traceParent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', traceState: '' }, async () => 42);
const failure = await inHandlerSpan({ jobName: 'n', traceParent: '', traceState: '' }, async () => { throw new Error('boom'); }).catch((error) => error.message);
process.stdout.write(JSON.stringify({ api, result, failure }));
`;

/** A fresh process creates a worker (whose server is not there) and says when the API was imported. */
const AT_CREATE = `
const root = 'file://' + process.cwd() + '/dist/src/sdk/';
const { tracingApiSettled } = await import(root + 'handler-span.js');
const { createWorker } = await import(root + 'index.js');
const before = tracingApiSettled();
const worker = createWorker({ address: '127.0.0.1:9', types: ['t'], handler: async () => undefined, logger: () => undefined });
const deadline = Date.now() + 10_000;
while (!tracingApiSettled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
const after = tracingApiSettled();
await worker.stop({ timeoutMs: 0 });
process.stdout.write(JSON.stringify({ before, after }));
process.exit(0);
`;

describe('the SDK handler span (@opentelemetry/api as an optional peer)', () => {
  it('with the API and no OpenTelemetry SDK registered, runs the handler and passes on its result and its error', async () => {
    expect(await inHandlerSpan(acquired, async () => ({ sent: true }))).to.deep.equal({ sent: true });
    const error = new Error('smtp down');
    expect(await inHandlerSpan(acquired, async () => Promise.reject(error)).catch((e: unknown) => e)).to.equal(error);
  });

  it('without @opentelemetry/api installed, the SDK loads and runs handlers as before', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', WITHOUT_API], { encoding: 'utf8' });
    expect(JSON.parse(output)).to.deep.equal({ api: 'missing', result: 42, failure: 'boom' });
  });

  it('is imported when the worker is created, so the first execution does not wait for it', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', AT_CREATE], { encoding: 'utf8' });
    expect(JSON.parse(output)).to.deep.equal({ before: false, after: true });
  });
});
