import { expect } from 'chai';
import pg from 'pg';
import { parseTimestamptz } from '../../../src/adapters/pg/timestamp-parser.js';
import { seededRandom } from '../../support/seeded-random.js';

const driver = pg.types.getTypeParser(1184, 'text') as (text: string) => Date | number | null;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const same = (text: string) => {
  const fast = parseTimestamptz(text);
  const reference = driver(text);
  expect(fast instanceof Date ? fast.getTime() : fast, text).to.deep.equal(reference instanceof Date ? reference.getTime() : reference);
};

describe('parseTimestamptz (the pool reads timestamptz without regular expressions)', () => {
  it('reads what PostgreSQL writes exactly as the pg driver does: fractions of 0 to 6 digits, offsets ±HH, ±HH:MM, ±HH:MM:SS', () => {
    const next = seededRandom(15);
    for (let i = 0; i < 20_000; i += 1) {
      const year = 100 + Math.floor(next() * 9900);
      const fractionDigits = Math.floor(next() * 7);
      const fraction = fractionDigits === 0 ? '' : `.${pad(Math.floor(next() * 10 ** fractionDigits), fractionDigits)}`;
      const offsets = ['+00', '-08', '+05:30', '-03:30', '+14', '-00:25:21', '+01:02:03'];
      const offset = offsets[Math.floor(next() * offsets.length)];
      same(`${pad(year, 4)}-${pad(1 + Math.floor(next() * 12), 2)}-${pad(1 + Math.floor(next() * 28), 2)} ${pad(Math.floor(next() * 24), 2)}:${pad(Math.floor(next() * 60), 2)}:${pad(Math.floor(next() * 60), 2)}${fraction}${offset}`);
    }
  });

  it('cuts milliseconds as the driver does, for every three-digit fraction and beyond', () => {
    for (let ms = 0; ms < 1000; ms += 1) {
      same(`2026-12-04 11:41:48.${pad(ms, 3)}+00`);
      same(`2026-12-04 11:41:48.${pad(ms, 3)}999+00`);
    }
  });

  it('hands every other shape to the driver: BC, infinity, years below 100 or above 9999, dates alone, garbage', () => {
    for (const text of ['0044-03-15 12:00:00+00 BC', 'infinity', '-infinity', '0099-12-31 23:59:59.999+00', '10000-01-01 00:00:00+00', '2026-12-04', 'not a time', '2026-12-04 11:41:48.+00', '2026-12-04 11:41:48.5+0', '2026-1x-04 11:41:48+00']) {
      same(text);
    }
  });
});
