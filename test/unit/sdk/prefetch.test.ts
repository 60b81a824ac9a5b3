import { expect } from 'chai';
import { Prefetch } from '../../../src/sdk/prefetch.js';

describe('worker SDK: prefetch', () => {
  it('holds as many as the slots before any handler ran', () => {
    expect(new Prefetch(8, undefined).count).to.equal(8);
  });

  it('follows the pace of the handlers: hundreds for quick jobs, none for slow ones', () => {
    const quick = new Prefetch(5, undefined);
    for (let i = 0; i < 50; i += 1) quick.ran(0.01);
    expect(quick.count).to.equal(500);
    const medium = new Prefetch(5, undefined);
    for (let i = 0; i < 50; i += 1) medium.ran(10);
    expect(medium.count).to.equal(13);
    const slow = new Prefetch(5, undefined);
    for (let i = 0; i < 50; i += 1) slow.ran(2_000);
    expect(slow.count).to.equal(0);
  });

  it('keeps a number that was given', () => {
    const fixed = new Prefetch(5, 3);
    fixed.ran(0.01);
    expect(fixed.count).to.equal(3);
  });
});
