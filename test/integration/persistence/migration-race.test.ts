import { expect } from 'chai';
import pg from 'pg';
import { Migrator } from '../../../src/adapters/pg/migrator.js';
import { MIGRATIONS } from '../../../src/adapters/pg/migrations/index.js';
import { TestDatabase } from '../../support/test-database.js';
import { execNode } from './support/exec-node.js';
import { raceMigrations } from './support/race-migrations.js';
import { appliedMigrations, tablesOf } from './support/schema.js';

const CLI = 'dist/src/adapters/pg/migrate-cli.js';
const CONTENDER = 'dist/test/integration/persistence/support/race-migrate-process.js';

/**
 * Replicas starting together against one empty database: all succeed, the migrations run once
 * (the advisory lock serialises them; the loser finds nothing left to do).
 */
describe('migrating one empty database from several places at once', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeEach(async () => {
    database = await TestDatabase.create({ empty: true });
    pool = database.pool(1);
  });
  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  const ids = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

  it('two migrate-cli processes started together both succeed, and each migration runs once', async () => {
    const results = await Promise.all([1, 2].map(() => execNode(CLI, ['up'], { DATABASE_URL: database.url })));
    for (const result of results) expect(result, result.stderr).to.include({ code: 0, stderr: '' });
    expect(results.map((r) => r.stdout).sort()).to.deep.equal([`applied ${ids(MIGRATIONS.length).join(', ')}\n`, 'nothing applied\n']);
    expect(await appliedMigrations(pool)).to.deep.equal(MIGRATIONS.map(({ id, name }) => ({ id, name })));
  });

  it('three processes released at the same instant, with a migration slow enough that they overlap', async () => {
    const startAt = String(Date.now() + 1_500);
    const results = await Promise.all([1, 2, 3].map(() => execNode(CONTENDER, [], { DATABASE_URL: database.url, START_AT: startAt, SLOW: '400' })));
    for (const result of results) expect(result, result.stderr).to.include({ code: 0, stderr: '' });
    const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: number[] }).applied);
    const all = ids(MIGRATIONS.length + 1);
    expect(applied.sort((a, b) => b.length - a.length)).to.deep.equal([all, [], []]);
    expect((await appliedMigrations(pool))?.map((m) => m.id)).to.deep.equal(all);
    expect(await tablesOf(pool)).to.include.members(['jobs', 'executions']);
  });

  it('two Migrators on separate pools in one process: both succeed, migrations run once', async () => {
    for (const slowMs of [0, 300]) {
      const scratch = await TestDatabase.create({ empty: true });
      const pools = [scratch.pool(1), scratch.pool(1)];
      try {
        const migrations = raceMigrations(slowMs);
        const applied = await Promise.all(pools.map((p) => new Migrator(p, migrations).up()));
        expect(applied.sort((a, b) => b.length - a.length)).to.deep.equal([ids(migrations.length), []]);
        expect((await appliedMigrations(pools[0] as pg.Pool))?.map((m) => m.id)).to.deep.equal(ids(migrations.length));
      } finally {
        await Promise.all(pools.map((p) => p.end()));
        await scratch.drop();
      }
    }
  });
});
