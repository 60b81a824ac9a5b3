import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJobSchedulerClient, createWorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { ServiceFleet } from '../../support/service-fleet.js';

const UP = 'crash.up';
const DOWN = 'crash.down';
const CHAINS = 60;
const now = { kind: { case: 'once' as const, value: {} } };
const afterUpstream = { kind: { case: 'afterUpstream' as const, value: {} } };

describe('job dependencies when a replica is killed (real processes, real time)', function () {
  this.timeout(90_000);
  const fleet = ServiceFleet.forSuite({ REAPER_INTERVAL: '1s', POLL_INTERVAL: '200ms', SHUTDOWN_GRACE: '5s' });

  it('SIGKILL while upstream outcomes are being recorded: each downstream job fires exactly once, naming its upstream execution', async () => {
    const { pool } = fleet;
    const [killed, survivor] = await fleet.start(2);
    const scheduler = createJobSchedulerClient(survivor.address);
    const doomed = createWorkerClient(killed.address);
    const worker = createWorkerClient(survivor.address);
    try {
      const downOf = new Map<string, string>();
      for (let i = 0; i < CHAINS; i += 1) {
        const { job: up } = await scheduler.createJob({ job: { name: `up ${i}`, type: UP, schedule: now } });
        const { job: down } = await scheduler.createJob({ job: { name: `down ${i}`, type: DOWN, schedule: afterUpstream, dependsOn: [{ jobId: up?.id ?? '' }] } });
        downOf.set(up?.id ?? '', down?.id ?? '');
      }
      const { executions } = await doomed.acquireExecutions({ workerId: 'w', jobTypes: [UP], capacity: CHAINS });
      expect(executions).to.have.length(CHAINS);
      // Every outcome in its own call to the replica about to die; it dies while they commit.
      const report = (client: typeof worker, a: (typeof executions)[number]) =>
        client.reportOutcomes({ workerId: 'w', outcomes: [{ executionId: a.execution?.id ?? '', leaseToken: a.leaseToken, outcome: { case: 'success', value: {} } }] }, { deadline: Date.now() + 5_000 });
      let firstAnswered: () => void = () => undefined;
      const answered = new Promise<void>((resolve) => (firstAnswered = resolve));
      const calls = executions.map((a) =>
        report(doomed, a).then(
          () => (firstAnswered(), true),
          () => false,
        ),
      );
      // Killed as soon as the first outcome is answered: the others are queued, running or committing.
      await Promise.race([answered, sleep(5_000)]);
      fleet.kill(killed);
      const delivered = await Promise.all(calls);
      // A worker reports what it could not deliver again, on the replica it still reaches. An
      // outcome the dead replica committed before its answer was lost is refused as already recorded.
      const again = await Promise.all(executions.filter((_, i) => !delivered[i]).map((a) => report(worker, a)));
      if (process.env.TEST_LOG) console.log(`delivered ${delivered.filter((d) => d).length}, reported again ${again.length}, of which refused as recorded ${again.filter((r) => !r.results[0]?.accepted).length}`);
      const { rows } = await pool.query<{ job_id: string; id: string; status: string; upstream_execution_ids: string[] | null }>(
        `SELECT job_id, id, status, upstream_execution_ids FROM executions ORDER BY job_type, job_id`,
      );
      const ups = rows.filter((r) => downOf.has(r.job_id));
      const downs = rows.filter((r) => !downOf.has(r.job_id));
      expect(ups.map((r) => r.status)).to.deep.equal(Array.from({ length: CHAINS }, () => 'succeeded'));
      expect(downs).to.have.length(CHAINS);
      expect(new Set(downs.map((r) => r.job_id)).size).to.equal(CHAINS);
      for (const up of ups) expect(downs.find((d) => d.job_id === downOf.get(up.job_id))?.upstream_execution_ids).to.deep.equal([up.id]);
    } finally {
      scheduler.close();
      doomed.close();
      worker.close();
    }
  });
});
