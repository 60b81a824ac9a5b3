import { expect } from 'chai';
import { DomainError } from '../../../../src/domain/errors.js';
import { fireTimesBetween, nextFireTime, nextFireTimes, parseSchedule, type Schedule } from '../../../../src/domain/schedule/index.js';

const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((d) => d.toISOString());
const ORIGIN = at('2026-01-01T00:00:00Z');

describe('nextFireTime', () => {
  describe('once', () => {
    const once = (when?: string): Schedule => parseSchedule({ kind: 'once', at: when === undefined ? undefined : at(when) });

    it('fires at `at` when asked from before it, and never again', () => {
      const schedule = once('2026-02-01T10:00:00Z');
      expect(nextFireTime(schedule, ORIGIN, ORIGIN)).to.deep.equal(at('2026-02-01T10:00:00Z'));
      expect(nextFireTime(schedule, at('2026-02-01T09:59:59.999Z'), ORIGIN)).to.deep.equal(at('2026-02-01T10:00:00Z'));
      expect(nextFireTime(schedule, at('2026-02-01T10:00:00Z'), ORIGIN)).to.equal(undefined);
    });

    it('fires at the creation time when `at` is unset', () => {
      const origin = at('2026-03-03T03:03:03.333Z');
      expect(nextFireTime(once(), new Date(origin.getTime() - 1), origin)).to.deep.equal(origin);
      expect(nextFireTime(once(), origin, origin)).to.equal(undefined);
    });

    it('still yields an `at` before the creation time for the first-run question (origin - 1 ms)', () => {
      const origin = at('2026-06-01T00:00:00Z');
      const past = at('2026-05-01T00:00:00Z');
      expect(nextFireTime(once('2026-05-01T00:00:00Z'), new Date(origin.getTime() - 1), origin)).to.equal(undefined);
      expect(nextFireTime(once('2026-05-01T00:00:00Z'), new Date(past.getTime() - 1), origin)).to.deep.equal(past);
    });
  });

  describe('interval', () => {
    const every = (n: number, unit: string, anchor?: string): Schedule => parseSchedule({ kind: 'interval', every: n, unit, anchor: anchor === undefined ? undefined : at(anchor) });

    it('every 6 hours anchored at 2026-01-01T00:00Z fires at 00:00, 06:00, 12:00 and 18:00', () => {
      const schedule = every(6, 'hours', '2026-01-01T00:00:00Z');
      const origin = at('2025-12-31T22:17:00Z');
      expect(isos(nextFireTimes(schedule, origin, origin, 5))).to.deep.equal([
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T06:00:00.000Z',
        '2026-01-01T12:00:00.000Z',
        '2026-01-01T18:00:00.000Z',
        '2026-01-02T00:00:00.000Z',
      ]);
    });

    it('extends the grid backwards from an anchor in the future', () => {
      const schedule = every(6, 'hours', '2027-01-01T00:00:00Z');
      const origin = at('2026-05-05T07:30:00Z');
      expect(isos(nextFireTimes(schedule, origin, origin, 2))).to.deep.equal(['2026-05-05T12:00:00.000Z', '2026-05-05T18:00:00.000Z']);
    });

    it('without an anchor fires one period after creation, then every period', () => {
      const origin = at('2026-04-01T10:07:13.500Z');
      const schedule = every(90, 'minutes');
      expect(isos(nextFireTimes(schedule, new Date(origin.getTime() - 1), origin, 3))).to.deep.equal([
        '2026-04-01T11:37:13.500Z',
        '2026-04-01T13:07:13.500Z',
        '2026-04-01T14:37:13.500Z',
      ]);
    });

    it('never fires at or before creation, even when the anchor is the creation time', () => {
      const origin = at('2026-04-01T00:00:00Z');
      const schedule = every(1, 'hours', '2026-04-01T00:00:00Z');
      expect(nextFireTime(schedule, at('2026-03-01T00:00:00Z'), origin)).to.deep.equal(at('2026-04-01T01:00:00Z'));
    });

    it('asked from a later instant, returns the next grid point after it, without drift', () => {
      const schedule = every(7, 'minutes', '2026-01-01T00:00:00Z');
      expect(nextFireTime(schedule, at('2026-01-01T01:00:00Z'), ORIGIN)).to.deep.equal(at('2026-01-01T01:03:00Z'));
      expect(nextFireTime(schedule, at('2026-01-01T01:03:00Z'), ORIGIN)).to.deep.equal(at('2026-01-01T01:10:00Z'));
    });

    it('counts days as exactly 86,400 s, even across a DST change', () => {
      const schedule = every(1, 'days', '2026-03-28T12:00:00Z');
      expect(isos(nextFireTimes(schedule, at('2026-03-28T12:00:00Z'), ORIGIN, 2))).to.deep.equal(['2026-03-29T12:00:00.000Z', '2026-03-30T12:00:00.000Z']);
    });
  });

  describe('cron', () => {
    const cron = (expression: string, timeZone?: string): Schedule => parseSchedule({ kind: 'cron', expression, timeZone });

    it('fires daily at 03:00 UTC', () => {
      expect(isos(nextFireTimes(cron('0 3 * * *'), at('2026-01-01T03:00:00Z'), ORIGIN, 2))).to.deep.equal(['2026-01-02T03:00:00.000Z', '2026-01-03T03:00:00.000Z']);
    });

    it('reads the expression in the time zone', () => {
      expect(nextFireTime(cron('0 3 * * *', 'Europe/Berlin'), at('2026-01-10T00:00:00Z'), ORIGIN)).to.deep.equal(at('2026-01-10T02:00:00Z'));
      expect(nextFireTime(cron('0 3 * * *', 'Europe/Berlin'), at('2026-07-10T00:00:00Z'), ORIGIN)).to.deep.equal(at('2026-07-10T01:00:00Z'));
    });

    it('with 6 fields, takes the first as seconds', () => {
      expect(isos(nextFireTimes(cron('*/20 * * * * *'), at('2026-01-01T00:00:00.500Z'), ORIGIN, 4))).to.deep.equal([
        '2026-01-01T00:00:20.000Z',
        '2026-01-01T00:00:40.000Z',
        '2026-01-01T00:01:00.000Z',
        '2026-01-01T00:01:20.000Z',
      ]);
      expect(nextFireTime(cron('30 15 10 * * *', 'America/New_York'), ORIGIN, ORIGIN)).to.deep.equal(at('2026-01-01T15:15:30Z'));
    });

    it('is strictly after `after`, also when `after` is a fire time', () => {
      expect(nextFireTime(cron('0 * * * *'), at('2026-01-01T05:00:00Z'), ORIGIN)).to.deep.equal(at('2026-01-01T06:00:00Z'));
      expect(nextFireTime(cron('0 * * * *'), at('2026-01-01T04:59:59.999Z'), ORIGIN)).to.deep.equal(at('2026-01-01T05:00:00Z'));
    });

    it('does not depend on the creation time', () => {
      const later = at('2030-01-01T00:00:00Z');
      expect(nextFireTime(cron('0 0 * * 1-5'), at('2026-01-02T12:00:00Z'), later)).to.deep.equal(at('2026-01-05T00:00:00Z'));
    });

    it('fires on either day field when both are restricted', () => {
      // The 13th of February 2026 is a Friday; the Mondays are the 2nd, 9th, 16th and 23rd.
      const times = isos(fireTimesBetween(cron('0 0 13 2 1'), at('2026-01-31T00:00:00Z'), at('2026-02-28T00:00:00Z'), ORIGIN, 10));
      expect(times).to.deep.equal(['2026-02-02T00:00:00.000Z', '2026-02-09T00:00:00.000Z', '2026-02-13T00:00:00.000Z', '2026-02-16T00:00:00.000Z', '2026-02-23T00:00:00.000Z']);
    });

    it('fires on 29 February only in leap years', () => {
      expect(nextFireTime(cron('0 0 29 2 *'), at('2026-01-01T00:00:00Z'), ORIGIN)).to.deep.equal(at('2028-02-29T00:00:00Z'));
    });

    // croner stops searching at the year 3000; the schedule must not end there.
    it('keeps firing past the year 3000, on the right weekdays and leap days', () => {
      expect(isos(nextFireTimes(cron('0 0 * * *'), at('2999-12-30T00:00:00Z'), ORIGIN, 3))).to.deep.equal([
        '2999-12-31T00:00:00.000Z',
        '3000-01-01T00:00:00.000Z',
        '3000-01-02T00:00:00.000Z',
      ]);
      // 9999-12-27 is a Monday; 3000 is not a leap year, 3200 is.
      expect(nextFireTime(cron('0 12 * * MON', 'Europe/Berlin'), at('9999-12-21T12:00:00Z'), ORIGIN)).to.deep.equal(at('9999-12-27T11:00:00Z'));
      expect(nextFireTime(cron('0 0 29 2 *'), at('2999-03-01T00:00:00Z'), ORIGIN)).to.deep.equal(at('3004-02-29T00:00:00Z'));
      expect(nextFireTime(cron('0 0 29 2 *'), at('3197-01-01T00:00:00Z'), ORIGIN)).to.deep.equal(at('3200-02-29T00:00:00Z'));
    });
  });
});

describe('fireTimesBetween and nextFireTimes', () => {
  const hourly = parseSchedule({ kind: 'cron', expression: '0 * * * *' });

  it('excludes the start and includes the end of the window', () => {
    expect(isos(fireTimesBetween(hourly, at('2026-01-01T01:00:00Z'), at('2026-01-01T03:00:00Z'), ORIGIN, 10))).to.deep.equal(['2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z']);
  });

  it('stops at the limit', () => {
    expect(fireTimesBetween(hourly, ORIGIN, at('2026-02-01T00:00:00Z'), ORIGIN, 3)).to.have.length(3);
    expect(fireTimesBetween(hourly, ORIGIN, at('2026-02-01T00:00:00Z'), ORIGIN, 0)).to.deep.equal([]);
  });

  it('returns what there is for a schedule that ends', () => {
    const once = parseSchedule({ kind: 'once', at: at('2026-01-05T00:00:00Z') });
    expect(isos(nextFireTimes(once, ORIGIN, ORIGIN, 5))).to.deep.equal(['2026-01-05T00:00:00.000Z']);
  });

  it('refuses a negative or fractional limit and invalid times', () => {
    expect(() => fireTimesBetween(hourly, ORIGIN, ORIGIN, ORIGIN, -1)).to.throw(DomainError, 'limit must be a whole number of at least 0, got -1');
    expect(() => nextFireTimes(hourly, ORIGIN, ORIGIN, 1.5)).to.throw(DomainError, 'limit must be a whole number of at least 0, got 1.5');
    expect(() => nextFireTime(hourly, new Date(Number.NaN), ORIGIN)).to.throw(DomainError, 'after is not a valid time');
    expect(() => nextFireTime(hourly, ORIGIN, new Date(Number.NaN))).to.throw(DomainError, 'origin is not a valid time');
  });

  // Later fire times could be neither stored nor sent as a Timestamp (the year 10000 is outside both).
  it('ends every kind of schedule at the last supported instant, 9999-12-30T23:59:59.999Z', () => {
    const late = at('9999-12-30T21:30:00Z');
    expect(isos(nextFireTimes(hourly, late, ORIGIN, 5))).to.deep.equal(['9999-12-30T22:00:00.000Z', '9999-12-30T23:00:00.000Z']);
    expect(isos(nextFireTimes(parseSchedule({ kind: 'cron', expression: '0 * * * *' }), late, ORIGIN, 5))).to.deep.equal(['9999-12-30T22:00:00.000Z', '9999-12-30T23:00:00.000Z']);
    expect(isos(nextFireTimes(parseSchedule({ kind: 'cron', expression: '59 59 23 * * *', timeZone: 'Pacific/Kiritimati' }), at('9999-12-28T00:00:00Z'), ORIGIN, 5))).to.deep.equal([
      '9999-12-28T09:59:59.000Z',
      '9999-12-29T09:59:59.000Z',
      '9999-12-30T09:59:59.000Z',
    ]);
    const last = parseSchedule({ kind: 'once', at: at('9999-12-30T23:59:59.999Z') });
    expect(nextFireTime(last, ORIGIN, ORIGIN)).to.deep.equal(at('9999-12-30T23:59:59.999Z'));
    const decade = parseSchedule({ kind: 'interval', every: 3_650, unit: 'days', anchor: at('9999-01-01T00:00:00Z') });
    expect(nextFireTime(decade, at('9999-01-01T00:00:00Z'), ORIGIN)).to.equal(undefined);
    expect(nextFireTime(hourly, at('9999-12-30T23:00:00Z'), ORIGIN)).to.equal(undefined);
  });
});
