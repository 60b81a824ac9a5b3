import { createServer } from 'node:net';
import { expect } from 'chai';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { httpGet } from '../../support/prometheus-text.js';
import { ServiceProcess } from '../../support/service-process.js';
import { TestDatabase } from '../../support/test-database.js';
import { startTestServer } from '../../support/test-server.js';

describe('the metrics endpoint as configured', () => {
  let database: TestDatabase;

  before(async () => {
    database = await TestDatabase.create();
  });

  after(async () => {
    await database?.drop();
  });

  it('logs its bound address at start-up (main.js, METRICS_PORT=0) and serves /metrics there', async () => {
    const service = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_PORT: '0', METRICS_PORT: '0' });
    try {
      const listening = service.waitForLog('metrics HTTP server listening');
      const started = await service.waitForLog('JobScheduler started');
      const address = (await listening).address as string;
      expect(started.metrics).to.equal(address);
      const metrics = await httpGet(address, '/metrics');
      expect(metrics.status).to.equal(200);
      expect(metrics.body).to.match(/^jobscheduler_serving 1$/m);
      service.kill('SIGTERM');
      expect((await service.exit()).code).to.equal(0);
    } finally {
      service.kill('SIGKILL');
    }
  });

  it('METRICS_PORT=off serves no HTTP endpoint, while gRPC health still works', async () => {
    const server = await startTestServer({ database, env: { METRICS_PORT: 'off' } });
    try {
      expect(server.observability.metricsAddress).to.equal(undefined);
      const health = createServiceClient(Health, server.address);
      expect((await health.check({})).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      health.close();
    } finally {
      await server.stop();
    }
  });

  it('refuses to start when the metrics port is taken, naming it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const error = await startTestServer({ database, env: { METRICS_PORT: String(port) } }).then(
        (server) => server.stop().then(() => undefined),
        (failure: Error) => failure,
      );
      expect(error?.message).to.match(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} for metrics`));
    } finally {
      blocker.close();
    }
  });
});
