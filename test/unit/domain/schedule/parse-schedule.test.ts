import { expect } from 'chai';
import { DomainError } from '../../../../src/domain/errors.js';
import { parseSchedule, type ScheduleInput } from '../../../../src/domain/schedule/index.js';

function refusal(input: ScheduleInput | undefined): DomainError {
  try {
    parseSchedule(input);
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).kind).to.equal('InvalidArgument');
    return error as DomainError;
  }
  throw new Error(`parseSchedule accepted ${JSON.stringify(input)}`);
}

describe('parseSchedule', () => {
  describe('accepts', () => {
    it('a once schedule with and without `at`', () => {
      const at = new Date('2026-05-01T12:00:00Z');
      expect(parseSchedule({ kind: 'once', at })).to.deep.equal({ kind: 'once', at });
      expect(parseSchedule({ kind: 'once' })).to.deep.equal({ kind: 'once', at: undefined });
    });

    it('copies the Dates it keeps, so later changes to the input do not move the schedule', () => {
      const at = new Date('2026-05-01T12:00:00Z');
      const schedule = parseSchedule({ kind: 'once', at });
      at.setUTCFullYear(2030);
      expect(schedule).to.deep.equal({ kind: 'once', at: new Date('2026-05-01T12:00:00Z') });
    });

    it('an interval schedule in each unit, with and without an anchor', () => {
      const anchor = new Date('2026-01-01T00:00:00Z');
      expect(parseSchedule({ kind: 'interval', every: 6, unit: 'hours', anchor })).to.deep.equal({ kind: 'interval', every: 6, unit: 'hours', anchor });
      expect(parseSchedule({ kind: 'interval', every: 1_000_000, unit: 'minutes' })).to.deep.equal({ kind: 'interval', every: 1_000_000, unit: 'minutes', anchor: undefined });
      expect(parseSchedule({ kind: 'interval', every: 3_650, unit: 'days' })).to.include({ every: 3_650, unit: 'days' });
      expect(parseSchedule({ kind: 'interval', every: 87_600, unit: 'hours' })).to.include({ every: 87_600, unit: 'hours' });
    });

    it('a cron schedule, defaulting the time zone to UTC', () => {
      expect(parseSchedule({ kind: 'cron', expression: '0 3 * * *' })).to.deep.equal({ kind: 'cron', expression: '0 3 * * *', timeZone: 'UTC' });
      expect(parseSchedule({ kind: 'cron', expression: '0 3 * * *', timeZone: '' })).to.deep.equal({ kind: 'cron', expression: '0 3 * * *', timeZone: 'UTC' });
      expect(parseSchedule({ kind: 'cron', expression: ' 0 3 * * *\n', timeZone: 'Europe/Berlin' })).to.deep.equal({ kind: 'cron', expression: '0 3 * * *', timeZone: 'Europe/Berlin' });
    });

    for (const expression of ['*/15 * * * *', '0 9 * * 1-5', '0 0 1 * *', '30 0 3 * * *', '0 0 29 2 *', '0 0 L * *', '0 12 * JAN,jul MON-FRI', '0 0 * * 7', '0 0 * * FRI#2', '0 0 1,15 * 1']) {
      it(`the cron expression "${expression}"`, () => {
        expect(parseSchedule({ kind: 'cron', expression })).to.include({ expression });
      });
    }

    for (const timeZone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Etc/GMT+5', 'Asia/Kolkata']) {
      it(`the time zone ${timeZone}`, () => {
        expect(parseSchedule({ kind: 'cron', expression: '0 3 * * *', timeZone })).to.include({ timeZone });
      });
    }
  });

  describe('refuses, naming the field and the problem', () => {
    const cases: Array<[string, ScheduleInput | undefined, string]> = [
      ['no schedule', undefined, 'schedule is required: set one of once, interval, cron or after_upstream'],
      ['an unknown kind', { kind: 'weekly' } as unknown as ScheduleInput, 'schedule kind "weekly" is unknown: set one of once, interval, cron or after_upstream'],
      ['an invalid once time', { kind: 'once', at: new Date(Number.NaN) }, 'schedule.once.at is not a valid time'],
      ['every = 0', { kind: 'interval', every: 0, unit: 'minutes' }, 'schedule.interval.every must be at least 1, got 0'],
      ['a negative every', { kind: 'interval', every: -5, unit: 'minutes' }, 'schedule.interval.every must be at least 1, got -5'],
      ['a fractional every', { kind: 'interval', every: 1.5, unit: 'hours' }, 'schedule.interval.every must be a whole number, got 1.5'],
      ['a NaN every', { kind: 'interval', every: Number.NaN, unit: 'hours' }, 'schedule.interval.every must be a whole number, got NaN'],
      ['every over 1,000,000', { kind: 'interval', every: 1_000_001, unit: 'minutes' }, 'schedule.interval.every must be at most 1,000,000, got 1000001'],
      ['a period over 10 years in hours', { kind: 'interval', every: 87_601, unit: 'hours' }, 'schedule.interval.every must be at most 87600 when the unit is hours (a period of at most 10 years), got 87601'],
      ['a period over 10 years in days', { kind: 'interval', every: 3_651, unit: 'days' }, 'schedule.interval.every must be at most 3650 when the unit is days (a period of at most 10 years), got 3651'],
      ['a missing unit', { kind: 'interval', every: 5 }, 'schedule.interval.unit is required: one of minutes, hours, days'],
      ['an unspecified unit', { kind: 'interval', every: 5, unit: 'unspecified' }, 'schedule.interval.unit is required: one of minutes, hours, days'],
      ['an unknown unit', { kind: 'interval', every: 5, unit: 'weeks' }, 'schedule.interval.unit must be one of minutes, hours, days, got "weeks"'],
      ['an invalid anchor', { kind: 'interval', every: 5, unit: 'days', anchor: new Date('nonsense') }, 'schedule.interval.anchor is not a valid time'],
      [
        'a once time on the last day of the Timestamp range',
        { kind: 'once', at: new Date('9999-12-31T00:00:00Z') },
        'schedule.once.at must be from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z, got 9999-12-31T00:00:00.000Z',
      ],
      [
        'a once time past the year 9999',
        { kind: 'once', at: new Date('+010000-01-01T00:00:00Z') },
        'schedule.once.at must be from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z, got +010000-01-01T00:00:00.000Z',
      ],
      [
        'an anchor on the first day of the Timestamp range',
        { kind: 'interval', every: 5, unit: 'days', anchor: new Date('0001-01-01T23:59:59.999Z') },
        'schedule.interval.anchor must be from 0001-01-02T00:00:00Z to 9999-12-30T23:59:59.999Z, got 0001-01-01T23:59:59.999Z',
      ],
      [
        'an empty expression',
        { kind: 'cron', expression: '  ' },
        'schedule.cron.expression is required: expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), for example "0 3 * * *" for 03:00 daily',
      ],
      ['a minute out of range', { kind: 'cron', expression: '61 * * * *' }, 'schedule.cron.expression "61 * * * *" is invalid: minute 61 is out of range 0-59'],
      ['an hour out of range', { kind: 'cron', expression: '0 24 * * *' }, 'schedule.cron.expression "0 24 * * *" is invalid: hour 24 is out of range 0-23'],
      ['a day of month 0', { kind: 'cron', expression: '0 0 0 * *' }, 'schedule.cron.expression "0 0 0 * *" is invalid: day-of-month 0 is out of range 1-31'],
      ['month 13', { kind: 'cron', expression: '0 0 * 13 *' }, 'schedule.cron.expression "0 0 * 13 *" is invalid: month 13 is out of range 1-12'],
      ['day of week 8', { kind: 'cron', expression: '0 0 * * 1-8' }, 'schedule.cron.expression "0 0 * * 1-8" is invalid: day-of-week 8 is out of range 0-7'],
      ['second 60', { kind: 'cron', expression: '60 0 0 * * *' }, 'schedule.cron.expression "60 0 0 * * *" is invalid: second 60 is out of range 0-59'],
      [
        'four fields',
        { kind: 'cron', expression: '* * * *' },
        'schedule.cron.expression "* * * *" is invalid: it has 4 fields; expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first)',
      ],
      [
        'a year field',
        { kind: 'cron', expression: '0 0 0 1 1 * 2027' },
        'schedule.cron.expression "0 0 0 1 1 * 2027" is invalid: it has 7 fields (a year field is not supported); expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first)',
      ],
      [
        'a nickname',
        { kind: 'cron', expression: '@daily' },
        'schedule.cron.expression "@daily" is invalid: it has 1 field; expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first)',
      ],
      [
        'letters',
        { kind: 'cron', expression: 'a b c d e' },
        'schedule.cron.expression "a b c d e" is invalid: the minute field "a" contains "a"; only numbers, *, ?, ranges (a-b), steps (/n) and lists (a,b) are allowed there',
      ],
      [
        'a zero step',
        { kind: 'cron', expression: '*/0 * * * *' },
        'schedule.cron.expression "*/0 * * * *" is invalid: the minute field "*/0" has the step "/0"; write a step as /n with a whole number n of at least 1',
      ],
      ['an empty list item', { kind: 'cron', expression: '0 0 1,,2 * *' }, 'schedule.cron.expression "0 0 1,,2 * *" is invalid: the day-of-month field "1,,2" has an empty list item'],
      ['a backwards range', { kind: 'cron', expression: '5-1 * * * *' }, `schedule.cron.expression "5-1 * * * *" is invalid: From value is larger than to value: '5-1'`],
      [
        'February 30th',
        { kind: 'cron', expression: '0 0 30 2 *' },
        'schedule.cron.expression "0 0 30 2 *" never fires: no calendar date matches its day-of-month, month and day-of-week fields',
      ],
      [
        'the 31st of 30-day months',
        { kind: 'cron', expression: '0 0 31 4,6,9,11 *' },
        'schedule.cron.expression "0 0 31 4,6,9,11 *" never fires: no calendar date matches its day-of-month, month and day-of-week fields',
      ],
      ['an unknown time zone', { kind: 'cron', expression: '0 3 * * *', timeZone: 'Mars/Base' }, 'schedule.cron.time_zone "Mars/Base" is not a known IANA time zone'],
      ['a UTC offset for a time zone', { kind: 'cron', expression: '0 3 * * *', timeZone: '+01:00' }, 'schedule.cron.time_zone "+01:00" is not a known IANA time zone'],
      ['a padded time zone', { kind: 'cron', expression: '0 3 * * *', timeZone: ' UTC' }, 'schedule.cron.time_zone " UTC" is not a known IANA time zone'],
    ];
    for (const [name, input, message] of cases) {
      it(name, () => {
        expect(refusal(input).message).to.equal(message);
      });
    }
  });
});
