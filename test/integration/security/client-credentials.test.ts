import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { createJobSchedulerClient, createWorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { authEnv, codeOf, mintToken } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

describe('security: typed clients with a bearer token over plaintext loopback', () => {
  let server: SecuredServer;
  before(async () => {
    server = await SecuredServer.start(authEnv());
  });
  after(() => server.stop());

  it('sends { token } on every call through an interceptor', async () => {
    const client = createJobSchedulerClient(server.address, { token: await mintToken({ roles: ['reader'] }) });
    try {
      expect((await codeOf(client.getSchedulerMetrics({}))).code).to.equal(status.OK);
      expect((await codeOf(client.getSchedulerMetrics({}))).code).to.equal(status.OK);
    } finally {
      client.close();
    }
  });

  it('asks a token function for the current token on each call, so it can be refreshed', async () => {
    const tokens = [await mintToken({ sub: 'first', roles: ['worker'] }), await mintToken({ sub: 'second', roles: ['reader'] })];
    let calls = 0;
    const client = createWorkerClient(server.address, { token: async () => tokens[Math.min(calls++, 1)]! });
    try {
      expect(status[(await codeOf(client.heartbeat({}))).code]).to.equal('INVALID_ARGUMENT');
      const second = await codeOf(client.heartbeat({}));
      expect(status[second.code]).to.equal('PERMISSION_DENIED');
      expect(second.details).to.include('"second" has only reader');
      expect(calls).to.equal(2);
    } finally {
      client.close();
    }
  });

  it('fails the call when the token function fails, without sending it', async () => {
    const client = createJobSchedulerClient(server.address, { token: () => Promise.reject(new Error('token service down')) });
    try {
      const { code, details } = await codeOf(client.getSchedulerMetrics({}));
      expect(status[code]).to.equal('UNAUTHENTICATED');
      expect(details).to.equal('no bearer token: token service down');
    } finally {
      client.close();
    }
  });

  it('refuses to send a token in plaintext to a non-loopback address unless told to', () => {
    expect(() => createJobSchedulerClient('10.20.30.40:50051', { token: 'x' })).to.throw(/refusing to send a bearer token in plaintext to 10\.20\.30\.40:50051/);
    createJobSchedulerClient('10.20.30.40:50051', { token: 'x', allowPlaintextToken: true }).close();
  });
});
