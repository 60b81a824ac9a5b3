import { expect } from 'chai';
import { DomainError } from '../../../src/domain/errors.js';
import { EARLIEST_INSTANT_MS, isSupportedInstant, LATEST_INSTANT_MS, supportedInstant } from '../../../src/domain/instants.js';

describe('supported instants', () => {
  it('are google.protobuf.Timestamp’s range less a day at each end', () => {
    expect(new Date(EARLIEST_INSTANT_MS).toISOString()).to.equal('0001-01-02T00:00:00.000Z');
    expect(new Date(LATEST_INSTANT_MS).toISOString()).to.equal('9999-12-30T23:59:59.999Z');
  });

  it('show a four-digit year in every time zone', () => {
    const zones = ['Pacific/Kiritimati', 'Etc/GMT-14', 'Etc/GMT+12', 'Pacific/Pago_Pago', 'Asia/Manila', 'UTC'];
    for (const timeZone of zones) {
      const year = (ms: number) => Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', era: 'short' }).formatToParts(ms).find((part) => part.type === 'year')?.value);
      expect([year(EARLIEST_INSTANT_MS), year(LATEST_INSTANT_MS)], timeZone).to.deep.equal([1, 9999]);
    }
  });

  it('include both ends and nothing outside', () => {
    expect([EARLIEST_INSTANT_MS - 1, EARLIEST_INSTANT_MS, LATEST_INSTANT_MS, LATEST_INSTANT_MS + 1].map(isSupportedInstant)).to.deep.equal([false, true, true, false]);
  });

  it('refuses an instant outside the range or an invalid Date, naming the field', () => {
    expect(() => supportedInstant('after', new Date(LATEST_INSTANT_MS + 1))).to.throw(DomainError, 'after must be from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z, got 9999-12-31T00:00:00.000Z');
    expect(() => supportedInstant('after', new Date(Number.NaN))).to.throw(DomainError, 'after is not a valid time');
    expect(supportedInstant('after', new Date(LATEST_INSTANT_MS))).to.deep.equal(new Date(LATEST_INSTANT_MS));
  });
});
