import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/adapters/config/config.js';

describe('observability configuration', () => {
  it('defaults to /metrics on 127.0.0.1:9464, a 15 s refresh and a 2 s health probe with a 1 s timeout', () => {
    expect(loadConfig({}).observability).to.deep.equal({
      metrics: { host: '127.0.0.1', port: 9464 },
      refreshIntervalMs: 15_000,
      healthCheckIntervalMs: 2_000,
      healthCheckTimeoutMs: 1_000,
    });
  });

  it('reads every variable; port 0 picks a free port', () => {
    const config = loadConfig({ METRICS_HOST: '0.0.0.0', METRICS_PORT: '0', METRICS_REFRESH_INTERVAL: '30s', HEALTH_CHECK_INTERVAL: '500ms', HEALTH_CHECK_TIMEOUT: '250ms' });
    expect(config.observability).to.deep.equal({
      metrics: { host: '0.0.0.0', port: 0 },
      refreshIntervalMs: 30_000,
      healthCheckIntervalMs: 500,
      healthCheckTimeoutMs: 250,
    });
  });

  for (const off of ['off', 'OFF', 'false', 'none', 'disabled']) {
    it(`METRICS_PORT=${off} turns the HTTP endpoint off`, () => {
      expect(loadConfig({ METRICS_PORT: off }).observability.metrics.port).to.equal(undefined);
    });
  }

  const bad: Array<[string, string, RegExp]> = [
    ['METRICS_PORT', 'metrics', /^METRICS_PORT="metrics" is not valid: expected a whole number from 0 to 65535, or off$/],
    ['METRICS_PORT', '70000', /METRICS_PORT="70000"/],
    ['METRICS_REFRESH_INTERVAL', '10ms', /METRICS_REFRESH_INTERVAL="10ms" is not valid: expected a duration from 100ms/],
    ['HEALTH_CHECK_INTERVAL', 'often', /HEALTH_CHECK_INTERVAL="often" is not valid: expected a duration/],
    ['HEALTH_CHECK_TIMEOUT', '2m', /HEALTH_CHECK_TIMEOUT="2m"/],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}=${value}`, () => {
      expect(() => loadConfig({ [name]: value })).to.throw(ConfigError, message);
    });
  }
});
