import { expect } from 'chai';
import type { FakeClock } from '../../support/fake-clock.js';
import { TestDatabase } from '../../support/test-database.js';
import type { TestServer } from '../../support/test-server.js';
import { engineServer, newClock, once } from './engine-harness.js';

const GROUPS = 40;
const ROUNDS = 5;
const afterUpstream = { kind: { case: 'afterUpstream', value: {} } } as const;
const later = once(new Date('2027-01-01T00:00:00Z'));

describe('engine: two replicas recording the upstream outcomes of one downstream job at once fire it exactly once', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let replicas: TestServer[];

  before(async () => {
    database = await TestDatabase.create();
    const clock: FakeClock = newClock();
    replicas = await Promise.all([0, 1].map(() => engineServer(clock, database)));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database.drop();
  });

  const replica = (i: number) => replicas[i] as TestServer;

  it(`fans ${GROUPS} pairs of upstream jobs into ${GROUPS} downstream jobs over ${ROUNDS} rounds without a double or a missed fire`, async () => {
    const [left, right, down] = ['dep.left', 'dep.right', 'dep.down'];
    const groups = [];
    for (let g = 0; g < GROUPS; g += 1) {
      const { job: l } = await replica(0).scheduler.createJob({ job: { name: `left ${g}`, type: left, schedule: later } });
      const { job: r } = await replica(1).scheduler.createJob({ job: { name: `right ${g}`, type: right, schedule: later } });
      const { job: d } = await replica(g % 2).scheduler.createJob({
        job: { name: `down ${g}`, type: down, schedule: afterUpstream, dependsOn: [{ jobId: l?.id ?? '' }, { jobId: r?.id ?? '' }] },
      });
      groups.push({ left: l?.id ?? '', right: r?.id ?? '', down: d?.id ?? '' });
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      await Promise.all(groups.flatMap((g) => [replica(0).scheduler.runJob({ id: g.left }), replica(1).scheduler.runJob({ id: g.right })]));
      const [lefts, rights] = await Promise.all([
        replica(0).worker.acquireExecutions({ workerId: 'left', jobTypes: [left], capacity: GROUPS }),
        replica(1).worker.acquireExecutions({ workerId: 'right', jobTypes: [right], capacity: GROUPS }),
      ]);
      expect(lefts.executions).to.have.length(GROUPS);
      expect(rights.executions).to.have.length(GROUPS);
      // Each outcome in its own call on its own replica, all at once: the two upstream outcomes
      // of every downstream job race. Odd rounds report each side as one batch instead.
      const report = (server: TestServer, workerId: string, batch: typeof lefts.executions) =>
        server.worker.reportOutcomes({ workerId, outcomes: batch.map((a) => ({ executionId: a.execution?.id ?? '', leaseToken: a.leaseToken, outcome: { case: 'success', value: {} } })) });
      const answers =
        round % 2 === 0
          ? await Promise.all([...lefts.executions.map((a) => report(replica(0), 'left', [a])), ...rights.executions.map((a) => report(replica(1), 'right', [a]))])
          : await Promise.all([report(replica(0), 'left', lefts.executions), report(replica(1), 'right', rights.executions)]);
      expect(answers.flatMap((a) => a.results).every((r) => r.accepted)).to.equal(true);
      const downs = await replica(round % 2).worker.acquireExecutions({ workerId: 'down', jobTypes: [down], capacity: 2 * GROUPS });
      expect(downs.executions).to.have.length(GROUPS);
      const byJob = new Map(downs.executions.map((a) => [a.execution?.jobId, a.execution?.upstreamExecutionIds]));
      const leftOf = new Map(lefts.executions.map((a) => [a.execution?.jobId, a.execution?.id]));
      const rightOf = new Map(rights.executions.map((a) => [a.execution?.jobId, a.execution?.id]));
      for (const g of groups) expect(byJob.get(g.down)).to.deep.equal([leftOf.get(g.left), rightOf.get(g.right)]);
      await replica(1 - (round % 2)).worker.reportOutcomes({
        workerId: 'down',
        outcomes: downs.executions.map((a) => ({ executionId: a.execution?.id ?? '', leaseToken: a.leaseToken, outcome: { case: 'success', value: {} } })),
      });
    }
    const pool = database.pool();
    try {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM executions e JOIN jobs j ON j.id = e.job_id WHERE j.type = 'dep.down' AND e.trigger = 'upstream' GROUP BY e.job_id`,
      );
      expect(rows.map((r) => r.n)).to.deep.equal(Array.from({ length: GROUPS }, () => ROUNDS));
      const { rows: left } = await pool.query(`SELECT count(*)::int AS n FROM job_dependencies WHERE satisfied_by IS NOT NULL`);
      expect(left[0]).to.deep.equal({ n: 0 });
    } finally {
      await pool.end();
    }
  });
});
