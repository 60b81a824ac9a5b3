import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import type { ExecutionEventRecord, StoredExecutionEvent } from '../../../src/application/ports/event-store.js';
import { EmbeddedPostgres } from '../../../src/adapters/pg/embedded-postgres.js';
import { Migrator } from '../../../src/adapters/pg/migrator.js';
import { MIGRATIONS } from '../../../src/adapters/pg/migrations/index.js';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { expectDomainError } from './conformance/context.js';

/**
 * The event log's order across a decimal-digit boundary of transaction ids. Cursors and their
 * parts travel as text, and text sorts "1000" before "999": a query that ordered by the text form
 * delivered events out of order, twice, or not at all, and a watcher without a cursor started
 * minutes in the past. Transaction ids are cluster-wide, so this file runs its own young cluster,
 * where the next boundary (1,000 or 10,000) is a few hundred transactions away.
 */
describe('event log order across a decimal-digit boundary of transaction ids (PostgreSQL)', function () {
  this.timeout(120_000);
  let cluster: EmbeddedPostgres;
  let pool: pg.Pool;
  let store: PgStore;

  before(async () => {
    const base = mkdtempSync(join(tmpdir(), 'jobscheduler-xid-'));
    // As root, PostgreSQL runs as the "postgres" user, who must be able to enter this directory.
    chmodSync(base, 0o755);
    cluster = await EmbeddedPostgres.start({ dataDir: join(base, 'postgres'), port: 0, ephemeral: true, settings: { fsync: 'off', synchronous_commit: 'off', autovacuum: 'off' } });
    await cluster.ensureDatabase('events');
    pool = new pg.Pool({ connectionString: cluster.url('events'), max: 3 });
    // pool.end() resolves before its connections are gone, and stopping the cluster terminates
    // them: the FATAL that then arrives on a closing connection is expected.
    pool.on('error', () => undefined);
    await new Migrator(pool, MIGRATIONS).up();
    store = new PgStore(pool);
  });
  after(async () => {
    await pool?.end();
    await cluster?.stop();
  });

  const currentXid = async () => BigInt((await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid);
  /** Ends transactions (each takes an id) until the next one is `target`. */
  async function burnXidsUntil(target: bigint): Promise<void> {
    for (let next = (await currentXid()) + 1n; next < target; next = (await currentXid()) + 1n) {
      const count = Number(target - next < 500n ? target - next : 500n);
      await pool.query('BEGIN; SELECT pg_current_xact_id(); COMMIT;'.repeat(count));
    }
  }
  const event = (i: number): ExecutionEventRecord => ({ kind: 'queued', occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)), executionId: randomUUID(), jobId: randomUUID(), jobType: `t${i}` });
  const read = (cursor: string | undefined, limit: number) => store.transaction((tx) => tx.events.readAfter(cursor, {}, limit), { readOnly: true });
  const xidOf = (stored: StoredExecutionEvent) => BigInt(stored.cursor.split(':')[0]!);

  it('pages, starts at the end and refuses made-up cursors in log order, not in text order', async () => {
    const start = await currentXid();
    const boundary = 10n ** BigInt(String(start + 20n).length);
    await burnXidsUntil(boundary - 6n);
    // Twelve transactions of two events each: six before the boundary, six at or after it.
    const appended: ExecutionEventRecord[] = [];
    for (let i = 0; i < 12; i += 1) {
      const pair = [event(2 * i), event(2 * i + 1)];
      await store.transaction((tx) => tx.events.append(pair));
      appended.push(...pair);
    }

    // From the very beginning, in pages of 5 (pages end on both sides of the boundary).
    const seen: StoredExecutionEvent[] = [];
    let cursor = '0:0';
    for (let pages = 0; pages < 20; pages += 1) {
      const page = await read(cursor, 5);
      seen.push(...page.events);
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(seen.map((e) => e.jobType)).to.deep.equal(appended.map((e) => e.jobType));
    const xids = seen.map(xidOf);
    expect(xids[0]! < boundary && xids.at(-1)! >= boundary, `xids ${xids[0]}..${xids.at(-1)} cross ${boundary}`).to.equal(true);

    // Without a cursor a reader starts after the last event, not somewhere in the past.
    const fresh = await read(undefined, 5);
    expect(fresh.cursor).to.equal(seen.at(-1)!.cursor);
    expect((await read(fresh.cursor, 100)).events).to.deep.equal([]);

    // A cursor just before the boundary resumes exactly after it.
    const lastBefore = seen.filter((e) => xidOf(e) < boundary).at(-1)!;
    const resumed = await read(lastBefore.cursor, 100);
    expect(resumed.events.map((e) => e.cursor)).to.deep.equal(seen.slice(seen.indexOf(lastBefore) + 1).map((e) => e.cursor));
  });

  it('refuses well-formed cursors beyond the end of the log as never issued', async () => {
    const end = (await read(undefined, 1)).cursor;
    const [xid, id] = end.split(':').map(BigInt) as [bigint, bigint];
    for (const madeUp of ['99999999:99999', `${xid + 1_000_000n}:${id}`, `${xid}:${id + 1_000_000n}`]) {
      await expectDomainError(read(madeUp, 10), 'InvalidArgument', /not a cursor this service issued/);
    }
    expect((await read(end, 10)).events).to.deep.equal([]);
  });
});
