import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health } from '../../../src/gen/health/v1/health_pb.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('typed client: call signals', () => {
  let server: TestServer;
  let health: ReturnType<typeof createServiceClient<typeof Health>>;
  before(async () => {
    server = await startTestServer();
    health = createServiceClient(Health, server.address);
  });
  after(async () => {
    health.close();
    await server.stop();
  });

  it('leaves no listener on a long-lived signal once its calls have ended', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 20; i += 1) await health.check({}, { signal: stop.signal });
    expect(getEventListeners(stop.signal, 'abort')).to.have.length(0);
  });

  it('cancels a call whose signal is already aborted', async () => {
    const error = (await health.check({}, { signal: AbortSignal.abort() }).catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).to.equal(status.CANCELLED);
  });
});
