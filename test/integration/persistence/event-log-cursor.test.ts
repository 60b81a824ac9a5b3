import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ExecutionEventRecord } from '../../../src/application/ports/event-store.js';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { TestDatabase } from '../../support/test-database.js';
import { at } from './support/builders.js';
import { Latch } from '../../support/latch.js';

/**
 * The event log's cursor under interleaved commits (the reason for xid8 + pg_snapshot_xmin): an
 * event appended by a transaction that began earlier but commits later must neither be skipped
 * by a reader that already moved past later events, nor appear out of order.
 */
describe('execution event cursor with interleaved commits (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PgStore;
  before(async () => {
    database = await TestDatabase.create();
    pool = database.pool(4);
    store = new PgStore(pool);
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  const event = (label: number): ExecutionEventRecord => ({ kind: 'queued', occurredAt: at(label), executionId: randomUUID(), jobId: randomUUID(), jobType: 'crawl' });
  const read = (cursor: string) => store.transaction((tx) => tx.events.readAfter(cursor, {}, 100));

  it('holds back events behind a still-open transaction, then delivers everything once, in log order', async () => {
    const { cursor: start } = await store.transaction((tx) => tx.events.readAfter(undefined, {}, 100));
    const early = event(1);
    const late = event(2);
    const appended = new Latch();
    const release = new Latch();
    // The slow writer takes its transaction id first, then commits last.
    const slow = store.transaction(async (tx) => {
      await tx.events.append([early]);
      appended.open();
      await release.promise;
    });
    await appended.promise;
    await store.transaction((tx) => tx.events.append([late]));

    // The later commit is not final while the earlier transaction may still add before it.
    const whileOpen = await read(start);
    expect(whileOpen).to.deep.equal({ events: [], cursor: start, more: false });

    release.open();
    await slow;
    const after = await read(whileOpen.cursor);
    expect(after.events.map((e) => e.executionId)).to.deep.equal([early.executionId, late.executionId]);
    expect((await read(after.cursor)).events).to.deep.equal([]);
  });

  it('any open transaction that has an id holds the log back until it ends (the price of the design)', async () => {
    const { cursor: start } = await store.transaction((tx) => tx.events.readAfter(undefined, {}, 100));
    const client = await pool.connect();
    try {
      // A transaction with an id (it wrote something elsewhere) that stays open.
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      const appended = event(3);
      await store.transaction((tx) => tx.events.append([appended]));
      expect((await read(start)).events).to.deep.equal([]);
      await client.query('COMMIT');
      expect((await read(start)).events.map((e) => e.executionId)).to.deep.equal([appended.executionId]);
    } finally {
      client.release();
    }
  });
});
