import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { TestDatabase } from '../support/test-database.js';
import { describeSample, describeVerdicts, runEndurance } from './support/endurance.js';

/**
 * Endurance: a replica and a worker under steady load, sampled for memory and event-loop delay.
 * CI runs a short smoke (ENDURANCE_DURATION_MS, default 30 s) with a relaxed growth check;
 * `npm run test:endurance -- --duration 10m` runs the real thing with a strict one.
 * ENDURANCE_REPORT=path writes every sample and the verdicts as JSON.
 */
const durationMs = Number(process.env.ENDURANCE_DURATION_MS ?? 30_000);
const long = durationMs >= 300_000;
const MiB = 2 ** 20;

describe(`endurance: ${Math.round(durationMs / 1000)} s at a steady rate, memory and event-loop delay level off`, function () {
  this.timeout(durationMs + 180_000);
  let database: TestDatabase;

  before(async () => {
    database = await TestDatabase.create();
  });
  after(async () => {
    await database.drop();
  });

  it(`${long ? 'strict' : 'relaxed (smoke)'} check: the last third's medians within the tolerance of the middle third's`, async () => {
    const report = await runEndurance({
      databaseUrl: database.url,
      durationMs,
      sampleEveryMs: long ? 5_000 : 1_000,
      jobsPerSecond: 20,
      tolerance: long
        ? { relative: 0.05, rssBytes: 16 * MiB, heapBytes: 8 * MiB, workerRssBytes: 16 * MiB, lagSeconds: 0.05 }
        : { relative: 0.5, rssBytes: 64 * MiB, heapBytes: 32 * MiB, workerRssBytes: 64 * MiB, lagSeconds: 0.25 },
      say: (line) => console.log(`      ${line}`),
    });
    const last = report.samples.at(-1);
    if (last) console.log(`      last sample: ${describeSample(last)}; jobs created ${report.createdJobs}, ${report.samples.length} samples`);
    for (const line of describeVerdicts(report)) console.log(`      ${line}`);
    if (process.env.ENDURANCE_REPORT) writeFileSync(process.env.ENDURANCE_REPORT, `${JSON.stringify(report, null, 2)}\n`);
    expect(report.samples.length, 'samples').to.be.at.least(9);
    expect(report.createdJobs, 'jobs created').to.be.at.least(Math.floor((durationMs / 1000) * 20 * 0.8));
    expect(report.violations).to.deep.equal([]);
  });
});
