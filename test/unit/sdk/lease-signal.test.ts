import { expect } from 'chai';
import sinon from 'sinon';
import { ExecutionAbortedError } from '../../../src/sdk/errors.js';
import { Lease } from '../../../src/sdk/leases.js';

describe('a lease’s handler signal, made when first asked for', () => {
  afterEach(() => sinon.restore());

  it('makes no AbortController for a handler that never looks at its signal', () => {
    const made = sinon.spy(globalThis, 'AbortController');
    const lease = new Lease('e1', 't1');
    lease.abort('cancelled', 'cancelled by an operator');
    expect(made.called).to.equal(false);
    expect(lease.state).to.equal('dropped');
  });

  it('aborts a signal asked for before the abort, with the reason', () => {
    const lease = new Lease('e1', 't1');
    const signal = lease.signal;
    const heard: unknown[] = [];
    signal.addEventListener('abort', () => heard.push(signal.reason));
    expect(signal.aborted).to.equal(false);
    lease.abort('lease_lost', 'the server no longer honours the lease');
    expect(heard).to.have.length(1);
    expect(heard[0]).to.be.instanceOf(ExecutionAbortedError);
    expect((heard[0] as ExecutionAbortedError).kind).to.equal('lease_lost');
    expect(lease.signal).to.equal(signal);
  });

  it('hands out an aborted signal when asked for after the abort', () => {
    const lease = new Lease('e1', 't1');
    lease.abort('cancelled', 'the attempt ran past its timeout');
    const signal = lease.signal;
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as ExecutionAbortedError).kind).to.equal('cancelled');
    expect((signal.reason as ExecutionAbortedError).message).to.contain('past its timeout');
  });

  it('keeps the first reason, as AbortController does, whether the signal was asked for before or after', () => {
    const early = new Lease('e1', 't1');
    const signal = early.signal;
    early.abort('worker_stopped', 'stopping');
    early.abort('cancelled', 'cancelled');
    expect((signal.reason as ExecutionAbortedError).kind).to.equal('worker_stopped');

    const late = new Lease('e2', 't2');
    late.abort('worker_stopped', 'stopping');
    late.abort('cancelled', 'cancelled');
    expect((late.signal.reason as ExecutionAbortedError).kind).to.equal('worker_stopped');
    expect(late.state).to.equal('dropped');
  });
});
