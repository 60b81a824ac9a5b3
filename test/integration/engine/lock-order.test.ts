import { expect } from 'chai';
import type pg from 'pg';
import type { Transaction } from '../../../src/application/ports/store.js';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import type { AcquiredExecution } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { eventually } from '../../support/eventually.js';
import { Latch } from '../../support/latch.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, createJob, engineServer, newClock, once, tick } from './engine-harness.js';

/**
 * Every transaction that locks several rows locks executions before jobs, and each kind in id
 * order. Two transactions that take the same rows in different orders deadlock: PostgreSQL then
 * aborts one after deadlock_timeout, and its caller sees UNAVAILABLE. Each case holds a lock in
 * a transaction of its own, lets the operation under test start and wait, then takes the next
 * lock as the other kind of transaction would; with one order everywhere nothing deadlocks.
 */
describe('engine: one lock order (real PostgreSQL)', () => {
  let clock: FakeClock;
  let server: TestServer;
  let pool: pg.Pool;
  let store: PgStore;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
    pool = server.database.pool(4);
    store = new PgStore(pool);
  });
  afterEach(async () => {
    await pool.end();
    await server.stop();
  });

  async function running(count: number): Promise<AcquiredExecution[]> {
    for (let i = 0; i < count; i += 1) await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 0 } });
    await tick(server, clock, 0);
    const acquired = await acquire(server, count);
    expect(acquired).to.have.length(count);
    return acquired.sort((a, b) => (a.execution!.id < b.execution!.id ? -1 : 1));
  }

  /** Resolves once some backend of this database waits for a row lock. */
  const someoneWaits = () =>
    eventually(async () => {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      expect(Number(rows[0]?.n)).to.be.at.least(1);
    });

  /** Holds `first` locked until released, then locks `second`, in one transaction. */
  function holder(first: (tx: Transaction) => Promise<unknown>, second: (tx: Transaction) => Promise<unknown>) {
    const locked = new Latch();
    const release = new Latch();
    const done = store.transaction(async (tx) => {
      await first(tx);
      locked.open();
      await release.promise;
      await second(tx);
    });
    return { locked: locked.promise, release: () => release.open(), done };
  }

  it('Heartbeat locks its leases in id order, whatever order the worker lists them in', async () => {
    // b's lease ends first: a plan that walks the running executions by lease expiry (the
    // partial index executions_leases) meets b before a, as a list that names b first does.
    for (let i = 0; i < 2; i += 1) await createJob(server, { schedule: once(), retryPolicy: { maxRetries: 0 } });
    await tick(server, clock, 0);
    const [a] = await acquire(server, 1, 30_000);
    clock.advance(1_000);
    const [b] = await acquire(server, 1, 5_000);
    expect(a!.execution!.id < b!.execution!.id).to.equal(true);
    const lease = (x: AcquiredExecution) => ({ id: x.execution!.id, leaseToken: x.leaseToken, progress: undefined });
    // As ReportOutcomes does: the lower id first, then the higher one.
    const other = holder(
      (tx) => tx.executions.lockLeased([lease(a!)]),
      (tx) => tx.executions.lockLeased([lease(b!)]),
    );
    await other.locked;
    const beat = server.useCases.worker.heartbeat.execute([b!, a!].map((x) => ({ executionId: x.execution!.id, leaseToken: x.leaseToken, progress: undefined })));
    await someoneWaits();
    other.release();
    await other.done;
    expect((await beat).map((s) => s.held)).to.deep.equal([true, true]);
  });

  it('CancelJob locks the job after its executions, as outcomes and rescues do', async () => {
    const [a] = await running(1);
    const jobId = a!.execution!.jobId;
    // As ReportOutcomes does: the execution, then its job.
    const other = holder(
      (tx) => tx.executions.lockLeased([{ id: a!.execution!.id, leaseToken: a!.leaseToken }]),
      (tx) => tx.jobs.lock([jobId]),
    );
    await other.locked;
    const cancel = server.useCases.jobs.control.cancel(jobId, 'lock order');
    await someoneWaits();
    other.release();
    await other.done;
    const { cancelled } = await cancel;
    expect(cancelled?.map((e) => e.id)).to.deep.equal([a!.execution!.id]);
  });

  it('DeleteJob with force locks the job after its executions', async () => {
    const [a] = await running(1);
    const jobId = a!.execution!.jobId;
    const other = holder(
      (tx) => tx.executions.lockLeased([{ id: a!.execution!.id, leaseToken: a!.leaseToken }]),
      (tx) => tx.jobs.lock([jobId]),
    );
    await other.locked;
    const deletion = server.useCases.jobs.delete.execute(jobId, true);
    await someoneWaits();
    other.release();
    await other.done;
    await deletion;
    expect(await store.transaction((tx) => tx.jobs.get(jobId), { readOnly: true })).to.equal(undefined);
  });
});
