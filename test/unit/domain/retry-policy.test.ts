import { expect } from 'chai';
import fc from 'fast-check';
import { DomainError } from '../../../src/domain/errors.js';
import { backoffDelayMs, decideRetry, DEFAULT_RETRY_POLICY, retryPolicy, type RetryPolicy } from '../../../src/domain/retry/retry-policy.js';

describe('retry policy', () => {
  it('has the defaults 3 retries, 60 s, × 2, 1 h cap, no jitter', () => {
    expect(retryPolicy()).to.deep.equal({ maxRetries: 3, initialBackoffMs: 60_000, maxBackoffMs: 3_600_000, multiplier: 2, jitter: 0 });
  });

  it('an unset max_backoff is 1 h, or initial_backoff when that is longer', () => {
    expect(retryPolicy({ initialBackoffMs: 3_600_000 }).maxBackoffMs).to.equal(3_600_000);
    expect(retryPolicy({ initialBackoffMs: 86_400_000 }).maxBackoffMs).to.equal(86_400_000);
    expect(retryPolicy({ initialBackoffMs: 1_000 }).maxBackoffMs).to.equal(3_600_000);
  });

  it('produces exactly 60, 120, 240, 480, 960, 1920, 3600, 3600 s with the defaults', () => {
    const seconds = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(DEFAULT_RETRY_POLICY, n) / 1000);
    expect(seconds).to.deep.equal([60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('retries attempts 1 to max_retries and then gives up', () => {
    const policy = retryPolicy();
    expect(decideRetry(policy, 1, true)).to.deep.equal({ retry: true, delayMs: 60_000, nextAttempt: 2 });
    expect(decideRetry(policy, 3, true)).to.deep.equal({ retry: true, delayMs: 240_000, nextAttempt: 4 });
    expect(decideRetry(policy, 4, true)).to.deep.equal({ retry: false, reason: 'all 3 retries used' });
    expect(decideRetry(retryPolicy({ maxRetries: 1 }), 2, true)).to.deep.equal({ retry: false, reason: 'all 1 retry used' });
    expect(decideRetry(retryPolicy({ maxRetries: 0 }), 1, true)).to.have.property('retry', false);
  });

  it('never retries a failure the worker marked not retryable', () => {
    expect(decideRetry(retryPolicy(), 1, false)).to.deep.equal({ retry: false, reason: 'the worker reported the failure as not retryable' });
  });

  const invalid: Array<[Parameters<typeof retryPolicy>[0], string]> = [
    [{ maxRetries: -1 }, 'retry_policy.max_retries must be a whole number from 0 to 100, got -1'],
    [{ maxRetries: 1.5 }, 'retry_policy.max_retries must be a whole number from 0 to 100, got 1.5'],
    [{ maxRetries: 101 }, 'retry_policy.max_retries must be a whole number from 0 to 100, got 101'],
    [{ initialBackoffMs: 500 }, 'retry_policy.initial_backoff must be from 1s to 86400s, got 500ms'],
    [{ initialBackoffMs: 120_000, maxBackoffMs: 60_000 }, 'retry_policy.max_backoff must be from 120s to 604800s, got 60s'],
    [{ multiplier: 0.5 }, 'retry_policy.multiplier must be from 1 to 10, got 0.5'],
    [{ multiplier: Number.NaN }, 'retry_policy.multiplier must be from 1 to 10, got NaN'],
    [{ jitter: 1.5 }, 'retry_policy.jitter must be from 0 to 1, got 1.5'],
  ];
  for (const [input, message] of invalid) {
    it(`refuses ${JSON.stringify(input)}: ${message}`, () => {
      expect(() => retryPolicy(input)).to.throw(DomainError, message).with.property('kind', 'InvalidArgument');
    });
  }

  const policies = fc
    .record({
      maxRetries: fc.integer({ min: 0, max: 100 }),
      initialBackoffMs: fc.integer({ min: 1_000, max: 86_400_000 }),
      extraMaxMs: fc.integer({ min: 0, max: 500_000_000 }),
      multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ extraMaxMs, ...p }): RetryPolicy => retryPolicy({ ...p, maxBackoffMs: Math.min(p.initialBackoffMs + extraMaxMs, 604_800_000) }));

  it('property: without jitter, delays never decrease and never pass the cap', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 60 }), (policy, n) => {
        const exact = { ...policy, jitter: 0 };
        const here = backoffDelayMs(exact, n);
        const next = backoffDelayMs(exact, n + 1);
        return here <= next && next <= exact.maxBackoffMs && here >= Math.min(exact.initialBackoffMs, exact.maxBackoffMs);
      }),
    );
  });

  it('property: jittered delays stay within [d × (1 − jitter), d]', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (policy, n, random) => {
        const exact = backoffDelayMs({ ...policy, jitter: 0 }, n);
        const jittered = backoffDelayMs(policy, n, () => random);
        return jittered <= exact && jittered >= Math.floor(exact * (1 - policy.jitter));
      }),
    );
  });
});
