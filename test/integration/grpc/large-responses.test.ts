import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * Pages whose items add up to more than the 4 MiB a gRPC client receives in one message by
 * default. Before, such a page failed on the client with RESOURCE_EXHAUSTED, and so did every
 * retry: with payloads or results this large, a job list could not be read at all through the
 * generated client (or grpcurl, or the CLI). Now the page is cut and the token reads on.
 */
describe('gRPC: pages larger than a client receives at once', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('ListJobs cuts the page to what fits and the page token reads on to every job, once, in order', async () => {
    const type = `large-${randomUUID().slice(0, 8)}`;
    const created: string[] = [];
    // 30 payloads of 200 kB: 6 MB in one page of 30.
    for (let i = 0; i < 30; i += 1) {
      const { job } = await server.scheduler.createJob({ job: { name: `big ${i}`, type, schedule: { kind: { case: 'once', value: { at: { seconds: 4_000_000_000n } } } }, payload: { i, data: 'x'.repeat(200_000) } } });
      created.push(job!.id);
    }
    const pages: number[] = [];
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await server.scheduler.listJobs({ filter: { type }, pageSize: 30, pageToken });
      expect(page.totalSize).to.equal(30n);
      pages.push(page.jobs.length);
      seen.push(...page.jobs.map((job) => job.id));
      expect(page.jobs.every((job) => (job.payload?.['data'] as string).length === 200_000)).to.equal(true);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(pages.length).to.be.greaterThan(1);
    expect(pages[0]).to.be.within(1, 29);
    // Newest first, as every page of ListJobs.
    expect(seen).to.deep.equal([...created].reverse());
  });

  it('ListExecutions cuts the page to what fits and the page token reads on to every execution', async () => {
    const type = `results-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 100; i += 1) await server.scheduler.createJob({ job: { name: `r ${i}`, type, schedule: { kind: { case: 'once', value: {} } } } });
    const { executions } = await server.worker.acquireExecutions({ workerId: 'w', jobTypes: [type], capacity: 100 });
    expect(executions).to.have.length(100);
    // 100 results of 60 kB (each under the 64 KiB a result may hold): 6 MB in one page of 100.
    for (const acquired of executions) {
      await server.worker.completeExecution({ executionId: acquired.execution!.id, leaseToken: acquired.leaseToken, result: { data: 'y'.repeat(60_000) } });
    }
    const pages: number[] = [];
    const seen = new Set<string>();
    let pageToken = '';
    do {
      const page = await server.scheduler.listExecutions({ jobType: type, pageSize: 100, pageToken });
      pages.push(page.executions.length);
      for (const execution of page.executions) {
        expect(seen.has(execution.id)).to.equal(false);
        seen.add(execution.id);
        expect((execution.result?.['data'] as string).length).to.equal(60_000);
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(pages.length).to.be.greaterThan(1);
    expect(seen.size).to.equal(100);
  });
});
