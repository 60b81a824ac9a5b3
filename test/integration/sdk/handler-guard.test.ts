import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { guardedHandler } from '../../../src/sdk/index.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createOnceJob, executionsOf, uniqueType, waitFor, Workers } from './sdk-fixtures.js';

/** Handler modules, as a user writes them: a default export taking the job. */
const MODULES = {
  'double.mjs': 'export default async (job) => ({ doubled: job.payload.n * 2, attempt: job.attempt });',
  'hog.mjs': 'export default async () => { const kept = []; for (;;) kept.push(new Array(1_000_000).fill(kept.length)); };',
  'forever.mjs': 'export default () => new Promise(() => setInterval(() => undefined, 1_000));',
  'throws.mjs': 'export default async () => { throw Object.assign(new Error("bad input"), { retryable: false }); };',
};

describe('worker SDK: guarded handlers run in a worker thread with a memory and a time limit (real server)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let workers: Workers;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    workers = new Workers(server);
    dir = mkdtempSync(join(tmpdir(), 'guard-'));
    for (const [name, source] of Object.entries(MODULES)) writeFileSync(join(dir, name), source);
  });
  after(async () => {
    await workers.stopAll();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runOnce(module: string, guard: { maxMemoryMb?: number; timeoutMs?: number }, payload = {}) {
    const type = uniqueType('guard');
    workers.start({ types: [type], handler: guardedHandler({ module: join(dir, module), ...guard }) });
    const jobId = await createOnceJob(server, type, payload, { maxRetries: 0 });
    const [execution] = await waitFor('the outcome', async () => {
      const runs = await executionsOf(server, jobId);
      return runs[0] && runs[0].status !== ExecutionStatus.RUNNING && runs[0].status !== ExecutionStatus.QUEUED ? runs : undefined;
    }, 30_000);
    return execution!;
  }

  it('returns the module’s result as the execution’s result', async () => {
    const execution = await runOnce('double.mjs', { maxMemoryMb: 64, timeoutMs: 10_000 }, { n: 21 });
    expect(execution.status).to.equal(ExecutionStatus.SUCCEEDED);
    expect(execution.result).to.deep.equal({ doubled: 42, attempt: 1 });
  });

  it('stops a handler past its memory limit and records why', async () => {
    const execution = await runOnce('hog.mjs', { maxMemoryMb: 32 });
    expect(execution.status).to.equal(ExecutionStatus.FAILED);
    expect(execution.error?.message).to.equal('the handler was stopped by its guard: it used more than its memory limit of 32 MiB');
    expect(execution.error?.details).to.include({ name: 'HandlerGuardError', code: 'memory_limit' });
  });

  it('stops a handler past its time limit and records why', async () => {
    const execution = await runOnce('forever.mjs', { timeoutMs: 300 });
    expect(execution.status).to.equal(ExecutionStatus.FAILED);
    expect(execution.error?.message).to.equal('the handler was stopped by its guard: it ran longer than its time limit of 300 ms');
    expect(execution.error?.details).to.include({ name: 'HandlerGuardError', code: 'time_limit' });
  });

  it('reports the module’s own error as it was thrown, retryable flag included', async () => {
    const execution = await runOnce('throws.mjs', { timeoutMs: 10_000 });
    expect(execution.status).to.equal(ExecutionStatus.FAILED);
    expect(execution.error?.message).to.equal('bad input');
    expect(execution.error?.retryable).to.equal(false);
  });
});
