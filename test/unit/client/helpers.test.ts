import { expect } from 'chai';
import { create, toJson } from '@bufbuild/protobuf';
import { JobStateSchema, JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { ExecutionStatusSchema } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { ScheduleSchema } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import { json } from '../../../src/client/json.js';
import { enumLabel, enumValue } from '../../../src/client/labels.js';
import { afterUpstream, at, cron, every, now } from '../../../src/client/schedules.js';
import { dateOf, duration, millisecondsOf, parseDuration, timestamp } from '../../../src/client/time.js';

const wire = (schedule: Parameters<typeof create<typeof ScheduleSchema>>[1]) => toJson(ScheduleSchema, create(ScheduleSchema, schedule));

describe('client helpers', () => {
  describe('schedules', () => {
    it('cron: expression and zone; no zone leaves it to the server (UTC)', () => {
      expect(wire(cron('0 9 * * 1-5', 'Europe/Berlin'))).to.deep.equal({ cron: { expression: '0 9 * * 1-5', timeZone: 'Europe/Berlin' } });
      expect(wire(cron('*/5 * * * *'))).to.deep.equal({ cron: { expression: '*/5 * * * *' } });
    });

    const intervals: Array<[string | number, number, string]> = [
      ['15m', 15, 'INTERVAL_UNIT_MINUTES'],
      ['90m', 90, 'INTERVAL_UNIT_MINUTES'],
      ['1h30m', 90, 'INTERVAL_UNIT_MINUTES'],
      ['2h', 2, 'INTERVAL_UNIT_HOURS'],
      ['120m', 2, 'INTERVAL_UNIT_HOURS'],
      ['1d', 1, 'INTERVAL_UNIT_DAYS'],
      ['48h', 2, 'INTERVAL_UNIT_DAYS'],
      [5 * 60_000, 5, 'INTERVAL_UNIT_MINUTES'],
    ];
    for (const [input, count, unit] of intervals) {
      it(`every(${JSON.stringify(input)}) is every ${count} ${unit}`, () => {
        expect(wire(every(input))).to.deep.equal({ interval: { every: count, unit } });
      });
    }

    it('every takes a Duration message and an anchor', () => {
      expect(wire(every(duration('30m'), { anchor: '2026-01-01T00:00:00Z' }))).to.deep.equal({ interval: { every: 30, unit: 'INTERVAL_UNIT_MINUTES', anchor: '2026-01-01T00:00:00Z' } });
    });

    for (const bad of ['90s', '0m', '1m30s', 59_999, 'often']) {
      it(`every(${JSON.stringify(bad)}) is refused before any call`, () => {
        expect(() => every(bad)).to.throw(RangeError);
      });
    }

    it('at takes a Date, an ISO string or epoch milliseconds; now is a one-shot without an instant', () => {
      const expected = { once: { at: '2026-12-24T18:00:00Z' } };
      expect(wire(at('2026-12-24T18:00Z'))).to.deep.equal(expected);
      expect(wire(at(new Date('2026-12-24T18:00:00Z')))).to.deep.equal(expected);
      expect(wire(at(Date.UTC(2026, 11, 24, 18)))).to.deep.equal(expected);
      expect(wire(now())).to.deep.equal({ once: {} });
      expect(() => at('next tuesday')).to.throw(RangeError, /is not a time/);
    });

    it('afterUpstream is the schedule without a clock, for a job that runs after its dependsOn jobs', () => {
      expect(wire(afterUpstream())).to.deep.equal({ afterUpstream: {} });
    });
  });

  describe('times and durations', () => {
    it('timestamp and dateOf round-trip to the millisecond; an unset field is undefined', () => {
      const ts = timestamp('2026-03-29T01:30:00.250Z');
      expect(ts.seconds).to.equal(BigInt(Date.UTC(2026, 2, 29, 1, 30) / 1000));
      expect(ts.nanos).to.equal(250_000_000);
      expect(dateOf(ts)?.toISOString()).to.equal('2026-03-29T01:30:00.250Z');
      expect(dateOf(undefined)).to.equal(undefined);
    });

    const durations: Array<[string | number, number]> = [['250ms', 250], ['1.5s', 1500], ['15m', 900_000], ['1h30m', 5_400_000], ['2d', 172_800_000], [42, 42]];
    for (const [input, ms] of durations) {
      it(`${JSON.stringify(input)} is ${ms} ms, and a Duration of it says the same`, () => {
        expect(parseDuration(input)).to.equal(ms);
        expect(millisecondsOf(duration(input))).to.equal(ms);
      });
    }

    for (const bad of ['', '15', 'm', '1h 30m', '-5m', 'soon', -1]) {
      it(`${JSON.stringify(bad)} is not a duration`, () => {
        expect(() => parseDuration(bad)).to.throw(RangeError);
      });
    }
  });

  describe('json payloads', () => {
    it('returns what the wire carries: dates as strings, undefined properties gone', () => {
      expect(json({ at: new Date('2026-01-01T00:00:00Z'), skip: undefined, n: 1, list: [1, 'a'], nested: { ok: true } })).to.deep.equal({ at: '2026-01-01T00:00:00.000Z', n: 1, list: [1, 'a'], nested: { ok: true } });
    });

    for (const [name, value, message] of [
      ['an array', [1, 2], /a payload is a JSON object, got an array/],
      ['null', null, /got null/],
      ['a string', 'text', /got string/],
      ['a bigint', { n: 1n }, /cannot be encoded as JSON/],
    ] as const) {
      it(`refuses ${name}`, () => {
        expect(() => json(value)).to.throw(TypeError, message);
      });
    }

    it('refuses a cycle', () => {
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      expect(() => json(cycle)).to.throw(TypeError, /cannot be encoded as JSON/);
    });
  });

  describe('enum labels', () => {
    it('labels as people write them, and back', () => {
      expect(enumLabel(JobStateSchema, JobState.SCHEDULED)).to.equal('scheduled');
      expect(enumLabel(ExecutionStatusSchema, 6)).to.equal('timed-out');
      expect(enumLabel(JobStateSchema, 99)).to.equal('99');
      for (const label of ['paused', 'PAUSED', 'JOB_STATE_PAUSED']) expect(enumValue(JobStateSchema, label)).to.equal(JobState.PAUSED);
      expect(enumValue(ExecutionStatusSchema, 'timed-out')).to.equal(6);
      expect(() => enumValue(JobStateSchema, 'unspecified')).to.throw(RangeError, /is not one of pending, scheduled/);
    });
  });
});
