import { expect } from 'chai';
import { fireTimesBetween, parseSchedule } from '../../../../src/domain/schedule/index.js';
import { localTime } from './support/zone-clock.js';

/**
 * The DST rule of the contract, by example: a wall-clock time skipped by a change fires once at
 * the first instant after the gap; a wall-clock time that happens twice fires once, at its first
 * occurrence. Each row lists UTC instants with the zone's wall clock beside them.
 */
function fires(expression: string, timeZone: string, fromIso: string, toIso: string): string[] {
  const schedule = parseSchedule({ kind: 'cron', expression, timeZone });
  const times = fireTimesBetween(schedule, new Date(fromIso), new Date(toIso), new Date(fromIso), 1_000);
  return times.map((t) => `${t.toISOString()} ${localTime(timeZone, t)}`);
}

describe('cron across daylight-saving changes', () => {
  describe('Europe/Berlin (02:00 CET -> 03:00 CEST on 2026-03-29, 03:00 CEST -> 02:00 CET on 2026-10-25)', () => {
    it('daily 02:30 fires at 03:00 CEST on the spring-forward day', () => {
      expect(fires('30 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z')).to.deep.equal([
        '2026-03-28T01:30:00.000Z 2026-03-28 02:30:00',
        '2026-03-29T01:00:00.000Z 2026-03-29 03:00:00',
        '2026-03-30T00:30:00.000Z 2026-03-30 02:30:00',
      ]);
    });

    it('daily 02:30 fires once, at 02:30 CEST, on the fall-back day', () => {
      expect(fires('30 2 * * *', 'Europe/Berlin', '2026-10-23T12:00:00Z', '2026-10-26T12:00:00Z')).to.deep.equal([
        '2026-10-24T00:30:00.000Z 2026-10-24 02:30:00',
        '2026-10-25T00:30:00.000Z 2026-10-25 02:30:00',
        '2026-10-26T01:30:00.000Z 2026-10-26 02:30:00',
      ]);
    });

    it('half-hourly fires once for the skipped hour, at 03:00', () => {
      expect(fires('*/30 * * * *', 'Europe/Berlin', '2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z')).to.deep.equal([
        '2026-03-29T00:30:00.000Z 2026-03-29 01:30:00',
        '2026-03-29T01:00:00.000Z 2026-03-29 03:00:00',
        '2026-03-29T01:30:00.000Z 2026-03-29 03:30:00',
        '2026-03-29T02:00:00.000Z 2026-03-29 04:00:00',
      ]);
    });

    it('half-hourly does not repeat the repeated hour', () => {
      expect(fires('*/30 * * * *', 'Europe/Berlin', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z')).to.deep.equal([
        '2026-10-24T23:30:00.000Z 2026-10-25 01:30:00',
        '2026-10-25T00:00:00.000Z 2026-10-25 02:00:00',
        '2026-10-25T00:30:00.000Z 2026-10-25 02:30:00',
        '2026-10-25T02:00:00.000Z 2026-10-25 03:00:00',
        '2026-10-25T02:30:00.000Z 2026-10-25 03:30:00',
        '2026-10-25T03:00:00.000Z 2026-10-25 04:00:00',
      ]);
    });

    it('a 6-field expression in the gap fires at 03:00:00', () => {
      expect(fires('15 45 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).to.deep.equal(['2026-03-29T01:00:00.000Z 2026-03-29 03:00:00']);
    });

    it('times on both sides of the gap stay as they are', () => {
      expect(fires('59 1,3 * * *', 'Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z')).to.deep.equal([
        '2026-03-29T00:59:00.000Z 2026-03-29 01:59:00',
        '2026-03-29T01:59:00.000Z 2026-03-29 03:59:00',
      ]);
    });
  });

  describe('America/New_York (02:00 EST -> 03:00 EDT on 2026-03-08, 02:00 EDT -> 01:00 EST on 2026-11-01)', () => {
    it('daily 02:30 fires at 03:00 EDT on the spring-forward day', () => {
      expect(fires('30 2 * * *', 'America/New_York', '2026-03-07T00:00:00Z', '2026-03-09T12:00:00Z')).to.deep.equal([
        '2026-03-07T07:30:00.000Z 2026-03-07 02:30:00',
        '2026-03-08T07:00:00.000Z 2026-03-08 03:00:00',
        '2026-03-09T06:30:00.000Z 2026-03-09 02:30:00',
      ]);
    });

    it('daily 01:30 fires once, at 01:30 EDT, on the fall-back day', () => {
      expect(fires('30 1 * * *', 'America/New_York', '2026-10-31T00:00:00Z', '2026-11-02T12:00:00Z')).to.deep.equal([
        '2026-10-31T05:30:00.000Z 2026-10-31 01:30:00',
        '2026-11-01T05:30:00.000Z 2026-11-01 01:30:00',
        '2026-11-02T06:30:00.000Z 2026-11-02 01:30:00',
      ]);
    });

    it('daily 02:30 is unaffected on the fall-back day', () => {
      expect(fires('30 2 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-01T12:00:00Z')).to.deep.equal(['2026-11-01T07:30:00.000Z 2026-11-01 02:30:00']);
    });

    it('half-hourly fires once for the skipped hour, at 03:00', () => {
      expect(fires('*/30 * * * *', 'America/New_York', '2026-03-08T06:00:00Z', '2026-03-08T08:00:00Z')).to.deep.equal([
        '2026-03-08T06:30:00.000Z 2026-03-08 01:30:00',
        '2026-03-08T07:00:00.000Z 2026-03-08 03:00:00',
        '2026-03-08T07:30:00.000Z 2026-03-08 03:30:00',
        '2026-03-08T08:00:00.000Z 2026-03-08 04:00:00',
      ]);
    });

    it('half-hourly does not repeat the repeated hour', () => {
      expect(fires('*/30 * * * *', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z')).to.deep.equal([
        '2026-11-01T04:30:00.000Z 2026-11-01 00:30:00',
        '2026-11-01T05:00:00.000Z 2026-11-01 01:00:00',
        '2026-11-01T05:30:00.000Z 2026-11-01 01:30:00',
        '2026-11-01T07:00:00.000Z 2026-11-01 02:00:00',
        '2026-11-01T07:30:00.000Z 2026-11-01 02:30:00',
        '2026-11-01T08:00:00.000Z 2026-11-01 03:00:00',
      ]);
    });
  });

  describe('Australia/Sydney (03:00 AEDT -> 02:00 AEST on 2026-04-05, 02:00 AEST -> 03:00 AEDT on 2026-10-04)', () => {
    it('daily 02:30 fires once, at 02:30 AEDT, on the fall-back day', () => {
      expect(fires('30 2 * * *', 'Australia/Sydney', '2026-04-03T12:00:00Z', '2026-04-05T12:00:00Z')).to.deep.equal([
        '2026-04-03T15:30:00.000Z 2026-04-04 02:30:00',
        '2026-04-04T15:30:00.000Z 2026-04-05 02:30:00',
      ]);
    });

    it('daily 02:30 fires at 03:00 AEDT on the spring-forward day', () => {
      expect(fires('30 2 * * *', 'Australia/Sydney', '2026-10-02T12:00:00Z', '2026-10-04T12:00:00Z')).to.deep.equal([
        '2026-10-02T16:30:00.000Z 2026-10-03 02:30:00',
        '2026-10-03T16:00:00.000Z 2026-10-04 03:00:00',
      ]);
    });
  });

  it('does not depend on the time zone of the process', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'Australia/Lord_Howe', 'UTC']) {
        process.env.TZ = tz;
        expect(fires('30 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z'), tz).to.deep.equal([
          '2026-03-28T01:30:00.000Z 2026-03-28 02:30:00',
          '2026-03-29T01:00:00.000Z 2026-03-29 03:00:00',
          '2026-03-30T00:30:00.000Z 2026-03-30 02:30:00',
        ]);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  describe('other shapes of change', () => {
    it('a half-hour gap (Australia/Lord_Howe, 02:00 -> 02:30 on 2026-10-04) maps its quarter hours to 02:30', () => {
      expect(fires('*/15 * * * *', 'Australia/Lord_Howe', '2026-10-03T15:00:00Z', '2026-10-03T16:00:00Z')).to.deep.equal([
        '2026-10-03T15:15:00.000Z 2026-10-04 01:45:00',
        '2026-10-03T15:30:00.000Z 2026-10-04 02:30:00',
        '2026-10-03T15:45:00.000Z 2026-10-04 02:45:00',
        '2026-10-03T16:00:00.000Z 2026-10-04 03:00:00',
      ]);
    });

    it('a skipped day (Pacific/Apia skipped 2011-12-30) fires its times once, at the start of the next day', () => {
      expect(fires('0 12 * * *', 'Pacific/Apia', '2011-12-28T12:00:00Z', '2011-12-31T12:00:00Z')).to.deep.equal([
        '2011-12-28T22:00:00.000Z 2011-12-28 12:00:00',
        '2011-12-29T22:00:00.000Z 2011-12-29 12:00:00',
        '2011-12-30T10:00:00.000Z 2011-12-31 00:00:00',
        '2011-12-30T22:00:00.000Z 2011-12-31 12:00:00',
      ]);
    });
  });
});
