import { expect } from 'chai';
import type pg from 'pg';
import { arrayLiteral, type ArrayElement } from '../../../src/adapters/pg/array-literal.js';
import { prepared } from '../../../src/adapters/pg/prepared.js';
import { TestDatabase } from '../../support/test-database.js';
import { seededRandom } from '../../support/seeded-random.js';

/**
 * The hot statements send their array parameters as literals built by arrayLiteral instead of
 * letting the pg driver build them: PostgreSQL must read back exactly what the driver's text
 * would have given, whatever the elements hold.
 */
describe('array literals of the hot statements (PostgreSQL reads them as the driver writes them)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await TestDatabase.create({ empty: true });
    pool = database.pool(1);
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  const readBack = async (type: string, value: unknown): Promise<unknown> => (await pool.query(`SELECT $1::${type}[] AS a`, [value])).rows[0].a;
  const same = async (type: string, values: ArrayElement[]) => expect(await readBack(type, arrayLiteral(values)), JSON.stringify(values)).to.deep.equal(await readBack(type, values));

  it('text: quotes, backslashes, braces, commas, blanks, the word NULL, empty text and nulls', async () => {
    await same('text', ['plain', 'with "quotes"', 'back\\slash', '\\"both\\"', '{braces}', 'a,b', ' spaced ', '\t\n', 'NULL', 'null', '', 'ünï©ødé 🚀', null, undefined]);
    await same('text', []);
  });

  it('text: 2,000 strings drawn from the characters that matter to the literal (fixed seed)', async () => {
    const random = seededRandom(20_261_204);
    const alphabet = ['a', 'Z', '0', '"', '\\', '{', '}', ',', ' ', '\t', "'", 'N', 'U', 'L', 'é', '😀'];
    const values = Array.from({ length: 2_000 }, () => Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    await same('text', values);
  });

  it('uuids, numbers and booleans', async () => {
    await same('uuid', ['0b7e4b6a-6f0e-4d7e-9d5c-1f2a3b4c5d6e', '00000000-0000-0000-0000-000000000000', null]);
    await same('bigint', [0, -1, 42, 9_007_199_254_740_991, null]);
    await same('integer', [7, -2_147_483_648]);
    await same('boolean', [true, false, null]);
  });

  it('prepared statements send flat arrays as literals, and leave a jsonb[] of objects to the driver', async () => {
    const statement = prepared('array-literal.test', 'SELECT $1::uuid[] AS ids, $2::jsonb[] AS progress, $3::text AS plain', [['0b7e4b6a-6f0e-4d7e-9d5c-1f2a3b4c5d6e', null], [{ done: 3 }, null], 'x']);
    expect(statement.values?.[0]).to.equal('{"0b7e4b6a-6f0e-4d7e-9d5c-1f2a3b4c5d6e",NULL}');
    expect(statement.values?.slice(1)).to.deep.equal([[{ done: 3 }, null], 'x']);
    const { rows } = await pool.query(statement);
    expect(rows[0]).to.deep.equal({ ids: ['0b7e4b6a-6f0e-4d7e-9d5c-1f2a3b4c5d6e', null], progress: [{ done: 3 }, null], plain: 'x' });
  });

  it('timestamps: the same instants, in every year the service writes', async () => {
    const instants = [new Date('2026-12-04T23:31:44.493Z'), new Date('1000-01-01T00:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z'), new Date('1970-01-01T00:00:00.000Z'), new Date('0999-12-31T23:59:59.999Z'), new Date('+010000-01-01T00:00:00.000Z'), new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 7))];
    const read = (await readBack('timestamptz', arrayLiteral([...instants, null]))) as (Date | null)[];
    expect(read.map((d) => d?.getTime() ?? null)).to.deep.equal([...instants.map((d) => d.getTime()), null]);
  });
});
