import { expect } from 'chai';
import { startTracing, tracingRequested } from '../../../src/adapters/tracing/setup.js';

describe('tracing set-up (standard OTEL_* variables only)', () => {
  for (const [env, on] of [
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'jobscheduler' }, false],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, false],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
  ] as const) {
    it(`${JSON.stringify(env)}: tracing ${on ? 'on' : 'off'}`, () => {
      expect(tracingRequested(env)).to.equal(on);
    });
  }

  it('creates no SDK and no exporter when nothing asks for traces', async () => {
    expect(await startTracing({})).to.equal(undefined);
    expect(await startTracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' })).to.equal(undefined);
  });
});
