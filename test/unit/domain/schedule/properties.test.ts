import { expect } from 'chai';
import fc from 'fast-check';
import { fireTimesBetween, intervalPeriodMs, nextFireTime, nextFireTimes, parseSchedule, type Schedule } from '../../../../src/domain/schedule/index.js';
import { cronMatcher } from './support/cron-matcher.js';
import { fieldsOfNaive, formatNaive, naive, shouldFire, skippedJustBefore, stepOf } from './support/dst-oracle.js';
import { localTime, offsetChanges, wallFields } from './support/zone-clock.js';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe'];
const EXPRESSIONS = ['0 3 * * *', '*/15 * * * *', '30 2 * * *', '0 0 1 * *', '0 9 * * 1-5', '*/30 * * * *', '0,30 1-3 * * *', '45 1 * * *', '10 2 * * 0'];
const SECOND_EXPRESSIONS = ['*/20 * * * * *', '30 */10 2 * * *', '0 0 3 * * *'];
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

describe('schedule properties', function () {
  this.timeout(60_000);
  /** The offset changes of each zone in 2024-2031; the properties look at instants around them. */
  const transitions = new Map<string, number[]>();
  before(() => {
    for (const zone of ZONES) transitions.set(zone, offsetChanges(zone, 2024, 2031));
  });

  const aroundTransition = (spanMs: number) =>
    fc
      .record({
        zone: fc.constantFrom(...ZONES),
        index: fc.nat(),
        // Half of the instants fall within two hours of the change, where gaps and repeats are.
        shift: fc.oneof(fc.integer({ min: -spanMs, max: spanMs }), fc.integer({ min: -Math.min(spanMs, 2 * HOUR_MS), max: Math.min(spanMs, 2 * HOUR_MS) })),
      })
      .map(({ zone, index, shift }) => {
        const changes = transitions.get(zone) ?? [];
        return { zone, transition: changes[index % changes.length] ?? 0, instant: (changes[index % changes.length] ?? 0) + shift };
      });
  const cron = (expression: string, timeZone: string): Schedule => parseSchedule({ kind: 'cron', expression, timeZone });
  const ORIGIN = new Date('2020-01-01T00:00:00Z');

  it('finds the transitions it tests around (two a year in each zone)', () => {
    for (const zone of ZONES) expect(transitions.get(zone), zone).to.have.length(16);
  });

  describe('cron', () => {
    it('the next fire time is strictly after `after`, matches (or ends a gap with a match), and no due time is skipped before it', () => {
      fc.assert(
        fc.property(aroundTransition(36 * HOUR_MS), fc.constantFrom(...EXPRESSIONS, ...SECOND_EXPRESSIONS), ({ zone, instant }, expression) => {
          const matcher = cronMatcher(expression);
          const step = stepOf(matcher);
          const next = nextFireTime(cron(expression, zone), new Date(instant), ORIGIN)?.getTime();
          expect(next, 'a next fire time').to.be.a('number');
          const fire = next as number;
          expect(fire).to.be.greaterThan(instant);
          expect(shouldFire(zone, matcher, fire), `${localTime(zone, fire)} should be a fire time`).to.equal(true);
          // Brute force over a short window: every whole minute (second) between must not be due.
          const scanEnd = Math.min(fire, instant + (matcher.hasSeconds ? 20 * MINUTE_MS : 4 * HOUR_MS));
          for (let s = Math.floor(instant / step) * step + step; s < scanEnd; s += step) {
            if (shouldFire(zone, matcher, s)) expect.fail(`${localTime(zone, s)} (${new Date(s).toISOString()}) was skipped; next was ${new Date(fire).toISOString()}`);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('iterating gives strictly increasing times whose wall-clock times never repeat, with nothing due in between', () => {
      fc.assert(
        fc.property(aroundTransition(6 * HOUR_MS), fc.constantFrom(...EXPRESSIONS, ...SECOND_EXPRESSIONS), ({ zone, instant }, expression) => {
          const matcher = cronMatcher(expression);
          const step = stepOf(matcher);
          const times = nextFireTimes(cron(expression, zone), new Date(instant), ORIGIN, 40).map((d) => d.getTime());
          expect(times).to.have.length(40);
          for (let i = 1; i < times.length; i += 1) {
            const [previous, current] = [times[i - 1] as number, times[i] as number];
            expect(current).to.be.greaterThan(previous);
            if (current - previous > 3 * HOUR_MS) continue; // brute force only over short windows
            for (let s = previous + step; s < current; s += step) {
              if (shouldFire(zone, matcher, s)) expect.fail(`${localTime(zone, s)} was skipped between ${localTime(zone, previous)} and ${localTime(zone, current)}`);
            }
          }
          const walls = times.map((t) => localTime(zone, t));
          expect(new Set(walls).size, walls.join(', ')).to.equal(walls.length);
        }),
      );
    });

    it('over a day with a DST change, fires each matching wall-clock time exactly once (skipped ones at the end of the gap)', () => {
      fc.assert(
        fc.property(aroundTransition(0), fc.constantFrom(...EXPRESSIONS), fc.integer({ min: 6, max: 14 }), fc.integer({ min: 6, max: 14 }), ({ zone, transition }, expression, hoursBefore, hoursAfter) => {
          const matcher = cronMatcher(expression);
          const [from, until] = [transition - hoursBefore * HOUR_MS, transition + hoursAfter * HOUR_MS];
          const fires = fireTimesBetween(cron(expression, zone), new Date(from), new Date(until), ORIGIN, 10_000).map((d) => d.getTime());
          for (const fire of fires) expect(shouldFire(zone, matcher, fire), `${localTime(zone, fire)} should be a fire time`).to.equal(true);
          const actual = fires.map((t) => localTime(zone, t));

          const gap = new Set(skippedJustBefore(zone, transition, MINUTE_MS).map(naive));
          const gapEnd = localTime(zone, transition);
          const expected: string[] = [];
          for (let wall = naive(wallFields(zone, from)) + MINUTE_MS; wall <= naive(wallFields(zone, until)); wall += MINUTE_MS) {
            if (!matcher.matches(fieldsOfNaive(wall))) continue;
            const shown = gap.has(wall) ? gapEnd : formatNaive(wall);
            if (expected.at(-1) !== shown) expected.push(shown);
          }
          expect(actual).to.deep.equal(expected);
        }),
      );
    });
  });

  describe('interval', () => {
    const UNITS = ['minutes', 'hours', 'days'] as const;
    const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

    it('fires on the anchor grid, one period apart, starting right after max(after, creation)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1_000 }), fc.constantFrom(...UNITS), fc.option(instant, { nil: undefined }), instant, instant, (every, unit, anchorMs, originMs, afterMs) => {
          const schedule = parseSchedule({ kind: 'interval', every, unit, anchor: anchorMs === undefined ? undefined : new Date(anchorMs) });
          const period = intervalPeriodMs({ every, unit });
          const anchor = anchorMs ?? originMs;
          const times = nextFireTimes(schedule, new Date(afterMs), new Date(originMs), 5).map((d) => d.getTime());
          const first = times[0] as number;
          const floor = Math.max(afterMs, originMs);
          expect(first).to.be.greaterThan(floor);
          expect(first - period).to.be.at.most(floor);
          for (const t of times) expect(Math.abs((t - anchor) % period)).to.equal(0);
          for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).to.equal(period);
        }),
      );
    });
  });

  describe('once', () => {
    it('fires at `at` (or the creation time) if that is after `after`, else never', () => {
      const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });
      fc.assert(
        fc.property(fc.option(instant, { nil: undefined }), instant, instant, (atMs, originMs, afterMs) => {
          const schedule = parseSchedule({ kind: 'once', at: atMs === undefined ? undefined : new Date(atMs) });
          const when = atMs ?? originMs;
          expect(nextFireTime(schedule, new Date(afterMs), new Date(originMs))?.getTime()).to.equal(when > afterMs ? when : undefined);
          expect(nextFireTime(schedule, new Date(when - 1), new Date(originMs))?.getTime()).to.equal(when);
        }),
      );
    });
  });
});
