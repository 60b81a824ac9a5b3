import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJobSchedulerClient, createWorkerClient, type WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { ServiceFleet } from '../../support/service-fleet.js';

const TYPE = 'faults.test';
const once = { kind: { case: 'once' as const, value: {} } };

describe('process faults (real processes, real time)', function () {
  this.timeout(90_000);
  const fleet = ServiceFleet.forSuite({ REAPER_INTERVAL: '1s', POLL_INTERVAL: '200ms', SHUTDOWN_GRACE: '5s' }, { eachTest: true });

  async function createOneShots(address: string, count: number): Promise<void> {
    const client = createJobSchedulerClient(address);
    try {
      for (let done = 0; done < count; done += 500) {
        const size = Math.min(500, count - done);
        await client.batchCreateJobs({ requests: Array.from({ length: size }, (_, i) => ({ job: { name: `job ${done + i}`, type: TYPE, schedule: once } })) });
      }
    } finally {
      client.close();
    }
  }

  /**
   * A worker that acquires and completes until `count` executions have succeeded in the
   * database. Like any correct worker, it keeps an outcome it could not deliver and reports it
   * again through whichever replica it reaches next (outcomes are fenced by lease, not replica).
   */
  async function drainThrough(addresses: () => string, count: number): Promise<void> {
    let client: WorkerClient | undefined;
    let address = '';
    let undelivered: { executionId: string; leaseToken: string }[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (addresses() !== address) {
        client?.close();
        address = addresses();
        client = createWorkerClient(address);
      }
      try {
        if (undelivered.length === 0) {
          const { executions } = await client!.acquireExecutions({ workerId: 'drain', jobTypes: [TYPE], capacity: 100, wait: { seconds: 1n } }, { deadline: 3_000 });
          undelivered = executions.map((a) => ({ executionId: a.execution?.id ?? '', leaseToken: a.leaseToken }));
        }
        if (undelivered.length > 0) {
          await client!.reportOutcomes({ workerId: 'drain', outcomes: undelivered.map((lease) => ({ ...lease, outcome: { case: 'success', value: {} } })) }, { deadline: 3_000 });
          undelivered = [];
        }
      } catch {
        await sleep(100); // the replica went away: the next loop picks the address again
      }
      const { rows } = await fleet.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM executions WHERE status = 'succeeded'`);
      if (rows[0]?.n === count) break;
    }
    client?.close();
  }

  async function expectEachJobSucceededOnce(count: number): Promise<void> {
    const { rows } = await fleet.pool.query(`
      SELECT count(*)::int AS jobs,
             count(*) FILTER (WHERE n_succeeded = 1)::int AS once,
             coalesce(sum(n_running), 0)::int AS running
      FROM (SELECT j.id, count(e.id) FILTER (WHERE e.status = 'succeeded') AS n_succeeded,
                   count(e.id) FILTER (WHERE e.status IN ('queued', 'running')) AS n_running
            FROM jobs j LEFT JOIN executions e ON e.job_id = j.id GROUP BY j.id) AS per_job`);
    expect(rows[0]).to.deep.equal({ jobs: count, once: count, running: 0 });
  }

  it('rescues the execution of a worker killed with SIGKILL within lease + reaper interval + 1 s, and retries it', async () => {
    const [{ address }] = await fleet.start(1);
    await createOneShots(address, 1);
    const worker = spawn(process.execPath, ['dist/test/support/hold-worker.js', address, TYPE, '5000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const held = await new Promise<{ executionId: string; acquiredAt: number }>((resolve) =>
      createInterface({ input: worker.stdout }).once('line', (line) => resolve(JSON.parse(line) as { executionId: string; acquiredAt: number })),
    );
    worker.kill('SIGKILL');
    let rescuedAt = 0;
    while (Date.now() - held.acquiredAt < 15_000) {
      const { rows } = await fleet.pool.query(`SELECT status FROM executions WHERE id = $1`, [held.executionId]);
      if (rows[0]?.status === 'lost') {
        rescuedAt = Date.now();
        break;
      }
      await sleep(50);
    }
    expect(rescuedAt, 'the execution was never rescued').to.be.greaterThan(0);
    expect(rescuedAt - held.acquiredAt).to.be.at.most(5_000 + 1_000 + 1_000);
    const { rows } = await fleet.pool.query(`SELECT attempt, status FROM executions ORDER BY number`);
    expect(rows).to.deep.equal([
      { attempt: 1, status: 'lost' },
      { attempt: 2, status: 'queued' },
    ]);
  });

  it('loses nothing when an engine is killed with SIGKILL while dispatching', async () => {
    const [first] = await fleet.start(1);
    await createOneShots(first.address, 1_000);
    fleet.kill(first);
    await first.service.exit();
    const [second] = await fleet.start(1);
    await drainThrough(() => second.address, 1_000);
    await expectEachJobSucceededOnce(1_000);
  });

  it('SIGTERM of a replica under load: it drains and exits 0, the other replica finishes the work, nothing is lost or left running', async () => {
    const [a] = await fleet.start(1);
    const [b] = await fleet.start(1);
    await createOneShots(a.address, 1_000);
    let target = a.address;
    const drained = drainThrough(() => target, 1_000);
    await sleep(150);
    fleet.kill(a, 'SIGTERM');
    target = b.address;
    const exit = await a.service.exit();
    expect(exit.code).to.equal(0);
    await drained;
    await expectEachJobSucceededOnce(1_000);
  });
});
