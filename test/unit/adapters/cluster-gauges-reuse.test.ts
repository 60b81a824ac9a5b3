import { expect } from 'chai';
import { COUNT_ALWAYS_MS, PgClusterGaugesStore, STATE_COUNT_REUSE_FACTOR } from '../../../src/adapters/pg/cluster-gauges-sql.js';
import type { Queryable } from '../../../src/adapters/pg/queryable.js';

const NOW = new Date('2026-03-02T08:00:00Z');

/** A database whose jobs-by-state count takes `countMs` of the fake monotonic clock; every other gauge reads nothing. */
function database(countMs: () => number) {
  let monotonic = 0;
  let counts = 0;
  const db = {
    query: async (text: string) => {
      if (!text.includes('GROUP BY state')) return { rows: [], rowCount: 0 };
      counts += 1;
      monotonic += countMs();
      return { rows: [{ state: 'scheduled', count: String(counts) }], rowCount: 1 };
    },
  } as unknown as Queryable;
  return {
    store: new PgClusterGaugesStore(db, () => monotonic),
    wait: (ms: number) => (monotonic += ms),
    get counts() {
      return counts;
    },
  };
}

describe('PgClusterGaugesStore: the jobs-by-state count at scale', () => {
  it('reuses a slow count while it is younger than STATE_COUNT_REUSE_FACTOR times its duration', async () => {
    const took = 550; // a full scan of 1,000,000 jobs here
    const db = database(() => took);
    expect((await db.store.read(NOW, 10)).jobsByState.scheduled).to.equal(1);
    db.wait(took * STATE_COUNT_REUSE_FACTOR - 1);
    expect((await db.store.read(NOW, 10)).jobsByState.scheduled).to.equal(1);
    expect(db.counts).to.equal(1);
    db.wait(1);
    expect((await db.store.read(NOW, 10)).jobsByState.scheduled).to.equal(2);
    expect(db.counts).to.equal(2);
  });

  it('counts afresh on every read while a count stays under COUNT_ALWAYS_MS', async () => {
    const db = database(() => COUNT_ALWAYS_MS - 1);
    for (let i = 1; i <= 3; i += 1) expect((await db.store.read(NOW, 10)).jobsByState.scheduled).to.equal(i);
    expect(db.counts).to.equal(3);
  });

  it('every state is present, counted or not', async () => {
    const db = database(() => 1);
    expect((await db.store.read(NOW, 10)).jobsByState).to.deep.equal({ pending: 0, scheduled: 1, running: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 });
  });
});
