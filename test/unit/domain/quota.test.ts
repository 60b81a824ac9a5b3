import { expect } from 'chai';
import { appliesTo, describeUsage, headroom, pickWithinQuotas, validateQuota, type QuotaKey } from '../../../src/domain/quota/quota.js';

const typeKey = (jobType = 't'): QuotaKey => ({ jobType, labelKey: '', labelValue: '' });
const tenantKey = (value: string, jobType = 't'): QuotaKey => ({ jobType, labelKey: 'tenant', labelValue: value });
const candidate = (id: string, tenant?: string, jobType = 't') => ({ id, jobType, labels: (tenant ? { tenant } : {}) as Record<string, string> });

describe('quota arithmetic (src/domain/quota)', () => {
  describe('headroom', () => {
    it('is what the concurrency limit leaves, never below 0', () => {
      expect(headroom({ maxRunning: 5, rateLimit: undefined }, { running: 3, recentStarts: 0 })).to.equal(2);
      expect(headroom({ maxRunning: 5, rateLimit: undefined }, { running: 5, recentStarts: 0 })).to.equal(0);
      // A limit lowered below what runs leaves no room, not a negative one.
      expect(headroom({ maxRunning: 2, rateLimit: undefined }, { running: 7, recentStarts: 0 })).to.equal(0);
    });

    it('is what the rate limit leaves of its starts in the window', () => {
      expect(headroom({ maxRunning: undefined, rateLimit: { maxStarts: 10, periodMs: 60_000 } }, { running: 50, recentStarts: 4 })).to.equal(6);
    });

    it('is the smaller of the two when both are set, and unbounded when neither is', () => {
      expect(headroom({ maxRunning: 3, rateLimit: { maxStarts: 10, periodMs: 1_000 } }, { running: 1, recentStarts: 9 })).to.equal(1);
      expect(headroom({ maxRunning: 3, rateLimit: { maxStarts: 10, periodMs: 1_000 } }, { running: 1, recentStarts: 0 })).to.equal(2);
      expect(headroom({ maxRunning: undefined, rateLimit: undefined }, { running: 1, recentStarts: 0 })).to.equal(Number.POSITIVE_INFINITY);
    });
  });

  describe('pickWithinQuotas', () => {
    it('takes candidates in order while every quota that applies has room, passing over the others', () => {
      const quotas = [{ key: tenantKey('a') }, { key: tenantKey('b') }];
      const rooms = [1, 2];
      const picked = pickWithinQuotas([candidate('a1', 'a'), candidate('a2', 'a'), candidate('b1', 'b'), candidate('x1'), candidate('b2', 'b'), candidate('b3', 'b')], quotas, rooms, 10);
      expect(picked.map((c) => c.id)).to.deep.equal(['a1', 'b1', 'x1', 'b2']);
      expect(rooms).to.deep.equal([0, 0]);
    });

    it('charges an execution to the type quota and to its label quota together', () => {
      const quotas = [{ key: typeKey() }, { key: tenantKey('a') }];
      const rooms = [2, 5];
      const picked = pickWithinQuotas([candidate('a1', 'a'), candidate('b1', 'b'), candidate('a2', 'a')], quotas, rooms, 10);
      expect(picked.map((c) => c.id)).to.deep.equal(['a1', 'b1']);
      expect(rooms).to.deep.equal([0, 4]);
    });

    it('stops at the capacity and leaves quotas of other types alone', () => {
      const quotas = [{ key: typeKey('other') }];
      const rooms = [0];
      expect(pickWithinQuotas([candidate('1'), candidate('2'), candidate('3')], quotas, rooms, 2).map((c) => c.id)).to.deep.equal(['1', '2']);
      expect(rooms).to.deep.equal([0]);
    });
  });

  it('applies a label quota only to jobs carrying exactly that label value', () => {
    expect(appliesTo(tenantKey('a'), 't', { tenant: 'a', other: 'x' })).to.equal(true);
    expect(appliesTo(tenantKey('a'), 't', { tenant: 'b' })).to.equal(false);
    expect(appliesTo(tenantKey('a'), 'u', { tenant: 'a' })).to.equal(false);
    expect(appliesTo(typeKey(), 't', {})).to.equal(true);
  });

  it('describes a full quota with its usage', () => {
    expect(describeUsage({ key: tenantKey('acme', 'email'), maxRunning: 5, rateLimit: { maxStarts: 100, periodMs: 60_000 } }, { running: 5, recentStarts: 37 })).to.equal(
      'quota job_type="email" label tenant="acme": 5 of max_running 5 running, 37 of 100 starts in the last 60s',
    );
  });

  it('refuses a quota without limits, and periods that are not whole milliseconds from 1 s to 1 day', () => {
    expect(() => validateQuota({ key: typeKey(), maxRunning: undefined, rateLimit: undefined })).to.throw('quota needs max_running, rate_limit or both');
    expect(() => validateQuota({ key: typeKey(), maxRunning: undefined, rateLimit: { maxStarts: 1, periodMs: 86_400_001 } })).to.throw(/from 1s to 24h, got 86400\.001s/);
    expect(() => validateQuota({ key: typeKey(), maxRunning: 1.5, rateLimit: undefined })).to.throw(/max_running must be from 1 to 1000000, got 1\.5/);
    expect(validateQuota({ key: typeKey(), maxRunning: 1, rateLimit: { maxStarts: 1, periodMs: 1_000 } }).maxRunning).to.equal(1);
  });
});
