import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { QuotaSchema } from '../../../src/gen/jobscheduler/v1/quota_service_pb.js';
import type { AcquiredExecution } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { WorkSession } from '../../support/work-session.js';
import { eventually } from '../../support/eventually.js';
import { scrape } from '../../support/prometheus-text.js';
import { connectUnary } from '../../support/http-rpc.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, isoOf, newClock, once, TYPE } from './engine-harness.js';

type QuotaInit = MessageInitShape<typeof QuotaSchema>;

describe('engine: quotas (real PostgreSQL, fake clock)', function () {
  this.timeout(60_000);
  let clock: FakeClock;
  let server: TestServer;

  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(async () => server.stop());

  const setQuota = ({ label, ...limits }: Pick<QuotaInit, 'maxRunning' | 'rateLimit'> & { label?: [string, string] }) =>
    server.quotas.setQuota({ quota: { key: { jobType: TYPE, labelKey: label?.[0] ?? '', labelValue: label?.[1] ?? '' }, ...limits } });
  const jobs = async (count: number, fields: Record<string, unknown> = {}) => {
    const created = [];
    for (let i = 0; i < count; i += 1) created.push(await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 0 }, ...fields }));
    return created;
  };
  const jobIds = (acquired: readonly AcquiredExecution[]) => acquired.map((a) => a.execution?.jobId);

  it('never runs more than max_running at once: acquire takes what fits, a finished execution frees a place', async () => {
    await setQuota({ maxRunning: 2 });
    await jobs(5);
    const first = await acquire(server, 10);
    expect(first).to.have.length(2);
    expect(await acquire(server, 10)).to.have.length(0);
    await complete(server, first[0]!);
    expect(await acquire(server, 10)).to.have.length(1);
    expect(await acquire(server, 10)).to.have.length(0);
  });

  it('starts at most max_starts in any period: the window (t - period, t] slides with the clock', async () => {
    await setQuota({ rateLimit: { maxStarts: 3, period: durationFromMs(10_000) } });
    await jobs(8);
    const started: string[] = [];
    const take = async () => {
      const acquired = await acquire(server, 10);
      for (const a of acquired) {
        started.push(isoOf(a.execution?.startedAt) ?? '');
        await complete(server, a);
      }
      return acquired.length;
    };
    expect(await take()).to.equal(3);
    clock.advance(4_000);
    expect(await take()).to.equal(0);
    clock.advance(5_999); // 9.999 s after the first three
    expect(await take()).to.equal(0);
    clock.advance(1); // exactly one period later, the first three leave the window
    expect(await take()).to.equal(3);
    clock.advance(10_000);
    expect(await take()).to.equal(2);
    // The definition, checked on the recorded start times: any 3 + 1 consecutive starts span at least a period.
    const times = started.map((iso) => Date.parse(iso)).sort((a, b) => a - b);
    for (let i = 0; i + 3 < times.length; i += 1) expect(times[i + 3]! - times[i]!).to.be.at.least(10_000);
  });

  it('limits each tenant by its label quota, and other jobs of the type not at all', async () => {
    await setQuota({ maxRunning: 1, label: ['tenant', 'a'] });
    await setQuota({ maxRunning: 2, label: ['tenant', 'b'] });
    const a = await jobs(3, { labels: { tenant: 'a' }, priority: 9 });
    const b = await jobs(3, { labels: { tenant: 'b' } });
    const other = await jobs(2);
    const acquired = await acquire(server, 100);
    const ids = jobIds(acquired);
    expect(ids.filter((id) => a.some((j) => j.id === id))).to.have.length(1);
    expect(ids.filter((id) => b.some((j) => j.id === id))).to.have.length(2);
    expect(ids.filter((id) => other.some((j) => j.id === id))).to.have.length(2);
  });

  it('a full tenant does not starve another: its passed-over executions are read past, however many', async () => {
    await setQuota({ maxRunning: 1, label: ['tenant', 'a'] });
    await jobs(30, { labels: { tenant: 'a' }, priority: 9 });
    const b = await jobs(2, { labels: { tenant: 'b' } });
    // Capacity 2: the first read returns two of tenant a; the second reads past a's.
    const acquired = await acquire(server, 2);
    expect(acquired).to.have.length(2);
    expect(jobIds(acquired).filter((id) => b.some((j) => j.id === id))).to.have.length(1);
  });

  it('lets waiting executions start in priority order, then queue order', async () => {
    await setQuota({ maxRunning: 1 });
    const [low, high, middle] = [...(await jobs(1, { priority: 1 })), ...(await jobs(1, { priority: 5 })), ...(await jobs(1, { priority: 3 }))];
    const order: Array<string | undefined> = [];
    for (let i = 0; i < 3; i += 1) {
      const acquired = await acquire(server, 10);
      expect(acquired).to.have.length(1);
      order.push(acquired[0]?.execution?.jobId);
      await complete(server, acquired[0]!);
    }
    expect(order).to.deep.equal([high!.id, middle!.id, low!.id]);
  });

  it('runs what waited once the quota is removed or raised', async () => {
    await setQuota({ maxRunning: 1 });
    await jobs(4);
    expect(await acquire(server, 10)).to.have.length(1);
    await setQuota({ maxRunning: 2 });
    expect(await acquire(server, 10)).to.have.length(1);
    await server.quotas.deleteQuota({ key: { jobType: TYPE } });
    expect(await acquire(server, 10)).to.have.length(2);
  });

  it('GetJobStats names the full quota a queued execution waits for, and GetQuota/ListQuotas show the usage', async () => {
    await setQuota({ maxRunning: 1, label: ['tenant', 'acme'] });
    const [first, second] = await jobs(2, { labels: { tenant: 'acme' } });
    expect(await acquire(server, 10)).to.have.length(1);
    const waiting = [first!, second!];
    const reasons = await Promise.all(waiting.map(async (job) => (await server.scheduler.getJobStats({ jobId: job.id })).stats?.waitingReason));
    expect(reasons.filter((r) => r !== '')).to.deep.equal(['quota job_type="engine.test" label tenant="acme": 1 of max_running 1 running']);
    // The occurrence ledger says the same of the slot whose execution waits, and nothing of the one running.
    const ledgers = await Promise.all(waiting.map(async (job) => (await server.scheduler.listOccurrences({ jobId: job.id })).occurrences.map((o) => o.waitingReason)));
    expect(ledgers).to.have.deep.members([[''], ['quota job_type="engine.test" label tenant="acme": 1 of max_running 1 running']]);
    const { status: got } = await server.quotas.getQuota({ key: { jobType: TYPE, labelKey: 'tenant', labelValue: 'acme' } });
    expect(got?.usage).to.include({ running: 1, recentStarts: 0, waiting: 1 });
    const { quotas } = await server.quotas.listQuotas({});
    expect(quotas.map((q) => [q.quota?.key?.labelValue, q.quota?.maxRunning, q.usage?.running])).to.deep.equal([['acme', 1, 1]]);
  });

  it('holds the Work stream group commit to the quota, and gives the next slot when one finishes', async () => {
    await setQuota({ maxRunning: 2 });
    await jobs(5);
    const session = await WorkSession.open(server.worker, { start: { workerId: 'stream-worker', jobTypes: [TYPE] }, credits: 10 });
    await eventually(() => expect(session.executions).to.have.length(2));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(session.executions).to.have.length(2);
    const [a] = session.executions;
    await session.send({ outcomes: [{ executionId: a!.execution!.id, leaseToken: a!.leaseToken, outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(session.executions).to.have.length(3));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(session.executions).to.have.length(3);
    await session.close();
  });

  it('does not hand a new execution of a quota-limited type past the quota to a waiting worker', async () => {
    await setQuota({ maxRunning: 1 });
    const session = await WorkSession.open(server.worker, { start: { workerId: 'stream-worker', jobTypes: [TYPE] }, credits: 5 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await jobs(3);
    await eventually(() => expect(session.executions).to.have.length(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(session.executions).to.have.length(1);
    await session.close();
  });

  it('queues instead of handing off when a quota exists that this replica has not heard of yet', async () => {
    const session = await WorkSession.open(server.worker, { start: { workerId: 'stream-worker', jobTypes: [TYPE] }, credits: 5 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The first creation loads this replica's set of quota'd types (empty); the second is handed off on it.
    await jobs(2);
    await eventually(() => expect(session.executions).to.have.length(2));
    const later = await createJob(server, { schedule: once(new Date(clock.now().getTime() + 60_000)), retryPolicy: { maxRetries: 0 } });
    // As another replica's SetQuota looks until its NOTIFY arrives: the row, and no wake-up.
    const pool = server.database.pool(1);
    const finish = (index: number) => {
      const done = session.executions[index]!;
      return session.send({ outcomes: [{ executionId: done.execution!.id, leaseToken: done.leaseToken, outcome: { case: 'success', value: {} } }] });
    };
    try {
      await pool.query(`INSERT INTO job_quotas (job_type, max_running, created_at, updated_at) VALUES ($1, 2, now(), now())`, [TYPE]);
      // Both ways a new execution meets a waiting worker: created due now, and fired by the dispatcher.
      const [created] = await jobs(1);
      clock.advance(60_000);
      expect((await server.useCases.dispatch.runOnce()).executions).to.equal(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(session.executions).to.have.length(2);
      const { rows } = await pool.query<{ job_id: string; status: string }>('SELECT job_id, status FROM executions WHERE job_id = ANY($1) ORDER BY job_id', [[created?.id, later.id]]);
      expect(rows.map((r) => r.status)).to.deep.equal(['queued', 'queued']);
      // The other replica's NOTIFY arrives; each finished execution makes room for one under the quota.
      await pool.query(`SELECT pg_notify('jobscheduler_wakeups', '{"from":"another replica","due":false,"types":[],"quotas":true}')`);
      await eventually(async () => expect((await server.useCases.quotaTypes.current()).has(TYPE)).to.equal(true));
      await finish(0);
      await eventually(() => expect(session.executions).to.have.length(3));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(session.executions).to.have.length(3);
      await finish(1);
      await eventually(() => expect(session.executions).to.have.length(4));
      expect(session.executions.slice(2).map((a) => a.execution?.jobId).sort()).to.deep.equal([created?.id, later.id].sort());
    } finally {
      await pool.end();
      await session.close();
    }
  });

  it('counts throttled claims and publishes usage in the metrics', async () => {
    await setQuota({ maxRunning: 1 });
    await jobs(2);
    expect(await acquire(server, 10)).to.have.length(1);
    await server.observability.parts.refresher.runOnce();
    const metrics = await scrape(server.observability.metricsAddress ?? '');
    expect(metrics.value('jobscheduler_quota_throttled_claims_total', { job_type: TYPE, label: '' })).to.equal(1);
    expect(metrics.value('jobscheduler_quota_running', { job_type: TYPE, label: '' })).to.equal(1);
    expect(metrics.value('jobscheduler_quota_max_running', { job_type: TYPE, label: '' })).to.equal(1);
    expect(metrics.value('jobscheduler_quota_waiting', { job_type: TYPE, label: '' })).to.equal(1);
  });

  it('serves QuotaService on the HTTP port (Connect), as the other services', async () => {
    await setQuota({ maxRunning: 3 });
    const answer = await connectUnary(server.httpAddress ?? '', 'ListQuotas', { jobType: TYPE }, {}, 'jobscheduler.v1.QuotaService');
    expect(answer.status).to.equal(200);
    expect(answer.body).to.deep.include({ quotas: [{ quota: { key: { jobType: TYPE }, maxRunning: 3, createTime: '2026-03-02T08:00:00Z', updateTime: '2026-03-02T08:00:00Z' }, usage: {} }] });
  });

  it('refuses invalid quotas with messages that say what to fix, and unknown keys with NOT_FOUND', async () => {
    const refused = async (call: Promise<unknown>) => {
      const error = (await call.then(() => undefined, (e: unknown) => e)) as ServiceError;
      return [error?.code, error?.details];
    };
    expect(await refused(server.quotas.setQuota({ quota: { key: { jobType: TYPE } } }))).to.deep.equal([status.INVALID_ARGUMENT, 'quota needs max_running, rate_limit or both']);
    expect(await refused(server.quotas.setQuota({ quota: { key: { jobType: TYPE }, maxRunning: 0 } }))).to.deep.equal([
      status.INVALID_ARGUMENT,
      'quota.max_running must be from 1 to 1000000, got 0; leave it unset for no concurrency limit',
    ]);
    expect(await refused(server.quotas.setQuota({ quota: { key: { jobType: TYPE, labelKey: 'tenant' }, maxRunning: 1 } }))).to.deep.equal([
      status.INVALID_ARGUMENT,
      'quota.key.label_key and quota.key.label_value go together: set both for a per-label quota, or neither for the whole type',
    ]);
    expect(await refused(server.quotas.setQuota({ quota: { key: { jobType: TYPE }, rateLimit: { maxStarts: 5 } } }))).to.deep.equal([
      status.INVALID_ARGUMENT,
      'quota.rate_limit.period is required with a rate limit, for example "60s"',
    ]);
    expect(await refused(server.quotas.setQuota({ quota: { key: { jobType: TYPE }, rateLimit: { maxStarts: 5, period: durationFromMs(500) } } }))).to.deep.equal([
      status.INVALID_ARGUMENT,
      'quota.rate_limit.period must be whole milliseconds from 1s to 24h, got 0.5s',
    ]);
    expect(await refused(server.quotas.setQuota({ quota: { maxRunning: 1 } }))).to.deep.equal([status.INVALID_ARGUMENT, 'quota.key is required: at least quota.key.job_type']);
    expect(await refused(server.quotas.getQuota({ key: { jobType: 'no.such' } }))).to.deep.equal([
      status.NOT_FOUND,
      'quota job_type="no.such" not found; ListQuotas shows the quotas that exist',
    ]);
    expect(await refused(server.quotas.deleteQuota({ key: { jobType: TYPE, labelKey: 'tenant', labelValue: 'x' } }))).to.deep.equal([
      status.NOT_FOUND,
      'quota job_type="engine.test" label tenant="x" not found; ListQuotas shows the quotas that exist',
    ]);
  });
});
