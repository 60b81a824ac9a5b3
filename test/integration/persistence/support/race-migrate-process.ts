import pg from 'pg';
import { Migrator } from '../../../../src/adapters/pg/migrator.js';
import { raceMigrations } from './race-migrations.js';

/**
 * One contender in the migration race (migration-race.test.ts), run as its own OS process:
 * connects, waits until START_AT (epoch ms) so every contender starts migrating at the same
 * instant, migrates DATABASE_URL up and prints {"applied": [...]}. SLOW: see raceMigrations.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is unset');
  const startAt = Number(process.env.START_AT ?? Date.now());
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    // Connected before the start line, so the race is between migrations, not process start-ups.
    await pool.query('SELECT 1');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
    const applied = await new Migrator(pool, raceMigrations(Number(process.env.SLOW ?? 0))).up();
    process.stdout.write(`${JSON.stringify({ applied })}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
