import { expect } from 'chai';
import type pg from 'pg';
import type { Migration } from '../../../src/adapters/pg/migrations/migration.js';
import { Migrator } from '../../../src/adapters/pg/migrator.js';
import { TestDatabase } from '../../support/test-database.js';
import { rejection } from './conformance/context.js';
import { appliedMigrations, schemaOf, tablesOf } from './support/schema.js';

/** The runner itself, with synthetic migrations, each test on an empty database. */
const widgets: Migration = {
  id: 1,
  name: 'widgets',
  up: `CREATE TABLE widgets (id integer PRIMARY KEY, name text NOT NULL); CREATE INDEX widgets_name ON widgets (name);`,
  down: `DROP TABLE widgets;`,
};
const colour: Migration = {
  id: 2,
  name: 'widget colour',
  up: `ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'blue' CHECK (colour <> '');`,
  down: `ALTER TABLE widgets DROP COLUMN colour;`,
};
/** Creates a table, then fails: the table must not survive. */
const broken = (id: number): Migration => ({
  id,
  name: 'gadgets, broken',
  up: `CREATE TABLE gadgets (id integer PRIMARY KEY); INSERT INTO widgets (id, name) VALUES (99, 'from a failed migration'); SELECT * FROM no_such_table;`,
  down: `DROP TABLE gadgets;`,
});

describe('Migrator (synthetic migrations)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeEach(async () => {
    database = await TestDatabase.create({ empty: true });
    pool = database.pool(2);
  });
  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  const widgetRows = async () => (await pool.query('SELECT * FROM widgets ORDER BY id')).rows as Record<string, unknown>[];

  it('migrates up and down to a target, and rows in the tables survive every step', async () => {
    const migrator = new Migrator(pool, [widgets, colour]);
    expect(await migrator.up(1)).to.deep.equal([1]);
    await pool.query(`INSERT INTO widgets (id, name) VALUES (1, 'sprocket'), (2, 'cog')`);

    expect(await migrator.up()).to.deep.equal([2]);
    expect(await widgetRows()).to.deep.equal([
      { id: 1, name: 'sprocket', colour: 'blue' },
      { id: 2, name: 'cog', colour: 'blue' },
    ]);
    await pool.query(`UPDATE widgets SET colour = 'red' WHERE id = 2`);
    expect(await migrator.up(1)).to.deep.equal([]);

    expect(await migrator.down(1)).to.deep.equal([2]);
    expect(await widgetRows()).to.deep.equal([
      { id: 1, name: 'sprocket' },
      { id: 2, name: 'cog' },
    ]);
    expect(await appliedMigrations(pool)).to.deep.equal([{ id: 1, name: 'widgets' }]);

    expect(await migrator.up()).to.deep.equal([2]);
    expect(await widgetRows()).to.deep.equal([
      { id: 1, name: 'sprocket', colour: 'blue' },
      { id: 2, name: 'cog', colour: 'blue' },
    ]);
    const status = await migrator.status();
    expect(status.map(({ id, name }) => ({ id, name }))).to.deep.equal([
      { id: 1, name: 'widgets' },
      { id: 2, name: 'widget colour' },
    ]);
    expect(status.every((m) => m.appliedAt instanceof Date)).to.equal(true);

    expect(await migrator.down()).to.deep.equal([2, 1]);
    expect(await tablesOf(pool)).to.deep.equal(['schema_migrations']);
    expect(await migrator.down()).to.deep.equal([]);
  });

  it('a failing migration leaves an empty database exactly as it was, and names the migration', async () => {
    const before = await schemaOf(pool);
    const error = await rejection(new Migrator(pool, [widgets, colour, broken(3)]).up());
    expect((error as Error).message).to.match(/^migration 3 \(gadgets, broken\) failed up: relation "no_such_table" does not exist/);
    // Migrations 1 and 2 ran in the same transaction: they are gone too, bookkeeping included.
    expect(await schemaOf(pool)).to.deep.equal(before);
    expect(await tablesOf(pool)).to.deep.equal([]);
    expect(await appliedMigrations(pool)).to.equal(undefined);
  });

  it('a failing migration after earlier runs keeps the earlier schema, rows and bookkeeping untouched', async () => {
    await new Migrator(pool, [widgets]).up();
    await pool.query(`INSERT INTO widgets (id, name) VALUES (1, 'sprocket')`);
    const schema = await schemaOf(pool);
    const error = await rejection(new Migrator(pool, [widgets, colour, broken(3)]).up());
    expect((error as Error).message).to.match(/^migration 3 \(gadgets, broken\) failed up: /);
    expect(await schemaOf(pool)).to.deep.equal(schema);
    expect(await widgetRows()).to.deep.equal([{ id: 1, name: 'sprocket' }]);
    expect(await appliedMigrations(pool)).to.deep.equal([{ id: 1, name: 'widgets' }]);
    // Fixed, it runs.
    expect(await new Migrator(pool, [widgets, colour]).up()).to.deep.equal([2]);
  });

  it('a failing down names the migration and reverts nothing', async () => {
    const undroppable: Migration = { ...colour, down: `ALTER TABLE widgets DROP COLUMN no_such_column;` };
    await new Migrator(pool, [widgets, undroppable]).up();
    const schema = await schemaOf(pool);
    const error = await rejection(new Migrator(pool, [widgets, undroppable]).down());
    expect((error as Error).message).to.match(/^migration 2 \(widget colour\) failed down: column "no_such_column" of relation "widgets" does not exist/);
    expect(await schemaOf(pool)).to.deep.equal(schema);
    expect(await appliedMigrations(pool)).to.deep.equal([
      { id: 1, name: 'widgets' },
      { id: 2, name: 'widget colour' },
    ]);
  });

  it('refuses to run when an applied migration was changed, saying which one', async () => {
    await new Migrator(pool, [widgets]).up();
    const schema = await schemaOf(pool);
    const edited = new Migrator(pool, [{ ...widgets, up: widgets.up.replace('name text NOT NULL', 'name text') }, colour]);
    for (const attempt of [() => edited.up(), () => edited.down(), () => edited.status()]) {
      const error = await rejection(attempt());
      expect((error as Error).message).to.equal('migration 1 (widgets) was changed after it was applied; migrations are append-only');
    }
    expect(await schemaOf(pool)).to.deep.equal(schema);
    expect(await appliedMigrations(pool)).to.deep.equal([{ id: 1, name: 'widgets' }]);
  });

  it('refuses a database migrated by a newer version', async () => {
    await new Migrator(pool, [widgets, colour]).up();
    const error = await rejection(new Migrator(pool, [widgets]).up());
    expect((error as Error).message).to.match(/the database has migration 2, which this version of the service does not know/);
  });

  it('insists on ids 1, 2, 3 … in order', () => {
    expect(() => new Migrator(pool, [colour])).to.throw(/migration ids must be 1, 2, 3/);
    expect(() => new Migrator(pool, [widgets, { ...colour, id: 3 }])).to.throw(/found 3 at position 2/);
  });
});
