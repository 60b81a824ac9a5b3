import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/adapters/config/config.js';
import { parseDurationMs } from '../../../src/adapters/config/duration.js';

describe('configuration', () => {
  it('has defaults that serve on loopback with an embedded database', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.grpc).to.deep.equal({ host: '127.0.0.1', port: 50051 });
    expect(config.database.url).to.equal(undefined);
    expect(config.database.embeddedDir).to.equal('/srv/app/.data/postgres');
    expect(config.log).to.deep.equal({ level: 'info', format: 'json' });
    expect(config.shutdownGraceMs).to.equal(10_000);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      GRPC_HOST: '0.0.0.0',
      // A non-loopback address without authentication needs the explicit flag (docs/security.md).
      ALLOW_INSECURE: 'true',
      GRPC_PORT: '6000',
      DATABASE_URL: 'postgres://u:p@db/x',
      DATABASE_POOL_SIZE: '20',
      EMBEDDED_POSTGRES_DIR: '/var/lib/js',
      EMBEDDED_POSTGRES_PORT: '5499',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'pretty',
      SHUTDOWN_GRACE: '1m',
    });
    expect(config.grpc).to.deep.equal({ host: '0.0.0.0', port: 6000 });
    expect(config.database).to.deep.equal({ url: 'postgres://u:p@db/x', poolSize: 20, embeddedDir: '/var/lib/js', embeddedPort: 5499 });
    expect(config.log).to.deep.equal({ level: 'debug', format: 'pretty' });
    expect(config.shutdownGraceMs).to.equal(60_000);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['GRPC_PORT', 'abc', /^GRPC_PORT="abc" is not valid: expected a whole number from 0 to 65535$/],
    ['GRPC_PORT', '70000', /GRPC_PORT="70000"/],
    ['GRPC_PORT', '-1', /GRPC_PORT="-1"/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE="0" .* from 1 to 1000/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud" is not valid: expected one of fatal, error, warn, info, debug, trace, silent/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT="xml"/],
    ['SHUTDOWN_GRACE', '10', /SHUTDOWN_GRACE="10" is not valid: expected a duration/],
  ];
  for (const [name, value, message] of bad) {
    it(`refuses ${name}=${value} with a message naming the variable`, () => {
      expect(() => loadConfig({ [name]: value })).to.throw(ConfigError, message);
    });
  }

  it('treats blank values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', GRPC_PORT: '' }).database.url).to.equal(undefined);
  });

  it('parses durations', () => {
    expect(parseDurationMs('250ms')).to.equal(250);
    expect(parseDurationMs('1.5s')).to.equal(1500);
    expect(parseDurationMs('2h')).to.equal(7_200_000);
    expect(parseDurationMs('1d')).to.equal(86_400_000);
    expect(parseDurationMs('5 minutes')).to.equal(undefined);
    expect(parseDurationMs('')).to.equal(undefined);
  });

  describe('the HTTP port (HTTP_HOST, HTTP_PORT)', () => {
    it('defaults to 127.0.0.1:8080, takes 0 and off', () => {
      expect(loadConfig({}).http).to.deep.equal({ host: '127.0.0.1', port: 8080 });
      expect(loadConfig({ HTTP_PORT: '0' }).http.port).to.equal(0);
      expect(loadConfig({ HTTP_PORT: 'off' }).http.port).to.equal(undefined);
    });

    it('refuses a non-loopback HTTP_HOST without authentication, as for GRPC_HOST', () => {
      expect(() => loadConfig({ HTTP_HOST: '0.0.0.0' })).to.throw(ConfigError, /^HTTP_HOST="0.0.0.0" is not a loopback address and authentication is off: .*HTTP_PORT=off$/);
      expect(loadConfig({ HTTP_HOST: '0.0.0.0', ALLOW_INSECURE: 'true' }).http.host).to.equal('0.0.0.0');
      expect(loadConfig({ HTTP_HOST: '0.0.0.0', AUTH_JWT_SECRET: 'x'.repeat(32) }).http.host).to.equal('0.0.0.0');
      expect(loadConfig({ HTTP_HOST: '0.0.0.0', HTTP_PORT: 'off' }).http.port).to.equal(undefined);
    });
  });
});
