import { toBinary } from '@bufbuild/protobuf';
import { DurationSchema, durationMs } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { duration } from '../../../src/adapters/grpc/mapping/wire-values.js';

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
});
