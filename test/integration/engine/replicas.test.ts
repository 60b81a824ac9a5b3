import { expect } from 'chai';
import type { FakeClock } from '../../support/fake-clock.js';
import { TestDatabase } from '../../support/test-database.js';
import type { TestServer } from '../../support/test-server.js';
import { engineServer, everyMinutes, MINUTE, newClock, once, TYPE } from './engine-harness.js';

const ONE_SHOTS = 2_000;
const RECURRING = 50;
const MINUTES = 12;

describe('engine: three replicas on one database never run an occurrence twice', function () {
  this.timeout(120_000);
  let clock: FakeClock;
  let database: TestDatabase;
  let replicas: TestServer[];

  before(async () => {
    clock = newClock();
    database = await TestDatabase.create();
    replicas = await Promise.all([0, 1, 2].map(() => engineServer(clock, database)));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database.drop();
  });

  const replica = (i: number) => replicas[i % replicas.length] as TestServer;

  /** Workers on every replica acquire and report (on another replica) until nothing is queued. */
  async function drain(): Promise<number> {
    let done = 0;
    const worker = async (i: number) => {
      for (;;) {
        const { executions } = await replica(i).worker.acquireExecutions({ workerId: `w${i}`, jobTypes: [TYPE], capacity: 50 });
        if (executions.length === 0) return;
        const { results } = await replica(i + 1).worker.reportOutcomes({
          workerId: `w${i}`,
          outcomes: executions.map((a) => ({ executionId: a.execution?.id ?? '', leaseToken: a.leaseToken, outcome: { case: 'success', value: {} } })),
        });
        expect(results.every((r) => r.accepted)).to.equal(true);
        done += executions.length;
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    return done;
  }

  /** All replicas run dispatcher and reaper passes at once, competing for the same rows. */
  async function passes(): Promise<void> {
    await Promise.all(replicas.flatMap((r) => [r.useCases.dispatch.runUntilIdle(), r.useCases.dispatch.runUntilIdle(), r.useCases.rescue.runOnce()]));
  }

  it(`runs ${ONE_SHOTS} one-shot jobs and ${RECURRING} recurring jobs over ${MINUTES} occurrences exactly once each`, async () => {
    for (let batch = 0; batch < ONE_SHOTS / 500; batch += 1) {
      await replica(batch).scheduler.batchCreateJobs({
        requests: Array.from({ length: 500 }, (_, i) => ({ job: { name: `one-shot ${batch}-${i}`, type: TYPE, schedule: once() } })),
      });
    }
    await replica(0).scheduler.batchCreateJobs({
      requests: Array.from({ length: RECURRING }, (_, i) => ({ job: { name: `recurring ${i}`, type: TYPE, schedule: everyMinutes(1, new Date('2026-03-02T00:00:00Z')) } })),
    });
    let executed = 0;
    for (let minute = 0; minute <= MINUTES; minute += 1) {
      if (minute > 0) clock.advance(MINUTE);
      await passes();
      executed += await drain();
    }
    expect(executed).to.equal(ONE_SHOTS + RECURRING * MINUTES);

    // Checked against the database, not against what the workers saw.
    const pool = database.pool();
    try {
      const { rows: duplicates } = await pool.query('SELECT job_id, occurrence_at, count(*) FROM executions GROUP BY 1, 2 HAVING count(*) > 1');
      expect(duplicates).to.deep.equal([]);
      const { rows } = await pool.query<{ kind: string; jobs: string; executions: string; succeeded: string }>(`
        SELECT j.schedule->>'kind' AS kind, count(DISTINCT j.id) AS jobs, count(e.id) AS executions, count(e.id) FILTER (WHERE e.status = 'succeeded') AS succeeded
        FROM jobs j LEFT JOIN executions e ON e.job_id = j.id GROUP BY 1 ORDER BY 1`);
      expect(rows).to.deep.equal([
        { kind: 'interval', jobs: String(RECURRING), executions: String(RECURRING * MINUTES), succeeded: String(RECURRING * MINUTES) },
        { kind: 'once', jobs: String(ONE_SHOTS), executions: String(ONE_SHOTS), succeeded: String(ONE_SHOTS) },
      ]);
      const { rows: perJob } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM executions e JOIN jobs j ON j.id = e.job_id WHERE j.schedule->>'kind' = 'interval' GROUP BY e.job_id HAVING count(*) <> $1`,
        [MINUTES],
      );
      expect(perJob).to.deep.equal([]);
      const { rows: states } = await pool.query(`SELECT state, count(*)::int AS n FROM jobs GROUP BY state ORDER BY state`);
      expect(states).to.deep.equal([
        { state: 'completed', n: ONE_SHOTS },
        { state: 'scheduled', n: RECURRING },
      ]);
      const running = await pool.query(`SELECT count(*)::int AS n FROM executions WHERE status <> 'succeeded'`);
      expect(running.rows[0]).to.deep.equal({ n: 0 });
    } finally {
      await pool.end();
    }
  });
});
