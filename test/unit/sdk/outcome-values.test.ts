import { expect } from 'chai';
import { failureOf, successOf } from '../../../src/sdk/outcome-values.js';
import { NonRetryableError } from '../../../src/sdk/index.js';
import { resolveOptions } from '../../../src/sdk/worker-options.js';

describe('worker SDK: outcome values', () => {
  it('stores an object result as a plain JSON copy, other values under "value", nothing for undefined', () => {
    expect(successOf({ at: new Date('2026-01-01T00:00:00Z'), skip: undefined, n: 1 })).to.deep.equal({ case: 'success', value: { result: { at: '2026-01-01T00:00:00.000Z', n: 1 } } });
    expect(successOf(7)).to.deep.equal({ case: 'success', value: { result: { value: 7 } } });
    expect(successOf(undefined)).to.deep.equal({ case: 'success', value: {} });
  });

  it('turns a result the server would refuse into a non-retryable failure', () => {
    const outcome = successOf({ blob: 'x'.repeat(65 * 1024) });
    expect(outcome.case).to.equal('failure');
    expect(outcome.case === 'failure' && outcome.value.retryable).to.equal(false);
    expect(successOf(10n).case).to.equal('failure');
  });

  it('describes a thrown error by message, name, stack and code; retryable unless it says otherwise', () => {
    const outcome = failureOf(Object.assign(new RangeError('out of range'), { code: 'E_RANGE' }));
    expect(outcome.case).to.equal('failure');
    if (outcome.case !== 'failure') return;
    expect(outcome.value.errorMessage).to.equal('out of range');
    expect(outcome.value.errorDetails).to.include({ name: 'RangeError', code: 'E_RANGE' });
    expect(outcome.value.retryable).to.equal(undefined);
    expect(failureOf(new NonRetryableError('no')).value).to.include({ retryable: false });
    expect(failureOf({ retryable: false }).value).to.include({ retryable: false });
  });

  it('never sends an empty or oversized error message', () => {
    const empty = failureOf(new Error(''));
    const long = failureOf(new Error('x'.repeat(10_000)));
    expect(empty.case === 'failure' && empty.value.errorMessage).to.equal('Error');
    expect(long.case === 'failure' && long.value.errorMessage.length).to.equal(4096);
    expect(failureOf('').value).to.include({ errorMessage: 'the handler failed' });
  });
});

describe('worker SDK: options', () => {
  const base = { address: 'localhost:1', types: ['a.b'], handler: async () => undefined };

  it('fills defaults', () => {
    const options = resolveOptions(base);
    expect(options).to.include({ concurrency: 10, leaseDurationMs: 30_000, stopTimeoutMs: 30_000 });
    expect(options.prefetch, 'automatic unless given').to.equal(undefined);
    expect(resolveOptions({ ...base, prefetch: 0 }).prefetch).to.equal(0);
    // Options of the long-poll protocol are accepted and ignored.
    expect(resolveOptions({ ...base, acquireWaitMs: 1, reportBatchSize: 5_000 })).not.to.have.property('acquireWaitMs');
    expect(options.workerId).to.match(/:\d+:[0-9a-f]{6}$/);
  });

  it('refuses what the server would refuse, at construction', () => {
    expect(() => resolveOptions({ ...base, types: [] })).to.throw(RangeError, /types/);
    expect(() => resolveOptions({ ...base, types: ['has space'] })).to.throw(RangeError, /not a job type/);
    expect(() => resolveOptions({ ...base, leaseDurationMs: 1_000 })).to.throw(RangeError, /leaseDurationMs/);
    expect(() => resolveOptions({ ...base, concurrency: 0 })).to.throw(RangeError, /concurrency/);
    expect(() => resolveOptions({ ...base, prefetch: 1001 })).to.throw(RangeError, /prefetch/);
    expect(() => resolveOptions({ ...base, prefetch: -1 })).to.throw(RangeError, /prefetch/);
  });
});
