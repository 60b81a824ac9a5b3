import { create, toBinary, type DescMethod } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import type { Fixtures } from './fuzz-lane.js';
import type { Regression } from './fuzz-regressions.js';
import { deeplyNested, INVALID_UTF8, markedRequests, patched } from './raw-calls.js';

/** One request of a property, as the bytes sent, with what it must get. */
export interface Case {
  /**
   * `kind:index`, unique within an RPC and the same for a seed and case count in every run, so
   * one case can be replayed alone (`--case`). For `generated:N`, N is fast-check's path: the
   * N-th value the RPC's arbitrary draws from the RPC's seed.
   */
  readonly id: string;
  readonly what: string;
  readonly bytes: Uint8Array;
  /** The status it must get, where only one (or only these) is right. */
  readonly expected?: status | readonly status[];
  readonly regression?: Regression;
  /** The request before encoding, where there was one. */
  readonly init?: object;
}

export interface CaseCounts {
  /** Requests drawn from the RPC's arbitrary. */
  readonly generated: number;
  /** Random byte strings, and as many generated requests with 1 to 3 bytes overwritten. */
  readonly raw: number;
}

/** The seed of one RPC's property: the run's seed moved by the RPC's name, so RPCs do not share their random bytes. */
export function rpcSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return (seed + hash) % 2 ** 31;
}

/** A request as JSON (bigints as `123n`, NaN and infinities by name), cut at `max` characters. */
export function show(value: unknown, max = 300, names: ReadonlyMap<string, string> = new Map()): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'string' ? (names.get(v) ?? repeated(v)) : v)) ?? 'undefined';
  } catch {
    text = '(too deeply nested to print)';
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** A long string of one short unit repeated, as `<"1," × 5000>`, so that a huge value reads in a line. */
function repeated(text: string): string {
  if (text.length < 64) return text;
  for (let period = 1; period <= 8; period += 1) {
    const unit = text.slice(0, period);
    if (text.length % period === 0 && unit.repeat(text.length / period) === text) return `<${JSON.stringify(unit)} × ${text.length / period}>`;
  }
  return text;
}

/** Each fixture id and token by where it is in the fixtures (`<leases[2].leaseToken>`), to write a failing request down as a regression. */
export function fixtureNames(f: Fixtures): Map<string, string> {
  const names = new Map<string, string>();
  f.leases.forEach((lease, i) => {
    names.set(lease.executionId, `<leases[${i}].executionId>`);
    names.set(lease.leaseToken, `<leases[${i}].leaseToken>`);
  });
  const rest: [string, readonly string[]][] = [['jobIds', f.jobIds], ['executionIds', f.executionIds], ['leaseTokens', f.leaseTokens], ['pageTokens', f.pageTokens], ['cursors', f.cursors]];
  for (const [list, values] of rest) values.forEach((value, i) => names.has(value) || names.set(value, `<${list}[${i}]>`));
  return names;
}

/**
 * Every case of one RPC, in the order they run: the regression list, the generated requests,
 * random bytes, mutated encodings, invalid UTF-8 in every string, Structs nested too deeply for
 * a recursive decoder, and one message over the receive limit.
 */
export function buildCases(method: DescMethod, seed: number, counts: CaseCounts, arbitrary: fc.Arbitrary<object>, regressions: readonly Regression[]): Case[] {
  const encode = (init: object) => toBinary(method.input, create(method.input, init as never));
  const listed = regressions.map((regression, i) => ({ id: `regression:${i}`, what: show(regression.request), bytes: encode(regression.request), expected: regression.expected, regression, init: regression.request }));
  const generated = fc.sample(arbitrary, { numRuns: counts.generated, seed }).map((init, i) => ({ id: `generated:${i}`, what: show(init), bytes: encode(init), init }));
  const randomBytes = fc.sample(fc.uint8Array({ maxLength: 64 }), { numRuns: counts.raw, seed }).map((bytes, i) => ({ id: `bytes:${i}`, what: `bytes ${Buffer.from(bytes).toString('hex')}`, bytes }));
  const flips = fc.sample(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), { numRuns: generated.length > 0 ? counts.raw : 0, seed });
  const mutated = flips.map((edits, i) => {
    const bytes = Buffer.from(generated[i % generated.length]!.bytes);
    for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
    return { id: `mutated:${i}`, what: `mutated ${bytes.toString('hex').slice(0, 200)}`, bytes };
  });
  // proto3 strings must be UTF-8 and the decoder checks it; a NUL is refused at the edge.
  const invalidUtf8 = [...markedRequests(method.input)]
    .flatMap((init) => INVALID_UTF8.map((replacement) => ({ what: `${show(init)} with bytes ${replacement.toString('hex')} for the marker`, bytes: patched(encode(init), replacement) })))
    .map((c, i) => ({ ...c, id: `utf8:${i}`, expected: status.INVALID_ARGUMENT }));
  const deep = deeplyNested(method).map((bytes, i) => ({ id: `deep:${i}`, what: `a Struct nested deeply (${bytes.length} bytes)`, bytes }));
  // Over GRPC_MAX_RECEIVE_BYTES (4 MiB): refused before any handler runs.
  const oversized = { id: 'oversized:0', what: 'a 5 MiB message', bytes: Buffer.alloc(5 * 2 ** 20, 0x0a) };
  return [...listed, ...generated, ...randomBytes, ...mutated, ...invalidUtf8, ...deep, oversized];
}
