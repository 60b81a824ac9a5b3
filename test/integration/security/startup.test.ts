import { expect } from 'chai';
import { createServiceClient } from '../../../src/adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';
import { ServiceProcess } from '../../support/service-process.js';
import { TempFiles, TEST_SECRET } from '../../support/security.js';
import { TestDatabase } from '../../support/test-database.js';

describe('security: safe defaults at start-up (the real process)', () => {
  let files: TempFiles;
  before(() => {
    files = new TempFiles();
  });
  after(() => files.cleanup());

  /** Runs the process to its exit and returns its status and the lines of stderr. */
  async function refusal(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
    const { code, stderr } = await ServiceProcess.spawn({ GRPC_PORT: '0', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env }).exit();
    return { code, lines: stderr.trim().split('\n') };
  }

  it('refuses to listen on a non-loopback address without authentication: exit 2 and one line', async () => {
    const { code, lines } = await refusal({ GRPC_HOST: '0.0.0.0' });
    expect(code).to.equal(2);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^jobscheduler: configuration error: GRPC_HOST="0\.0\.0\.0" is not a loopback address and authentication is off: set AUTH_JWT_SECRET, .* or ALLOW_INSECURE=true/);
  });

  const bad: Array<[string, () => Record<string, string>, RegExp]> = [
    ['a short HS256 secret', () => ({ AUTH_JWT_SECRET: 'hunter2-hunter2' }), /^AUTH_JWT_SECRET is not valid: the HS256 secret must be at least 32 bytes, got 15 \(the value is not shown\)$/],
    ['an unreadable JWKS file', () => ({ AUTH_JWKS_FILE: '/nonexistent/jwks.json' }), /^AUTH_JWKS_FILE="\/nonexistent\/jwks.json" cannot be read: ENOENT$/],
    ['a JWKS with a private key', () => ({ AUTH_JWKS_FILE: files.write('private.json', JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] })) }), /contains a private key/],
    ['a certificate without its key', () => ({ TLS_CERT_FILE: files.write('lonely.crt', 'x') }), /^TLS_CERT_FILE is set without TLS_KEY_FILE: TLS needs both$/],
    ['a secret and a JWKS at once', () => ({ AUTH_JWT_SECRET: TEST_SECRET, AUTH_JWKS_FILE: '/x' }), /^AUTH_JWT_SECRET and AUTH_JWKS_FILE are both set/],
  ];
  for (const [name, env, message] of bad) {
    it(`exits 2 with one line for ${name}`, async () => {
      const { code, lines } = await refusal(env());
      expect(code).to.equal(2);
      expect(lines).to.have.length(1);
      expect(lines[0]!.replace('jobscheduler: configuration error: ', '')).to.match(message);
      expect(lines[0]).not.to.include('hunter2');
    });
  }

  it('starts on a non-loopback address with ALLOW_INSECURE=true, and says so in a warning', async () => {
    const database = await TestDatabase.create();
    const service = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_HOST: '0.0.0.0', GRPC_PORT: '0', ALLOW_INSECURE: 'true' });
    const warnings: string[] = [];
    service.onLog((entry) => {
      if (entry.level === 40) warnings.push(String(entry.msg));
    });
    try {
      const warning = service.waitForLog('ALLOW_INSECURE=true: serving unauthenticated callers on a non-loopback address; anyone who reaches the port has full access');
      const address = await service.started();
      expect(await warning).to.include({ level: 40, host: '0.0.0.0' });
      expect(warnings.filter((msg) => msg.startsWith('METRICS_HOST')), 'metrics stay on loopback by default').to.deep.equal([]);
      const health = createServiceClient(Health, address.replace('0.0.0.0', '127.0.0.1'));
      try {
        expect((await health.check({})).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
      } finally {
        health.close();
      }
    } finally {
      service.kill('SIGTERM');
      await service.exit();
      await database.drop();
    }
  });

  it('warns at start-up when METRICS_HOST is not a loopback address: /metrics has no authentication', async () => {
    const database = await TestDatabase.create();
    const service = ServiceProcess.spawn({ DATABASE_URL: database.url, GRPC_PORT: '0', METRICS_HOST: '0.0.0.0', METRICS_PORT: '0' });
    const warnings: Array<Record<string, unknown>> = [];
    service.onLog((entry) => {
      if (entry.level === 40) warnings.push(entry);
    });
    try {
      await service.started();
      // The metrics endpoint starts before the listener, so its warning precedes "JobScheduler started".
      const metrics = warnings.filter((entry) => String(entry.msg).startsWith('METRICS_HOST'));
      expect(metrics).to.have.length(1);
      expect(metrics[0]).to.include({
        host: '0.0.0.0',
        msg: 'METRICS_HOST is not a loopback address: /metrics answers anyone who reaches the port, without authentication, and names every job type; restrict the port (firewall, network policy) or set METRICS_HOST=127.0.0.1',
      });
    } finally {
      service.kill('SIGTERM');
      await service.exit();
      await database.drop();
    }
  });
});
