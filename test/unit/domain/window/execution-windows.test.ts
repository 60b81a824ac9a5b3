import { expect } from 'chai';
import { DomainError } from '../../../../src/domain/errors.js';
import { executionWindows, nextOpening, placeInWindows, windowAt, type ExecutionWindowsInput } from '../../../../src/domain/window/execution-windows.js';

const F = 'job.execution_windows';
const weekdays = [1, 2, 3, 4, 5];
const windows = (input: Partial<ExecutionWindowsInput> & Pick<ExecutionWindowsInput, 'windows'>) => executionWindows({ timeZone: 'Europe/Berlin', ...input }, F);
const iso = (date: Date | undefined) => date?.toISOString();

function refusal(input: ExecutionWindowsInput): string {
  try {
    executionWindows(input, F);
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).kind).to.equal('InvalidArgument');
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('execution windows', () => {
  describe('validation', () => {
    it('refuses each mistake with a message naming the field', () => {
      expect(refusal({ timeZone: 'Mars/Olympus', windows: [{ days: [1], start: '09:00', end: '17:00' }] })).to.equal(`${F}.time_zone must be an IANA time zone such as "Europe/Berlin", got "Mars/Olympus"`);
      expect(refusal({ timeZone: 'UTC', windows: [] })).to.match(/^job\.execution_windows\.windows must hold 1 to 32 windows, got 0/);
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [1], start: '9:00', end: '17:00' }] })).to.equal(`${F}.windows[0].start must be a time "HH:MM" from 00:00 to 23:59, got "9:00"`);
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [1], start: '09:00', end: '24:00' }] })).to.equal(`${F}.windows[0].end must be a time "HH:MM" from 00:00 to 23:59, got "24:00"`);
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [], start: '09:00', end: '17:00' }] })).to.equal(`${F}.windows[0].days must name at least one day`);
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [0], start: '09:00', end: '17:00' }] })).to.equal(`${F}.windows[0].days[0] must be a weekday from MONDAY to SUNDAY, got 0`);
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [2, 2], start: '09:00', end: '17:00' }] })).to.equal(`${F}.windows[0].days names a day twice`);
    });

    it('refuses overlapping windows, also across midnight and Sunday night, and accepts touching ones', () => {
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [1], start: '09:00', end: '12:00' }, { days: [1], start: '11:00', end: '13:00' }] })).to.equal(
        `${F}: windows[0] (Monday 09:00-12:00) overlaps windows[1] (Monday 11:00-13:00); make them touch or merge them into one window`,
      );
      expect(refusal({ timeZone: 'UTC', windows: [{ days: [7], start: '22:00', end: '06:00' }, { days: [1], start: '05:00', end: '07:00' }] })).to.match(/Sunday 22:00-06:00\) overlaps windows\[1\] \(Monday 05:00-07:00\)/);
      expect(() => windows({ windows: [{ days: [1], start: '09:00', end: '12:00' }, { days: [1], start: '12:00', end: '17:00' }] })).not.to.throw();
    });
  });

  describe('placement (Europe/Berlin, CET = UTC+1 in March before the 29th)', () => {
    const office = windows({ windows: [{ days: weekdays, start: '09:00', end: '17:00' }] });

    it('runs a time inside a window where it is, and knows when the window closes', () => {
      expect(iso(windowAt(office, new Date('2026-03-02T10:00:00Z'))?.closesAt)).to.equal('2026-03-02T16:00:00.000Z');
      expect(placeInWindows(office, new Date('2026-03-02T10:00:00Z'), true)).to.deep.equal({ kind: 'run', scheduledAt: new Date('2026-03-02T10:00:00Z'), windowClosesAt: undefined });
    });

    it('defers a time outside to the next opening, over the weekend, or skips it', () => {
      expect(iso(nextOpening(office, new Date('2026-03-02T06:00:00Z')).opensAt)).to.equal('2026-03-02T08:00:00.000Z');
      expect(iso(nextOpening(office, new Date('2026-03-06T17:00:00Z')).opensAt)).to.equal('2026-03-09T08:00:00.000Z'); // Friday evening → Monday
      const skip = windows({ windows: [{ days: weekdays, start: '09:00', end: '17:00' }], outside: 'skip' });
      expect(placeInWindows(skip, new Date('2026-03-02T06:00:00Z'), true)).to.deep.equal({ kind: 'skip' });
      // A one-shot, a retry or an upstream trigger is deferred even so.
      expect(iso((placeInWindows(skip, new Date('2026-03-02T06:00:00Z'), false) as { scheduledAt: Date }).scheduledAt)).to.equal('2026-03-02T08:00:00.000Z');
    });

    it('treats the start as inside and the end as outside', () => {
      expect(windowAt(office, new Date('2026-03-02T08:00:00Z'))).not.to.equal(undefined);
      expect(windowAt(office, new Date('2026-03-02T16:00:00Z'))).to.equal(undefined);
    });

    it('crosses midnight when the end is not after the start, and merges touching windows', () => {
      const night = windows({ windows: [{ days: [5], start: '22:00', end: '06:00' }], atEnd: 'cancel' });
      expect(iso(windowAt(night, new Date('2026-03-07T03:00:00Z'))?.closesAt)).to.equal('2026-03-07T05:00:00.000Z'); // Saturday 04:00 local, in Friday's window
      expect(windowAt(night, new Date('2026-03-07T21:30:00Z'))).to.equal(undefined);
      expect(iso((placeInWindows(night, new Date('2026-03-07T03:00:00Z'), true) as { windowClosesAt: Date }).windowClosesAt)).to.equal('2026-03-07T05:00:00.000Z');
      const split = windows({ windows: [{ days: [1], start: '09:00', end: '12:00' }, { days: [1], start: '12:00', end: '17:00' }, { days: [3], start: '00:00', end: '00:00' }] });
      expect(iso(windowAt(split, new Date('2026-03-02T09:00:00Z'))?.closesAt)).to.equal('2026-03-02T16:00:00.000Z');
      expect(iso(windowAt(split, new Date('2026-03-04T12:00:00Z'))?.closesAt)).to.equal('2026-03-04T23:00:00.000Z'); // a whole Wednesday
      expect(iso(nextOpening(split, new Date('2026-03-02T17:00:00Z')).opensAt)).to.equal('2026-03-03T23:00:00.000Z');
    });
  });

  describe('daylight-saving changes, with the cron rule (a boundary is the first instant the wall clock reaches it)', () => {
    it('a boundary in the spring-forward gap (02:00 CET -> 03:00 CEST on 2026-03-29) falls at the end of the gap', () => {
      const w = windows({ windows: [{ days: [7], start: '02:30', end: '04:00' }] });
      const opening = nextOpening(w, new Date('2026-03-28T12:00:00Z'));
      expect(iso(opening.opensAt)).to.equal('2026-03-29T01:00:00.000Z'); // 03:00 CEST
      expect(iso(opening.closesAt)).to.equal('2026-03-29T02:00:00.000Z'); // 04:00 CEST: an hour shorter
    });

    it('a window inside the gap is shortened to nothing and never opens that day', () => {
      const w = windows({ windows: [{ days: [7], start: '02:10', end: '02:50' }] });
      expect(iso(nextOpening(w, new Date('2026-03-28T12:00:00Z')).opensAt)).to.equal('2026-04-05T00:10:00.000Z'); // next Sunday, 02:10 CEST
    });

    it('a boundary in the fall-back overlap (03:00 CEST -> 02:00 CET on 2026-10-25) falls on its first pass', () => {
      const w = windows({ windows: [{ days: [7], start: '01:00', end: '02:30' }] });
      const opening = nextOpening(w, new Date('2026-10-24T12:00:00Z'));
      expect(iso(opening.opensAt)).to.equal('2026-10-24T23:00:00.000Z'); // 01:00 CEST
      expect(iso(opening.closesAt)).to.equal('2026-10-25T00:30:00.000Z'); // the first 02:30 (CEST)
      // The second pass of 02:00-02:30 (CET) is after the close: outside.
      expect(windowAt(w, new Date('2026-10-25T01:15:00Z'))).to.equal(undefined);
      const late = windows({ windows: [{ days: [7], start: '02:30', end: '05:00' }] });
      expect(iso(nextOpening(late, new Date('2026-10-24T12:00:00Z')).opensAt)).to.equal('2026-10-25T00:30:00.000Z'); // opens on the first 02:30
      expect(iso(windowAt(late, new Date('2026-10-25T01:15:00Z'))?.closesAt)).to.equal('2026-10-25T04:00:00.000Z'); // 05:00 CET: an hour longer
    });
  });
});
