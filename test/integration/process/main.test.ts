import { expect } from 'chai';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { eventually } from '../../support/eventually.js';
import { ServiceProcess } from '../../support/service-process.js';
import { TestDatabase } from '../../support/test-database.js';

describe('the service process (dist/src/main.js)', () => {
  for (const [name, value] of [
    ['GRPC_PORT', 'abc'],
    ['LOG_LEVEL', 'chatty'],
    ['SHUTDOWN_GRACE', 'soon'],
  ] as const) {
    it(`exits with status 2 and one clear line for ${name}=${value}`, async () => {
      const { code, stderr } = await ServiceProcess.spawn({ [name]: value }).exit();
      expect(code).to.equal(2);
      const lines = stderr.trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`^jobscheduler: configuration error: ${name}="${value}" is not valid: expected `));
    });
  }

  it('exits with status 1 and names the database when it cannot reach it', async () => {
    const { code, stderr } = await ServiceProcess.spawn({ DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none', GRPC_PORT: '0' }).exit();
    expect(code).to.equal(1);
    expect(stderr).to.match(/^jobscheduler: start-up failed: cannot reach PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(stderr).not.to.include('secret');
  });

  it('serves, then stops in order on SIGTERM and exits 0', async () => {
    const database = await TestDatabase.create();
    const service = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_PORT: '0' });
    try {
      const address = await service.started();
      const health = createServiceClient(Health, address);
      expect((await health.check({})).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      health.close();
      const stopped = service.waitForLog('JobScheduler stopped');
      service.kill('SIGTERM');
      await stopped;
      expect((await service.exit()).code).to.equal(0);
    } finally {
      service.kill('SIGKILL');
      await database.drop();
    }
  });

  // Ctrl-C under `npm start` delivers SIGINT twice (from the terminal and forwarded by npm); a
  // process that stopped listening after the first would be killed by the second mid-drain.
  it('a second signal during the drain changes nothing: the call in flight finishes and the exit is 0', async () => {
    const database = await TestDatabase.create();
    const pool = database.pool(2);
    const locker = await pool.connect();
    const service = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_PORT: '0', SHUTDOWN_GRACE: '20s' });
    let scheduler: JobSchedulerClient | undefined;
    try {
      scheduler = createJobSchedulerClient(await service.started());
      // A ListJobs waiting on a lock this test holds keeps the drain going until the test lets go.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE');
      const inFlight = scheduler.listJobs({});
      await eventually(async () => {
        const { rows } = await pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'SELECT count(*) AS count FROM jobs%'`,
        );
        expect(rows, "ListJobs's count waiting on the locked table").to.have.length(1);
      });
      const stopping = service.waitForLog('JobScheduler stopping');
      service.kill('SIGINT');
      await stopping;
      const repeated = service.waitForLog('signal received while stopping; the shutdown goes on');
      service.kill('SIGINT');
      expect((await repeated).signal).to.equal('SIGINT');
      const stopped = service.waitForLog('JobScheduler stopped');
      await locker.query('ROLLBACK');
      expect((await inFlight).jobs).to.deep.equal([]);
      await stopped;
      expect(await service.exit()).to.include({ code: 0, signal: null });
    } finally {
      scheduler?.close();
      service.kill('SIGKILL');
      locker.release();
      await pool.end();
      await database.drop();
    }
  });
});
