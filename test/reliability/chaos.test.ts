import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { TestDatabase } from '../support/test-database.js';
import { describeFigures, runChaos } from './support/chaos.js';

/**
 * Three replicas and four SDK workers (separate processes) on one database under steady load,
 * with a replica or worker killed, stopped or frozen every few seconds. CI runs it for
 * CHAOS_DURATION_MS (default 25 s); `npm run test:chaos -- --duration 10m` runs it for longer.
 * CHAOS_REPORT=path writes the figures and violations as JSON.
 */
const durationMs = Number(process.env.CHAOS_DURATION_MS ?? 25_000);

describe('chaos: replicas and workers killed under load', function () {
  this.timeout(durationMs + 240_000);
  let database: TestDatabase;

  before(async () => {
    database = await TestDatabase.create();
  });
  after(async () => {
    await database.drop();
  });

  it('runs every occurrence as its policy says, never completes one twice, honours every cancel and leaves nothing running', async () => {
    const minActions = Math.floor(durationMs / 5_000);
    const report = await runChaos({ databaseUrl: database.url, durationMs, minActions, say: (line) => console.log(`      ${line}`) });
    for (const line of describeFigures(report.figures)) console.log(`      ${line}`);
    if (process.env.CHAOS_REPORT) writeFileSync(process.env.CHAOS_REPORT, `${JSON.stringify(report, null, 2)}\n`);
    for (const violation of report.violations.slice(0, 25)) console.log(`      VIOLATION ${violation}`);
    expect(report.violations, `${report.violations.length} violations`).to.have.length(0);
    const actions = Object.values(report.figures.actions).reduce((sum, n) => sum + n, 0);
    expect(actions, 'chaos actions taken').to.be.at.least(minActions);
    expect(report.figures.handlerRuns, 'handler runs').to.be.greaterThan(50);
    expect(report.figures.forgedOutcomesRefused, 'forged outcomes refused').to.be.greaterThan(0);
  });
});
