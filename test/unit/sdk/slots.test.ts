import { expect } from 'chai';
import { Slots } from '../../../src/sdk/slots.js';

describe('worker SDK: slots', () => {
  it('waits for enough free slots, or for one free slot to have waited long enough', async () => {
    const slots = new Slots(8);
    slots.take(8);
    const never = new AbortController();
    let ready = false;
    const waiting = slots.whenFree(2, 30, never.signal).then(() => (ready = true));
    slots.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ready).to.equal(false);
    await waiting;
    expect(slots.free).to.equal(1);
    slots.take(1);
    const enough = slots.whenFree(2, 10_000, never.signal);
    slots.release();
    slots.release();
    await enough;
  });

  it('resolves idle() when the last slot is released, and whenFree() on abort', async () => {
    const slots = new Slots(2);
    slots.take(2);
    const stop = new AbortController();
    const waiting = slots.whenFree(1, 10, stop.signal);
    stop.abort();
    await waiting;
    let idle = false;
    const done = slots.idle().then(() => (idle = true));
    slots.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).to.equal(false);
    slots.release();
    await done;
  });
});
