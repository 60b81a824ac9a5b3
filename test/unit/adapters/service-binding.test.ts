import { expect } from 'chai';
import { EventEmitter, getEventListeners } from 'node:events';
import { Metadata } from '@grpc/grpc-js';
import { pino } from 'pino';
import { bindService } from '../../../src/adapters/grpc/service-binding.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../../src/gen/health/v1/health_pb.js';

/** Just enough of a grpc-js server call for the binding: events, metadata, peer, request. */
function fakeCall() {
  return Object.assign(new EventEmitter(), { metadata: new Metadata(), getPeer: () => 'ipv4:127.0.0.1:1', request: new Uint8Array() });
}

describe('service binding: call signals', () => {
  const logger = pino({ level: 'silent' });
  let shutdown: AbortController;
  let seen: AbortSignal[];
  let waiting: Array<() => void>;
  let unary: (call: unknown, callback: (error: unknown, response?: unknown) => void) => void;

  beforeEach(() => {
    shutdown = new AbortController();
    seen = [];
    waiting = [];
    const handlers = {
      check: async (_request: unknown, context: { signal: AbortSignal }) => {
        seen.push(context.signal);
        await new Promise<void>((resolve) => waiting.push(resolve));
        return { status: HealthCheckResponse_ServingStatus.SERVING };
      },
      list: async () => ({}),
      watch: async () => {},
    };
    const implementation = bindService(Health, handlers as never, { logger, shutdown: shutdown.signal });
    unary = implementation['check'] as typeof unary;
  });

  /** Starts a call; resolves once the handler runs, with a promise of its answer. */
  const start = async () => {
    const answered = new Promise((resolve, reject) => unary(fakeCall(), (error, response) => (error ? reject(error) : resolve(response))));
    await new Promise((resolve) => setImmediate(resolve));
    return { answered };
  };
  const finishAll = () => waiting.splice(0).forEach((resolve) => resolve());

  it('detaches each finished call from the shutdown signal, so served calls do not pile up listeners', async () => {
    for (let i = 0; i < 20; i += 1) {
      const { answered } = await start();
      expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(1);
      finishAll();
      await answered;
    }
    expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(0);
  });

  it('serves many calls at once without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const calls = await Promise.all(Array.from({ length: 20 }, () => start()));
      expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(20);
      finishAll();
      await Promise.all(calls.map((c) => c.answered));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('still aborts a running call when the server shuts down', async () => {
    const { answered } = await start();
    shutdown.abort();
    expect(seen[0]?.aborted).to.equal(true);
    finishAll();
    await answered;
  });

  it('answers the call even when the audit hook throws', async () => {
    const handlers = { check: async () => ({ status: HealthCheckResponse_ServingStatus.SERVING }), list: async () => ({}), watch: async () => {} };
    const audit = () => {
      throw new Error('audit sink broken');
    };
    const check = bindService(Health, handlers as never, { logger, shutdown: shutdown.signal, audit })['check'] as typeof unary;
    const answer = await new Promise((resolve, reject) => check(fakeCall(), (error, response) => (error ? reject(error) : resolve(response))));
    expect(answer).to.include({ status: HealthCheckResponse_ServingStatus.SERVING });
  });
});
