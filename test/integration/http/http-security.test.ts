import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { expect } from 'chai';
import { eventually } from '../../support/eventually.js';
import { authEnv, bearer, createTestPki, mintToken, TempFiles, type TestPki } from '../../support/security.js';
import { SecuredServer } from '../security/secured-server.js';

const SCHEDULER = '/jobscheduler.v1.JobSchedulerService';

describe('HTTP port: the gRPC port\'s auth, role table, limits and audit, over TLS', () => {
  const files = new TempFiles();
  let pki: TestPki;
  let server: SecuredServer;
  let base: URL;
  let reader: string;
  let operator: string;

  before(async () => {
    pki = await createTestPki();
    server = await SecuredServer.start(
      authEnv({ TLS_CERT_FILE: files.write('server.crt', pki.server.cert), TLS_KEY_FILE: files.write('server.key', pki.server.key), GRPC_MAX_RECEIVE_BYTES: '4096', METRICS_PORT: '0' }),
    );
    base = new URL(server.runtime.httpAddress as string);
    reader = await mintToken({ sub: 'dashboard-reader', roles: ['reader'] });
    operator = await mintToken({ sub: 'ops', roles: ['operator'] });
  });
  after(async () => {
    await server.stop();
    files.cleanup();
  });

  /** A Connect unary call over HTTPS that trusts the test CA. */
  function call(method: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { code?: string; message?: string } & Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: base.hostname, port: base.port, path: `${SCHEDULER}/${method}`, method: 'POST', ca: pki.ca.cert, headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('serves HTTPS with the TLS certificate, and nothing in plaintext', async () => {
    expect(base.protocol).to.equal('https:');
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: base.hostname, port: base.port, path: '/', method: 'GET' }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    expect(plain).to.not.equal('status 200');
  });

  it('refuses a call without a token as UNAUTHENTICATED (401) with the guard\'s message', async () => {
    const answer = await call('ListJobs', '{}');
    expect([answer.status, answer.body.code]).to.deep.equal([401, 'unauthenticated']);
    expect(answer.body.message).to.match(/missing bearer token/);
  });

  it('lets a reader read and refuses it PauseJob as PERMISSION_DENIED (403) naming the role, before decoding its request', async () => {
    const list = await call('ListJobs', '{}', bearer(reader));
    expect(list.status).to.equal(200);
    const pause = await call('PauseJob', JSON.stringify({ id: '00000000-0000-4000-8000-000000000000' }), bearer(reader));
    expect([pause.status, pause.body.code]).to.deep.equal([403, 'permission_denied']);
    expect(pause.body.message).to.match(/role operator or admin required for PauseJob; "dashboard-reader" has only reader/);
    // Not JSON at all: a refused caller learns nothing about the body, as on the gRPC port.
    const garbage = await call('PauseJob', '{not json', bearer(reader));
    expect(garbage.body.code).to.equal('permission_denied');
  });

  it('writes the audit line of an operator\'s PauseJob over HTTP, naming the subject and the job', async () => {
    const created = await call('CreateJob', JSON.stringify({ job: { name: 'audited', type: 'http.audit', schedule: { once: { at: '2999-01-01T00:00:00Z' } } } }), bearer(operator));
    const id = (created.body.job as { id: string }).id;
    const paused = await call('PauseJob', JSON.stringify({ id }), bearer(operator));
    expect(paused.status).to.equal(200);
    const line = await eventually(() => {
      const found = server.audit().find((entry) => entry.rpc === `${SCHEDULER}/PauseJob` && entry.job_id === id);
      expect(found).to.not.equal(undefined);
      return found as Record<string, unknown>;
    });
    expect(line).to.include({ subject: 'ops', code: 'OK' });
  });

  it('refuses a body larger than GRPC_MAX_RECEIVE_BYTES as RESOURCE_EXHAUSTED (429)', async () => {
    const answer = await call('ListJobs', JSON.stringify({ pageToken: 'x'.repeat(5000) }), bearer(reader));
    expect([answer.status, answer.body.code]).to.deep.equal([429, 'resource_exhausted']);
    expect(answer.body.message).to.match(/GRPC_MAX_RECEIVE_BYTES/);
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit, and still answers', async () => {
    const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = httpsRequest(
        { host: base.hostname, port: base.port, path: `${SCHEDULER}/ListJobs`, method: 'POST', ca: pki.ca.cert, headers: { 'content-type': 'application/json', ...bearer(reader) } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.write(`{"pageToken": "${'x'.repeat(3000)}`);
      req.end(`${'y'.repeat(3000)}"}`);
    });
    expect(answer.status).to.equal(429);
    expect((JSON.parse(answer.body) as { code: string }).code).to.equal('resource_exhausted');
    expect(answer.connection).to.equal('close');
  });
});
