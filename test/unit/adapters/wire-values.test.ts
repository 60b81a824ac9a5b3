import { toBinary } from '@bufbuild/protobuf';
import { DurationSchema, durationFromMs, durationMs, TimestampSchema, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { toJson } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { dateFrom, duration, timestamp } from '../../../src/adapters/grpc/mapping/wire-values.js';

describe('wire values: duration', () => {
  it('turns fractional milliseconds (percentiles over microsecond times) into a Duration that serialises', () => {
    const value = duration(23_456.789)!;
    expect(() => toBinary(DurationSchema, value)).not.to.throw();
    expect(durationMs(value)).to.equal(23_457);
  });

  it('keeps whole milliseconds and leaves an absent value absent', () => {
    expect(durationMs(duration(1_500)!)).to.equal(1_500);
    expect(duration(undefined)).to.equal(undefined);
  });

  it('builds the message durationFromMs builds, negative and fractional values too', () => {
    for (const ms of [0, 1, 999, 1_000, 1_500, 60_000, 3_600_000, 604_800_000, 23_456.789, 0.4, -1, -500, -1_000, -1_500, 315_576_000_000_000]) {
      expect(duration(ms), String(ms)).to.deep.equal(durationFromMs(Math.round(ms)));
      expect(toBinary(DurationSchema, duration(ms)!), String(ms)).to.deep.equal(toBinary(DurationSchema, durationFromMs(Math.round(ms))));
    }
  });
});

describe('wire values: timestamps', () => {
  it('cut nanoseconds to whole milliseconds: the last Timestamp stays in the year 9999', () => {
    const last = { $typeName: 'google.protobuf.Timestamp', seconds: 253_402_300_799n, nanos: 999_999_999 } as const;
    expect(dateFrom('at', last)?.toISOString()).to.equal('9999-12-31T23:59:59.999Z');
    expect(dateFrom('at', { ...last, seconds: 0n, nanos: 1_999_999 })?.toISOString()).to.equal('1970-01-01T00:00:00.001Z');
  });

  it('answer an instant past the Timestamp range (a deadline computed in the last days of 9999) with the end of the range', () => {
    const past = timestamp(new Date('+010000-01-03T00:00:00Z'))!;
    expect(toJson(TimestampSchema, past)).to.equal('9999-12-31T23:59:59.999Z');
    expect(timestamp(new Date('2026-05-01T03:00:00.123Z'))).to.deep.equal(timestampFromDate(new Date('2026-05-01T03:00:00.123Z')));
    expect(timestamp(undefined)).to.equal(undefined);
  });

  it('build the message timestampFromDate builds, before 1970 and at both ends of the range too', () => {
    for (const iso of ['1969-12-31T23:59:58.500Z', '1970-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '0001-01-01T00:00:00.001Z', '9999-12-31T23:59:59.999Z', '2026-12-04T11:41:48.262Z']) {
      const date = new Date(iso);
      expect(timestamp(date), iso).to.deep.equal(timestampFromDate(date));
      expect(toBinary(TimestampSchema, timestamp(date)!), iso).to.deep.equal(toBinary(TimestampSchema, timestampFromDate(date)));
    }
  });
});
