import { expect } from 'chai';
import type pg from 'pg';
import { MIGRATIONS } from '../../../src/adapters/pg/migrations/index.js';
import { TestDatabase } from '../../support/test-database.js';
import { execNode } from './support/exec-node.js';
import { appliedMigrations, tablesOf } from './support/schema.js';

const CLI = 'dist/src/adapters/pg/migrate-cli.js';
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

/** The operator's migration command exactly as docs/schema.md tells operators to run it. */
describe('migrate-cli (DATABASE_URL=… node dist/src/adapters/pg/migrate-cli.js status | up [id] | down [id])', () => {
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

  const cli = (...args: string[]) => execNode(CLI, args, { DATABASE_URL: database.url });
  const all = MIGRATIONS.map((m) => m.id).join(', ');

  it('status, up, status, up again, down, up to an id: each says what it did', async () => {
    const pending = MIGRATIONS.map((m) => `${m.id}\tpending\t${m.name}\n`).join('');
    expect(await cli('status')).to.deep.equal({ code: 0, stdout: pending, stderr: '' });
    expect(await cli()).to.deep.equal({ code: 0, stdout: pending, stderr: '' });

    expect(await cli('up')).to.deep.equal({ code: 0, stdout: `applied ${all}\n`, stderr: '' });
    expect(await tablesOf(pool)).to.include.members(['jobs', 'executions', 'execution_events', 'scheduler_counters']);
    const status = await cli('status');
    expect(status.code).to.equal(0);
    const lines = status.stdout.trimEnd().split('\n');
    expect(lines).to.have.length(MIGRATIONS.length);
    lines.forEach((line, i) => expect(line).to.match(new RegExp(`^${MIGRATIONS[i]?.id}\\t${ISO.source}\\t${MIGRATIONS[i]?.name}$`)));

    expect(await cli('up')).to.deep.equal({ code: 0, stdout: 'nothing applied\n', stderr: '' });
    expect(await cli('down')).to.deep.equal({ code: 0, stdout: `reverted ${[...MIGRATIONS].reverse().map((m) => m.id).join(', ')}\n`, stderr: '' });
    expect(await tablesOf(pool)).to.deep.equal(['schema_migrations']);
    expect(await cli('down')).to.deep.equal({ code: 0, stdout: 'nothing reverted\n', stderr: '' });

    expect(await cli('up', '1')).to.deep.equal({ code: 0, stdout: 'applied 1\n', stderr: '' });
    expect((await appliedMigrations(pool))?.map((m) => m.id)).to.deep.equal([1]);
    expect(await cli('down', '0')).to.deep.equal({ code: 0, stdout: 'reverted 1\n', stderr: '' });
  });

  for (const [args, message] of [
    [['sideways'], 'migrate: unknown command "sideways": use status, up [id] or down [id]\n'],
    [['up', 'latest'], 'migrate: "latest" is not a migration id\n'],
  ] as const) {
    it(`exits 1 with one line for: ${args.join(' ')}`, async () => {
      expect(await cli(...args)).to.deep.equal({ code: 1, stdout: '', stderr: message });
      expect(await tablesOf(pool)).to.deep.equal([]);
    });
  }

  it('exits 1 when DATABASE_URL is unset or the database cannot be reached', async () => {
    expect(await execNode(CLI, ['status'], {})).to.deep.equal({ code: 1, stdout: '', stderr: 'migrate: DATABASE_URL must name the database to migrate\n' });
    const unreachable = await execNode(CLI, ['up'], { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' });
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.match(/^migrate: .*ECONNREFUSED/);
  });
});
