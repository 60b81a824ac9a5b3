import { expect } from 'chai';
import { iso } from '../../../src/adapters/pg/job-row.js';
import { seededRandom } from '../../support/seeded-random.js';

/** What iso() wrote before its fast path: toISOString, without the sign and zeros of years past 9999. */
const reference = (date: Date): string => date.toISOString().replace(/^\+0*(?=\d{5})/, '');

describe('iso (instants as text for the statements that write them)', () => {
  it('writes every instant as toISOString does, years past 9999 without their sign', () => {
    const next = seededRandom(27);
    const span = Date.UTC(10_500, 0, 1) - Date.UTC(900, 0, 1);
    for (let i = 0; i < 50_000; i += 1) {
      const date = new Date(Date.UTC(900, 0, 1) + Math.floor(next() * span));
      expect(iso(date), date.toISOString()).to.equal(reference(date));
    }
  });

  it('writes the edges of the fast path and of the range of dates alike', () => {
    const edges = ['0999-12-31T23:59:59.999Z', '1000-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2024-02-29T12:00:00.007Z', '9999-12-31T23:59:59.999Z', '+010000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z'];
    for (const text of edges) {
      const date = new Date(text);
      expect(iso(date), text).to.equal(reference(date));
    }
    expect(iso(undefined)).to.equal(null);
  });
});
