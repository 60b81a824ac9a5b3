import { expect } from 'chai';
import { EventEmitter, getEventListeners } from 'node:events';
import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { createCallContext } from '../../../src/adapters/grpc/call-context.js';

function fakeCall(headers: Record<string, string> = {}): ServerUnaryCall<unknown, unknown> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return Object.assign(new EventEmitter(), { metadata, getPeer: () => 'ipv4:127.0.0.1:1' }) as unknown as ServerUnaryCall<unknown, unknown>;
}

describe('call context', () => {
  it('detaches from the shutdown signal when released, so served calls do not pile up listeners', () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 50; i += 1) createCallContext('/x.S/M', fakeCall(), shutdown.signal).release();
    expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(0);
  });

  it('aborts the call signal on shutdown and on client cancel', () => {
    const shutdown = new AbortController();
    const open = createCallContext('/x.S/M', fakeCall(), shutdown.signal);
    const call = fakeCall();
    const cancelled = createCallContext('/x.S/M', call, shutdown.signal);
    call.emit('cancelled');
    expect(cancelled.context.signal.aborted).to.equal(true);
    expect(open.context.signal.aborted).to.equal(false);
    shutdown.abort();
    expect(open.context.signal.aborted).to.equal(true);
  });

  it('takes a safe correlation id from the caller and replaces an unsafe one', () => {
    const shutdown = new AbortController();
    expect(createCallContext('/x.S/M', fakeCall({ 'x-correlation-id': 'req-42' }), shutdown.signal).context.correlationId).to.equal('req-42');
    expect(createCallContext('/x.S/M', fakeCall({ 'x-request-id': 'bad id with spaces' }), shutdown.signal).context.correlationId).to.match(/^[0-9a-f-]{36}$/);
  });
});
