import { expect } from 'chai';
import fc from 'fast-check';
import { PROPERTY_SEED } from '../../support/property-seed.js';

describe('property tests in npm test', () => {
  it('draw from the one fixed seed, so every run tries the same inputs', () => {
    const expected = process.env.FAST_CHECK_SEED ? Number(process.env.FAST_CHECK_SEED) : PROPERTY_SEED;
    expect(fc.readConfigureGlobal().seed).to.equal(expected);
    const draw = () => fc.sample(fc.integer(), { numRuns: 5 });
    expect(draw()).to.deep.equal(draw());
  });
});
