import fc from 'fast-check';
import { FIXTURE_TYPE, type Fixtures } from './fuzz-lane.js';

/**
 * The values every service's fuzz requests are built from, from plausible to hostile: boundary
 * and out-of-range numbers, empty, huge and strange strings (NUL, lone surrogates, right-to-left
 * marks, SQL), NaN and infinite doubles, durations and timestamps at and beyond their limits,
 * unknown enum values, deep and huge Struct payloads, ids of other kinds of rows, and page tokens
 * forged from real ones. Every value can still be encoded (hostile bytes are sent raw, see
 * fuzz.test.ts).
 */

export const I64_MAX = 2n ** 63n - 1n;
export const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;
const MIN_TS = -62_135_596_800n;
const MAX_TS = 253_402_300_799n;
export const NOW_S = BigInt(Math.floor(Date.now() / 1000));

export const repeat = (text: string, n: number) => text.repeat(n);
/** Built once: huge values are shared, not regenerated. */
export const HUGE_TEXT = repeat('x', 300_000);
const deep = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
};
const wide = (keys: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
const HOSTILE_STRUCTS = [deep(32), deep(100), deep(1_000), wide(2_000), { big: repeat('b', 70_000) }, { big: repeat('b', 300_000) }, { '\u0000': 1 }, { a: '\u0000' }, { '': '' }, { a: '\uD800' }, { n: Number.NaN, i: Number.POSITIVE_INFINITY, m: -0 }];

export const odd = fc.constantFrom(
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '💥💥💥',
  'é',
  "'; DROP TABLE jobs; --",
  '%s%n%x',
  '../../etc/passwd',
  'null',
  '{"$ne":null}',
  '\\',
  '"',
);

/** Any text, biased towards the limits the API documents (100, 128, 200, 1000, 2000, 4096 characters). */
export const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: odd },
  { weight: 1, arbitrary: fc.constantFrom(99, 100, 101, 127, 128, 129, 199, 200, 201, 999, 1000, 1001, 2000, 2001, 4096, 4097).map((n) => repeat('z', n)) },
  { weight: 1, arbitrary: fc.nat({ max: 3_000 }).map((n) => repeat('y', n)) },
);
export const textOrHuge = fc.oneof({ weight: 50, arbitrary: text }, { weight: 1, arbitrary: fc.constant(HUGE_TEXT) });

export const jobType = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(FIXTURE_TYPE, 'fuzz.other', 'a', 'a.b:c-d_e', repeat('t', 100), repeat('t', 101), 'has space', 'ünï', '*') },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/) },
  { weight: 1, arbitrary: text },
);

export const uint32 = fc.oneof(fc.constantFrom(0, 1, 2, 5, 10, 99, 100, 101, 500, 501, 1000, 1001, 10_000, 2 ** 31, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 }));
export const int32 = fc.oneof(fc.constantFrom(0, 1, -1, 1000, 1001, -1000, -1001, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
export const int64 = fc.oneof(fc.constantFrom(0n, 1n, -1n, 2n ** 53n + 1n, I64_MAX, I64_MIN), fc.bigInt(I64_MIN, I64_MAX));
export const uint64 = fc.oneof(fc.constantFrom(0n, 1n, U64_MAX), fc.bigInt(0n, U64_MAX));
export const double = fc.oneof(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 0.5, 1, 1.0000001, 2, 10, 10.0001, -1, 1e308, Number.MIN_VALUE), fc.double());
/** Any number of an open enum, mostly its own values, sometimes one it does not define. */
export const enumOf = (max: number) => fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) });

const nanos = fc.oneof(fc.constantFrom(0, 1, -1, 500_000_000, 999_999_999, 1_000_000_000, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const seconds = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 4n, 5n, 59n, 60n, 61n, 3_600n, 3_601n, 86_400n, 604_800n, 604_801n, 315_576_000_000n, 315_576_000_001n, I64_MAX, I64_MIN),
  fc.bigInt(0n, 100_000n),
  fc.bigInt(I64_MIN, I64_MAX),
);
export const duration = fc.option(fc.record({ seconds, nanos }), { nil: undefined });
export const timestamp = fc.option(
  fc.record({
    seconds: fc.oneof(fc.constantFrom(0n, -1n, NOW_S, NOW_S + 60n, NOW_S - 86_400n, MIN_TS, MIN_TS - 1n, MAX_TS, MAX_TS + 1n, I64_MAX, I64_MIN), fc.bigInt(MIN_TS, MAX_TS), fc.bigInt(I64_MIN, I64_MAX)),
    nanos,
  }),
  { nil: undefined },
);

/** google.protobuf.Struct payloads: small JSON mostly; deep, wide, huge and odd ones sometimes. */
export const struct = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRUCTS) },
) as fc.Arbitrary<Record<string, never>>;
export const optionalStruct = fc.option(struct, { nil: undefined });
/** The job types a worker or a watch names: a few, or more than the 100 a request may name. */
export const jobTypes = fc.oneof({ weight: 8, arbitrary: fc.array(jobType, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(Array.from({ length: 101 }, (_, i) => `t${i}`)) });

/** Ids, leases and page tokens around the rows that exist (fixtures): real ones, near misses, others' and forged ones. */
export function fixtureValues(f: Fixtures) {
  const tweakedIds = [...f.jobIds, ...f.executionIds].flatMap((id) => [id.toUpperCase(), ` ${id}`, id.replace(/-/g, ''), `${id.slice(0, -1)}g`]);
  const anyId = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...f.jobIds, ...f.executionIds) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom(...tweakedIds) },
    { weight: 2, arbitrary: text },
  );
  const jobId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...f.jobIds) }, { weight: 2, arbitrary: anyId });
  const executionId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...f.executionIds) }, { weight: 2, arbitrary: anyId });
  const leaseToken = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...f.leaseTokens, ...f.executionIds) }, { weight: 2, arbitrary: fc.uuid() }, { weight: 1, arbitrary: text });
  /** An execution and a token: its own sometimes (accepted), another's or none most of the time. */
  const lease = fc.oneof(
    { weight: 1, arbitrary: f.leases.length > 0 ? fc.constantFrom(...f.leases) : fc.record({ executionId, leaseToken }) },
    { weight: 6, arbitrary: fc.record({ executionId, leaseToken }) },
  );
  const forgedTokens = f.pageTokens.flatMap((token) => {
    const raw = Buffer.from(token, 'base64url').toString('utf8');
    return [
      `${token.slice(0, -3)}AAA`,
      token.slice(1),
      Buffer.from(raw.replace(/"q":"[^"]*"/, '"q":"AAAAAAAAAAAA"')).toString('base64url'),
      Buffer.from(raw.replace(/:"[0-9a-f-]{36}"/g, ':"\' OR 1=1 --"')).toString('base64url'),
      Buffer.from(raw.replace(/:(\d+)/g, ':1e300')).toString('base64url'),
      Buffer.from(raw.replace(/:(\d+)/g, ':-1')).toString('base64url'),
    ];
  });
  const pageToken = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.constantFrom(...f.pageTokens, ...forgedTokens, 'bm90IGEgdG9rZW4', Buffer.from('null').toString('base64url'), Buffer.from('{"p":{}}').toString('base64url')) },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 80 }) },
    { weight: 1, arbitrary: text },
  );
  return { anyId, jobId, executionId, lease, pageToken };
}
