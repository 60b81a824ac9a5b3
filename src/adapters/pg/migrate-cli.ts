import pg from 'pg';
import { Migrator } from './migrator.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Migrations by hand, for operators who want them outside start-up:
 *   DATABASE_URL=… node dist/src/adapters/pg/migrate-cli.js status | up [id] | down [id]
 * `up` applies pending migrations up to id (default: all); `down` reverts those above id
 * (default: 0, everything). The service itself runs `up` at every start.
 */
async function main(): Promise<void> {
  const [command = 'status', target] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must name the database to migrate');
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const migrator = new Migrator(pool, MIGRATIONS);
    const id = target === undefined ? undefined : Number(target);
    if (id !== undefined && !Number.isInteger(id)) throw new Error(`"${target}" is not a migration id`);
    if (command === 'up') print('applied', await migrator.up(id));
    else if (command === 'down') print('reverted', await migrator.down(id));
    else if (command === 'status') {
      for (const m of await migrator.status()) process.stdout.write(`${m.id}\t${m.appliedAt ? m.appliedAt.toISOString() : 'pending'}\t${m.name}\n`);
    } else throw new Error(`unknown command "${command}": use status, up [id] or down [id]`);
  } finally {
    await pool.end();
  }
}

function print(verb: string, ids: number[]): void {
  process.stdout.write(ids.length === 0 ? `nothing ${verb}\n` : `${verb} ${ids.join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${(error as Error).message}\n`);
  process.exit(1);
});
