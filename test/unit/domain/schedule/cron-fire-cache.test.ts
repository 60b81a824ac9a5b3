import { expect } from 'chai';
import { nextFireTime } from '../../../../src/domain/schedule/next-fire-time.js';

const cron = (expression: string, timeZone: string) => ({ kind: 'cron' as const, expression, timeZone });
const ORIGIN = new Date('2026-01-01T00:00:00Z');

describe('cron fire times are cached per zone, instant and expression', () => {
  it('gives each zone and expression its own answer for the same instant, however the calls interleave', () => {
    const after = new Date('2026-03-29T00:00:00Z'); // Berlin moves to summer time at 01:00Z that night
    const cases: Array<[string, string, string]> = [
      ['0 3 * * *', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
      ['0 3 * * *', 'America/New_York', '2026-03-29T07:00:00.000Z'],
      ['0 2 * * *', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'], // 02:00 is skipped: fires when the gap ends
      ['30 2 * * *', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
      ['0 3 * * *', 'UTC', '2026-03-29T03:00:00.000Z'],
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const [expression, zone, expected] of round === 1 ? [...cases].reverse() : cases) {
        expect(nextFireTime(cron(expression, zone), after, ORIGIN)?.toISOString(), `${expression} in ${zone}, round ${round}`).to.equal(expected);
      }
    }
  });

  it('keeps answers apart for instants a millisecond apart', () => {
    const schedule = cron('0 * * * *', 'UTC');
    expect(nextFireTime(schedule, new Date('2026-03-02T08:59:59.999Z'), ORIGIN)?.toISOString()).to.equal('2026-03-02T09:00:00.000Z');
    expect(nextFireTime(schedule, new Date('2026-03-02T09:00:00.000Z'), ORIGIN)?.toISOString()).to.equal('2026-03-02T10:00:00.000Z');
    expect(nextFireTime(schedule, new Date('2026-03-02T08:59:59.999Z'), ORIGIN)?.toISOString()).to.equal('2026-03-02T09:00:00.000Z');
  });
});
