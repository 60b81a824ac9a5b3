import { setTimeout as sleep } from 'node:timers/promises';
import { create, toBinary, type DescMethod } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import fc from 'fast-check';
import { JobSchedulerService } from '../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { READ_ONLY, regressionRequests, requestArbitraries } from './support/fuzz-arbitraries.js';
import { FuzzLane } from './support/fuzz-lane.js';
import { deeplyNested, INVALID_UTF8, markedRequests, patched, RawCaller, type RawAnswer } from './support/raw-calls.js';

/**
 * Hostile input, property-based: for every RPC of both services (enumerated from the generated
 * descriptors; an RPC without a generator fails the suite), FUZZ_CASES generated requests
 * (default 1,000) plus random bytes, mutated encodings and invalid UTF-8 in every string field,
 * all sent as raw bytes. Every answer must be a status other than INTERNAL or UNKNOWN, within the
 * deadline, and a refused request must leave the database as it was. FUZZ_SEED reproduces a run.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 1_000);
const RAW_CASES = Number(process.env.FUZZ_RAW_CASES ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const METHODS: DescMethod[] = [JobSchedulerService, WorkerService].flatMap((service) => service.methods);
const nameOf = (method: DescMethod) => `${method.parent.name}/${method.name}`;
/** Calls that may rightly wait for their deadline: a long poll, a stream of events. */
const WAITS = new Set(['JobSchedulerService/WatchExecutions', 'WorkerService/AcquireExecutions']);
const deadlineOf = (name: string) => (name === 'JobSchedulerService/WatchExecutions' ? 300 : WAITS.has(name) ? 1_000 : 5_000);
/** Read-only RPCs run this many cases at once. */
const WIDTH = 64;

interface Case {
  readonly what: string;
  readonly bytes: Uint8Array;
  /** The one status this case must get, where only one is right. */
  readonly expected?: status;
}

const show = (value: unknown) => {
  let text: string;
  try {
    text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? 'undefined';
  } catch {
    text = '(too deeply nested to print)';
  }
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
};

describe(`hostile input: every RPC, ${CASES} generated requests each and raw bytes (seed ${SEED})`, function () {
  this.timeout(600_000);
  let lane: FuzzLane;
  let raw: RawCaller;

  before(async () => {
    lane = await FuzzLane.start();
    raw = new RawCaller(lane.server.address, [JobSchedulerService, WorkerService]);
  });
  after(async () => {
    raw.close();
    await lane.stop();
  });

  it('has a request generator for every RPC of both services, and none for an RPC that does not exist', async () => {
    const generators = Object.keys(requestArbitraries(await lane.fixtures()));
    const rpcs = METHODS.map(nameOf);
    expect(rpcs.filter((rpc) => !generators.includes(rpc)), 'RPCs without a generator').to.deep.equal([]);
    expect(generators.filter((name) => !rpcs.includes(name)), 'generators of no RPC').to.deep.equal([]);
  });

  /** What is wrong with an answer, if anything. */
  function judge(name: string, answer: RawAnswer, expected?: status): string | undefined {
    if (expected !== undefined && answer.code !== expected) return `answered ${status[answer.code]} (${answer.details.slice(0, 120)}), not ${status[expected]}`;
    if (answer.code === status.INTERNAL || answer.code === status.UNKNOWN) return `answered ${status[answer.code]}: ${answer.details}`;
    if (answer.code === status.DEADLINE_EXCEEDED && !WAITS.has(name)) return `hung: no answer within ${deadlineOf(name)} ms`;
    if (answer.ms > deadlineOf(name) + 3_000) return `hung: answered ${answer.ms} ms after the call, past its deadline`;
    return undefined;
  }

  /** One case at a time: each refused request must leave the database as it was. */
  async function oneByOne(method: DescMethod, cases: Case[], codes: Map<string, number>): Promise<string[]> {
    const name = nameOf(method);
    const failures: string[] = [];
    for (const c of cases) {
      const before = await lane.before();
      const answer = await raw.call(method, c.bytes, deadlineOf(name));
      codes.set(status[answer.code] ?? String(answer.code), (codes.get(status[answer.code] ?? '') ?? 0) + 1);
      // A long poll cut off by its deadline ends on the server a moment later.
      if (answer.code === status.DEADLINE_EXCEEDED) await sleep(20);
      const changed = await lane.changedSince(before);
      const problem = judge(name, answer, c.expected) ?? (answer.code !== status.OK && changed ? `refused (${status[answer.code]}: ${answer.details.slice(0, 120)}) but changed the database` : undefined);
      if (problem) failures.push(`${problem}; request ${c.what}`);
      if (failures.length >= 10) break;
    }
    return failures;
  }

  /** Read-only RPCs, many at once: whatever they answer, the database must not change. */
  async function manyAtOnce(method: DescMethod, cases: Case[], codes: Map<string, number>): Promise<string[]> {
    const name = nameOf(method);
    const failures: string[] = [];
    for (let i = 0; i < cases.length && failures.length < 10; i += WIDTH) {
      const batch = cases.slice(i, i + WIDTH);
      const before = await lane.before();
      const answers = await Promise.all(batch.map((c) => raw.call(method, c.bytes, deadlineOf(name))));
      await sleep(20);
      answers.forEach((answer, j) => {
        codes.set(status[answer.code] ?? String(answer.code), (codes.get(status[answer.code] ?? '') ?? 0) + 1);
        const problem = judge(name, answer, batch[j]!.expected);
        if (problem) failures.push(`${problem}; request ${batch[j]!.what}`);
      });
      if (await lane.changedSince(before)) failures.push(`a read-only RPC changed the database; one of the requests ${batch.map((c) => c.what).join(' | ').slice(0, 2_000)}`);
    }
    return failures;
  }

  METHODS.forEach((method, index) => {
    const name = nameOf(method);
    it(`${name}: never INTERNAL or UNKNOWN, never hung, and a refused request changes nothing`, async () => {
      const fixtures = await lane.fixtures();
      const arbitrary = requestArbitraries(fixtures)[name];
      if (!arbitrary) expect.fail(`${name} has no request generator`);
      const seed = SEED + index;
      const inits = [...(regressionRequests(fixtures)[name] ?? []), ...fc.sample(arbitrary, { numRuns: CASES, seed })];
      const encode = (init: object) => toBinary(method.input, create(method.input, init as never));
      const generated = inits.map((init) => ({ what: show(init), bytes: encode(init) }));
      const randomBytes = fc.sample(fc.uint8Array({ maxLength: 64 }), { numRuns: RAW_CASES, seed }).map((bytes) => ({ what: `bytes ${Buffer.from(bytes).toString('hex')}`, bytes }));
      const flips = fc.sample(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), { numRuns: RAW_CASES, seed });
      const mutated = flips.map((edits, i) => {
        const bytes = Buffer.from(generated[i % generated.length]!.bytes);
        for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
        return { what: `mutated ${bytes.toString('hex').slice(0, 200)}`, bytes };
      });
      // proto3 strings must be UTF-8 and the decoder checks it; a NUL is refused at the edge.
      const invalidUtf8 = [...markedRequests(method.input)].flatMap((init) =>
        INVALID_UTF8.map((replacement) => ({
          what: `${show(init)} with bytes ${replacement.toString('hex')} for the marker`,
          bytes: patched(encode(init), replacement),
          expected: status.INVALID_ARGUMENT,
        })),
      );
      const deep = deeplyNested(method).map((bytes) => ({ what: `a Struct nested deeply (${bytes.length} bytes)`, bytes }));
      // Over GRPC_MAX_RECEIVE_BYTES (4 MiB): refused before any handler runs.
      const oversized = { what: 'a 5 MiB message', bytes: Buffer.alloc(5 * 2 ** 20, 0x0a) };
      const cases = [...generated, ...randomBytes, ...mutated, ...invalidUtf8, ...deep, oversized];
      const codes = new Map<string, number>();
      const failures = READ_ONLY.has(name) ? await manyAtOnce(method, cases, codes) : await oneByOne(method, cases, codes);
      const summary = [...codes].map(([code, n]) => `${code} ${n}`).join(', ');
      console.log(`      ${cases.length} cases (${generated.length} generated, ${invalidUtf8.length} with invalid UTF-8, ${deep.length} nested deeply): ${summary}`);
      expect(failures, `seed ${seed}`).to.deep.equal([]);
    });
  });

  it('leaves the server up and answering', async () => {
    const { metrics } = await lane.server.scheduler.getSchedulerMetrics({});
    expect(metrics).to.not.equal(undefined);
  });
});
