import { expect } from 'chai';
import { credentials } from '@grpc/grpc-js';
import { createJobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { now } from '../../../src/client/schedules.js';
import { createWorker } from '../../../src/sdk/index.js';
import { cli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { authEnv, createTestPki, mintToken, TempFiles, type TestPki } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

/**
 * The same `{ tls, token }` options for the scheduler client, the worker SDK and the CLI (flags and
 * environment variables), against a server that requires TLS and a JWT.
 */
describe('security: { tls, token } for clients, workers and the CLI', function () {
  this.timeout(60_000);
  const files = new TempFiles();
  let pki: TestPki;
  let server: SecuredServer;
  let ca: string;
  let adminToken: string;

  before(async () => {
    pki = await createTestPki();
    server = await SecuredServer.start(authEnv({ TLS_CERT_FILE: files.write('server.crt', pki.server.cert), TLS_KEY_FILE: files.write('server.key', pki.server.key) }));
    ca = files.write('ca.crt', pki.ca.cert);
    adminToken = await mintToken({ roles: ['admin'] });
  });
  after(async () => {
    await server?.stop();
    files.cleanup();
  });

  it('createWorker takes { tls, token } as createJobSchedulerClient does, and runs a job over them', async () => {
    const scheduler = createJobSchedulerClient(server.address, { tls: { ca: pki.ca.cert }, token: adminToken });
    const workerToken = await mintToken({ sub: 'worker-7', roles: ['worker'] });
    const worker = createWorker({ address: server.address, tls: { ca: pki.ca.cert }, token: () => workerToken, types: ['secure.job'], handler: async () => ({ ok: true }) });
    try {
      const { job } = await scheduler.createJob({ job: { name: 'secure', type: 'secure.job', schedule: now() } });
      await eventually(async () => {
        const { executions } = await scheduler.listExecutions({ jobId: job!.id });
        expect(executions.map((e) => [e.workerId, e.result])).to.deep.equal([[worker.id, { ok: true }]]);
      }, 20_000);
    } finally {
      await worker.stop();
      scheduler.close();
    }
  });

  it('createWorker refuses credentials together with tls or token', () => {
    expect(() => createWorker({ address: server.address, credentials: credentials.createInsecure(), token: 'x', types: ['t'], handler: async () => undefined })).to.throw(TypeError, 'pass either credentials or tls/token, not both');
  });

  it('the CLI connects with --ca and --token-file', async () => {
    const tokenFile = files.write('token', `${adminToken}\n`);
    const result = await cli(['jobs', 'list', '--address', server.address, '--ca', ca, '--token-file', tokenFile]);
    expect({ code: result.code, stderr: result.stderr }).to.deep.equal({ code: 0, stderr: '' });
  });

  it('the CLI takes the same from JOBSCHEDULER_ADDRESS, JOBSCHEDULER_CA and JOBSCHEDULER_TOKEN', async () => {
    const result = await cli(['metrics'], { JOBSCHEDULER_ADDRESS: server.address, JOBSCHEDULER_CA: ca, JOBSCHEDULER_TOKEN: adminToken });
    expect({ code: result.code, stderr: result.stderr }).to.deep.equal({ code: 0, stderr: '' });
  });

  it('the CLI names the status when the token is missing or not enough (exit 1)', async () => {
    const missing = await cli(['jobs', 'list', '--address', server.address, '--ca', ca]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^error: UNAUTHENTICATED: .+\n$/);
    const reader = await cli(['jobs', 'create', 'x', '--type', 't', '--now', '--address', server.address, '--ca', ca, '--token', await mintToken({ roles: ['reader'] })]);
    expect(reader.code).to.equal(1);
    expect(reader.stderr).to.match(/^error: PERMISSION_DENIED: .+\n$/);
  });

  it('the CLI without TLS cannot reach a TLS server (exit 3)', async () => {
    const result = await cli(['jobs', 'list', '--address', server.address, '--token', adminToken, '--timeout', '3s']);
    expect(result.code).to.equal(3);
    expect(result.stderr).to.match(/^error: (UNAVAILABLE|DEADLINE_EXCEEDED): .+\n$/);
  });
});
