import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { JobSchedulerService } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { WebhookService } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('gRPC server (real server on port 0, generated clients)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('listens on the port it was given by the OS', () => {
    expect(server.address).to.match(/^127\.0\.0\.1:\d+$/);
    expect(server.address).not.to.equal('127.0.0.1:0');
  });

  it('reports SERVING through grpc.health.v1 for the server and every service', async () => {
    const health = createServiceClient(Health, server.address);
    try {
      for (const service of ['', JobSchedulerService.typeName, WorkerService.typeName, WebhookService.typeName]) {
        const response = await health.check({ service });
        expect(response.status, service || '(server)').to.equal(HealthCheckResponse_ServingStatus.SERVING);
      }
      const unknown = await health.check({ service: 'no.such.Service' }).catch((error: ServiceError) => error);
      expect((unknown as ServiceError).code).to.equal(status.NOT_FOUND);
    } finally {
      health.close();
    }
  });

  it('answers a typed call through the generated client', async () => {
    const error = (await server.scheduler.getJob({ id: 'x' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).to.be.oneOf([status.UNIMPLEMENTED, status.NOT_FOUND, status.INVALID_ARGUMENT]);
    expect(error.metadata.get('x-correlation-id')).to.have.length(1);
  });
});
