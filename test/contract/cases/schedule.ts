import { expect } from 'chai';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { IntervalUnit } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { LAST_TIMESTAMP, rejects, status, UNSUPPORTED_INSTANT, type ScheduleInit } from '../support/helpers.js';
import type { Target } from '../support/target.js';

const iso = (times: readonly { seconds: bigint; nanos: number }[]) => times.map((t) => timestampDate({ ...t, $typeName: 'google.protobuf.Timestamp' }).toISOString());
const at = (text: string) => timestampFromDate(new Date(text));
const cron = (expression: string, timeZone?: string): ScheduleInit => ({ kind: { case: 'cron', value: { expression, ...(timeZone ? { timeZone } : {}) } } });
const preview = (t: Target, schedule: ScheduleInit | undefined, count: number, after?: string) =>
  t.scheduler.previewSchedule({ ...(schedule ? { schedule } : {}), count, ...(after ? { after: at(after) } : {}) });

export const scheduleCases: AreaCases = {
  scheduler: {
    previewSchedule: [
      ok('an anchored interval fires at anchor + k × period, strictly after `after`', async (t) => {
        const schedule: ScheduleInit = { kind: { case: 'interval', value: { every: 6, unit: IntervalUnit.HOURS, anchor: at('2026-01-01T00:00:00Z') } } };
        const { fireTimes } = await preview(t, schedule, 4, '2026-05-05T06:00:00Z');
        expect(iso(fireTimes)).to.deep.equal(['2026-05-05T12:00:00.000Z', '2026-05-05T18:00:00.000Z', '2026-05-06T00:00:00.000Z', '2026-05-06T06:00:00.000Z']);
      }),
      ok('a cron evaluated in its time zone, across the spring-forward change', async (t) => {
        const { fireTimes } = await preview(t, cron('30 2 * * *', 'Europe/Berlin'), 3, '2026-03-27T12:00:00Z');
        expect(iso(fireTimes)).to.deep.equal(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
      }),
      ok('count 0 means 10, and 100 (the maximum) is accepted; times ascend', async (t) => {
        const ten = (await preview(t, cron('*/5 * * * *'), 0)).fireTimes;
        expect(ten).to.have.length(10);
        const hundred = (await preview(t, cron('*/5 * * * *'), 100)).fireTimes.map((x) => Number(x.seconds));
        expect(hundred).to.have.length(100);
        expect(hundred.every((s, i) => i === 0 || s - (hundred[i - 1] as number) === 300)).to.equal(true);
        expect(hundred[0]).to.be.greaterThan(Date.now() / 1000 - 1);
      }),
      ok('a one-shot has at most one fire time', async (t) => {
        const schedule: ScheduleInit = { kind: { case: 'once', value: { at: at('2030-01-01T00:00:00Z') } } };
        expect(iso((await preview(t, schedule, 5, '2029-01-01T00:00:00Z')).fireTimes)).to.deep.equal(['2030-01-01T00:00:00.000Z']);
        expect((await preview(t, schedule, 5, '2031-01-01T00:00:00Z')).fireTimes).to.deep.equal([]);
      }),
      ok('every kind of schedule ends at the last supported instant, 9999-12-30T23:59:59.999Z: fewer times, never the year 10000', async (t) => {
        const late = '9999-12-30T21:30:00Z';
        const expected = ['9999-12-30T22:00:00.000Z', '9999-12-30T23:00:00.000Z'];
        const anchored: ScheduleInit = { kind: { case: 'interval', value: { every: 1, unit: IntervalUnit.HOURS, anchor: at('2026-01-01T00:00:00Z') } } };
        expect(iso((await preview(t, anchored, 10, late)).fireTimes)).to.deep.equal(expected);
        expect(iso((await preview(t, cron('0 * * * *'), 10, late)).fireTimes)).to.deep.equal(expected);
        expect(iso((await preview(t, cron('0 0 * * *', 'Pacific/Kiritimati'), 10, late)).fireTimes)).to.deep.equal([]);
        const last: ScheduleInit = { kind: { case: 'once', value: { at: at('9999-12-30T23:59:59.999Z') } } };
        expect(iso((await preview(t, last, 10, late)).fireTimes)).to.deep.equal(['9999-12-30T23:59:59.999Z']);
      }),
      ok('a cron keeps firing past the year 3000', async (t) => {
        expect(iso((await preview(t, cron('0 0 * * *'), 2, '2999-12-31T12:00:00Z')).fireTimes)).to.deep.equal(['3000-01-01T00:00:00.000Z', '3000-01-02T00:00:00.000Z']);
      }),
      fails('INVALID_ARGUMENT', 'an `after` or a schedule instant past the last supported instant is refused naming the field', async (t) => {
        await rejects(t.scheduler.previewSchedule({ schedule: cron('0 * * * *'), after: LAST_TIMESTAMP }), status.INVALID_ARGUMENT, new RegExp(`^after${UNSUPPORTED_INSTANT.source}`));
        const once: ScheduleInit = { kind: { case: 'once', value: { at: LAST_TIMESTAMP } } };
        await rejects(t.scheduler.previewSchedule({ schedule: once }), status.INVALID_ARGUMENT, new RegExp(`^schedule\\.once\\.at${UNSUPPORTED_INSTANT.source}`));
      }),
      ...([
        ['no schedule', undefined, 1, /^schedule is required/],
        ['count 101 (over the maximum of 100)', cron('0 * * * *'), 101, /^count must be from 1 to 100/],
        ['an invalid cron expression', cron('0 25 * * *'), 1, /^schedule\.cron\.expression /],
        ['an unknown time zone', cron('0 3 * * *', 'Nowhere/Special'), 1, /^schedule\.cron\.time_zone /],
        ['an interval without unit', { kind: { case: 'interval', value: { every: 1 } } } as ScheduleInit, 1, /^schedule\.interval\.unit is required/],
        ['an interval unit the contract does not know', { kind: { case: 'interval', value: { every: 1, unit: 9 as IntervalUnit } } } as ScheduleInit, 1, /^schedule\.interval\.unit must be one of .*unknown \(9\)/],
      ] as const).map(([what, schedule, count, message]) =>
        fails('INVALID_ARGUMENT', `${what} is refused naming the field`, async (t) => {
          await rejects(preview(t, schedule, count), status.INVALID_ARGUMENT, message);
        }),
      ),
    ],
  },
};
