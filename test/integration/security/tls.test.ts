import { expect } from 'chai';
import { credentials, status } from '@grpc/grpc-js';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { eventually } from '../../support/eventually.js';
import { authEnv, codeOf, createTestPki, mintToken, TempFiles, type TestPki } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

/** One GetSchedulerMetrics call (any role-free outcome will do) through a client that is closed afterwards. */
async function metricsThrough(client: JobSchedulerClient): Promise<{ code: status; details: string }> {
  try {
    return await codeOf(client.getSchedulerMetrics({}, { deadline: 5_000 }));
  } finally {
    client.close();
  }
}

describe('security: TLS and mutual TLS (certificates made by the test)', function () {
  let pki: TestPki;
  let files: TempFiles;
  before(async () => {
    pki = await createTestPki();
    files = new TempFiles();
  });
  after(() => files.cleanup());

  describe('TLS with JWT', () => {
    let server: SecuredServer;
    let token: string;
    before(async () => {
      server = await SecuredServer.start(authEnv({ TLS_CERT_FILE: files.write('server.crt', pki.server.cert), TLS_KEY_FILE: files.write('server.key', pki.server.key) }));
      token = await mintToken({ roles: ['reader'] });
    });
    after(() => server.stop());

    it('serves a client that trusts the CA and sends a token as call credentials', async () => {
      expect(await metricsThrough(createJobSchedulerClient(server.address, { tls: { ca: pki.ca.cert, serverName: 'localhost' }, token }))).to.deep.equal({ code: status.OK, details: '' });
    });

    it('accepts grpc-js credentials built by hand: createSsl combined with bearer call credentials', async () => {
      const { bearerToken } = await import('../../../src/adapters/grpc/client/index.js');
      const channel = credentials.combineChannelCredentials(credentials.createSsl(Buffer.from(pki.ca.cert)), bearerToken(() => token));
      expect((await metricsThrough(createJobSchedulerClient(server.address, channel))).code).to.equal(status.OK);
    });

    it('still asks a TLS client for its token', async () => {
      const { code, details } = await metricsThrough(createJobSchedulerClient(server.address, { tls: { ca: pki.ca.cert, serverName: 'localhost' } }));
      expect(status[code]).to.equal('UNAUTHENTICATED');
      expect(details).to.match(/^missing bearer token/);
    });

    it('refuses a plaintext client', async () => {
      expect((await metricsThrough(createJobSchedulerClient(server.address, { token }))).code).to.equal(status.UNAVAILABLE);
    });

    it('is refused by a client that trusts a different CA', async () => {
      const { code, details } = await metricsThrough(createJobSchedulerClient(server.address, { tls: { ca: pki.otherCa.cert }, token }));
      expect(code).to.equal(status.UNAVAILABLE);
      expect(details).to.match(/certificate|handshake|connect/i);
    });

    it('is refused by a client that trusts only the system CAs', async () => {
      expect((await metricsThrough(createJobSchedulerClient(server.address, { tls: true, token }))).code).to.equal(status.UNAVAILABLE);
    });

    it('answers health over TLS without a token', async () => {
      const health = createServiceClient(Health, server.address, credentials.createSsl(Buffer.from(pki.ca.cert)));
      try {
        expect((await health.check({})).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      } finally {
        health.close();
      }
    });
  });

  describe('mutual TLS without JWT', () => {
    let server: SecuredServer;
    before(async () => {
      server = await SecuredServer.start({
        TLS_CERT_FILE: files.write('server.crt', pki.server.cert),
        TLS_KEY_FILE: files.write('server.key', pki.server.key),
        TLS_CLIENT_CA_FILE: files.write('clients-ca.crt', pki.ca.cert),
      });
    });
    after(() => server.stop());

    it('serves a client with a certificate from the client CA, and audits it by its certificate subject', async () => {
      const client = createJobSchedulerClient(server.address, { tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key } });
      try {
        const { job } = await client.createJob({ job: { name: 'mtls', type: 'mtls.test', schedule: { kind: { case: 'once', value: {} } } } });
        expect(job?.id).to.be.a('string');
        const line = await eventually(() => {
          const found = server.audit().find((entry) => entry.job_id === job?.id);
          expect(found).not.to.equal(undefined);
          return found!;
        });
        expect(line).to.include({ subject: 'CN=worker-7', via: 'client-certificate', rpc: '/jobscheduler.v1.JobSchedulerService/CreateJob', code: 'OK' });
      } finally {
        client.close();
      }
    });

    it('refuses a client without a certificate', async () => {
      expect((await metricsThrough(createJobSchedulerClient(server.address, { tls: { ca: pki.ca.cert } }))).code).to.equal(status.UNAVAILABLE);
    });

    it('refuses a client whose certificate another CA signed', async () => {
      const { code } = await metricsThrough(createJobSchedulerClient(server.address, { tls: { ca: pki.ca.cert, cert: pki.otherClient.cert, key: pki.otherClient.key } }));
      expect(code).to.equal(status.UNAVAILABLE);
    });

    it('is refused by a client that trusts a different CA', async () => {
      const { code } = await metricsThrough(createJobSchedulerClient(server.address, { tls: { ca: pki.otherCa.cert, cert: pki.client.cert, key: pki.client.key } }));
      expect(code).to.equal(status.UNAVAILABLE);
    });

    it('refuses a plaintext client', async () => {
      expect((await metricsThrough(createJobSchedulerClient(server.address))).code).to.equal(status.UNAVAILABLE);
    });
  });
});
