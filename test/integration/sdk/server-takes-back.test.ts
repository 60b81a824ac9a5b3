import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { ExecutionAbortedError } from '../../../src/sdk/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startTestServer, testLogger, type TestServer } from '../../support/test-server.js';
import { executionsOf, uniqueType, waitFor, Workers } from './sdk-fixtures.js';
import { Latch } from '../../support/latch.js';
import { randomUUID } from 'node:crypto';
import { RescueExpiredExecutions } from '../../../src/application/engine/rescue-expired.js';
import { LocalWakeUps } from '../../../src/adapters/memory/local-wake-ups.js';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';

const LEASE_MS = 5_000;

/**
 * The server's clock is fake, so an attempt can time out at once, and its Work session's lease
 * checks (every third of the lease, on that clock) bring the news to the handler.
 */
describe('worker SDK: executions the server takes back (fake server clock)', () => {
  let server: TestServer;
  let clock: FakeClock;
  let workers: Workers;
  before(async () => {
    clock = new FakeClock();
    server = await startTestServer({ clock });
  });
  after(() => server.stop());
  beforeEach(() => {
    workers = new Workers(server);
  });
  afterEach(async () => {
    await workers.stopAll();
    expect(workers.errors()).to.deep.equal([]);
  });

  async function runUntilTakenBack(options: { attemptTimeoutSeconds?: number }, takeBack: (jobId: string) => Promise<void>) {
    const type = uniqueType('taken-back');
    const started = new Latch();
    let reason: unknown;
    workers.start({
      types: [type],
      leaseDurationMs: LEASE_MS,
      handler: (job) =>
        new Promise((_resolve, reject) => {
          started.open();
          job.signal.addEventListener('abort', () => {
            reason = job.signal.reason;
            reject(new Error('aborted'));
          });
        }),
    });
    const timeout = options.attemptTimeoutSeconds === undefined ? {} : { attemptTimeout: { seconds: BigInt(options.attemptTimeoutSeconds) } };
    const { job } = await server.scheduler.createJob({ job: { name: type, type, schedule: { kind: { case: 'once', value: {} } }, ...timeout } });
    await server.useCases.dispatch.runUntilIdle();
    await started.promise;
    await takeBack(job!.id);
    await waitFor('the handler to be aborted', () => (reason === undefined ? undefined : true), LEASE_MS);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { reason: reason as ExecutionAbortedError, executions: await executionsOf(server, job!.id) };
  }

  it('aborts the handler with lease_lost when the lease expired, and reports nothing', async () => {
    const { reason, executions } = await runUntilTakenBack({}, async () => {
      // While its session is open this replica keeps the lease alive; another replica, cut off
      // from it, whose clock says the lease ran out, rescues the execution.
      const pool = server.database.pool(1);
      const later = new FakeClock(new Date(clock.now().getTime() + LEASE_MS + 1_000));
      try {
        await new RescueExpiredExecutions(new PgStore(pool), later, { ids: { newId: randomUUID }, random: Math.random }, new LocalWakeUps(), { reaperBatchSize: 10 }, testLogger).runOnce();
      } finally {
        await pool.end();
      }
      // The session's next lease check finds it gone.
      clock.advance(LEASE_MS);
    });
    expect(reason).to.be.instanceOf(ExecutionAbortedError);
    expect(reason.kind).to.equal('lease_lost');
    expect(reason.message).to.match(/lease expired/);
    expect(executions.map((e) => [e.attempt, e.status])).to.deep.equal([
      [1, ExecutionStatus.LOST],
      [2, ExecutionStatus.QUEUED],
    ]);
    expect(workers.log.filter((entry) => entry.message.includes('refused'))).to.deep.equal([]);
  });

  it('aborts the handler with cancelled when its attempt timed out', async () => {
    const { reason, executions } = await runUntilTakenBack({ attemptTimeoutSeconds: 2 }, async (jobId) => {
      clock.advance(2_500);
      // That advance also runs the session's lease check (every third of the lease), and a rescue
      // claims with SKIP LOCKED: while the check's heartbeat holds the row, a rescue passes it by
      // (as in production, where the reaper's next pass takes it). So rescue until one took it;
      // its wake-up then brings the news to the handler. Rescuing once waited in vain in a loaded
      // CI run: the heartbeat held the row at that moment.
      await waitFor('a rescue to time the attempt out', async () => {
        await server.useCases.rescue.runOnce();
        return (await executionsOf(server, jobId))[0]?.status === ExecutionStatus.TIMED_OUT ? true : undefined;
      });
    });
    expect(reason.kind).to.equal('cancelled');
    expect(executions[0]?.status).to.equal(ExecutionStatus.TIMED_OUT);
  });
});
