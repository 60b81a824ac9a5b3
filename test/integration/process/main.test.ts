import { expect } from 'chai';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
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
});
