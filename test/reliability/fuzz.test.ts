import { setTimeout as sleep } from 'node:timers/promises';
import { type DescMethod } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { JobSchedulerService } from '../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { WebhookService } from '../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { QuotaService } from '../../src/gen/jobscheduler/v1/quota_service_pb.js';
import { answerProblems, decodeAnswer } from './support/fuzz-answers.js';
import { buildCases, fixtureNames, rpcSeed, show, type Case } from './support/fuzz-cases.js';
import { JOB_SCHEDULER_READ_ONLY, jobSchedulerRequests } from './support/fuzz-job-scheduler-requests.js';
import { FuzzLane, type Fixtures } from './support/fuzz-lane.js';
import { QUOTA_READ_ONLY, quotaRequests } from './support/fuzz-quota-requests.js';
import { regressionRequests } from './support/fuzz-regressions.js';
import { WEBHOOK_READ_ONLY, webhookRequests } from './support/fuzz-webhook-requests.js';
import { workerRequests } from './support/fuzz-worker-requests.js';
import { RawCaller, type RawAnswer } from './support/raw-calls.js';

/**
 * Hostile input, property-based: for every RPC of every service (enumerated from the generated
 * descriptors; an RPC without a generator fails the suite), the regression list
 * (support/fuzz-regressions.ts), FUZZ_CASES generated requests (default 1,000), random bytes,
 * mutated encodings and invalid UTF-8 in every string field, all sent as raw bytes. Every answer
 * must be a status other than INTERNAL or UNKNOWN, within the deadline, with a status message of
 * at most 1 KiB and Timestamps within 0001..9999, and a refused request must leave the database
 * as it was.
 *
 * `npm test` draws from FIXED_SEED, so it runs the same cases every time; `npm run test:fuzz`
 * draws a new seed per run (scripts/test-reliability.mjs). Every failure prints the command that
 * replays it: FUZZ_RPC keeps one RPC (or several, comma-separated), FUZZ_CASE one case of it.
 */
const FIXED_SEED = 20_261_204;
const CASES = Number(process.env.FUZZ_CASES ?? 1_000);
const DEFAULT_RAW_CASES = 150;
const RAW_CASES = Number(process.env.FUZZ_RAW_CASES ?? DEFAULT_RAW_CASES);
const SEED = Number(process.env.FUZZ_SEED || FIXED_SEED);
const ONLY_RPCS = process.env.FUZZ_RPC ? process.env.FUZZ_RPC.split(',') : undefined;
const ONLY_CASE = process.env.FUZZ_CASE || undefined;
/** An RPC's run stops after this many failing cases (a long run raises it to see past the known ones). */
const MAX_FAILURES = Number(process.env.FUZZ_MAX_FAILURES ?? 10);
for (const [name, value] of [['FUZZ_SEED', SEED], ['FUZZ_CASES', CASES], ['FUZZ_RAW_CASES', RAW_CASES], ['FUZZ_MAX_FAILURES', MAX_FAILURES]] as const) {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(process.env[name])}`);
}

const ALL_METHODS: DescMethod[] = [JobSchedulerService, WorkerService, WebhookService, QuotaService].flatMap((service) => service.methods);
const nameOf = (method: DescMethod) => `${method.parent.name}/${method.name}`;
const unknownRpcs = (ONLY_RPCS ?? []).filter((name) => !ALL_METHODS.some((m) => nameOf(m) === name));
if (unknownRpcs.length > 0) throw new Error(`FUZZ_RPC names no RPC: ${unknownRpcs.join(', ')}; the RPCs are ${ALL_METHODS.map(nameOf).join(', ')}`);
const METHODS = ALL_METHODS.filter((m) => !ONLY_RPCS || ONLY_RPCS.includes(nameOf(m)));

/** Every RPC's request generator, around the rows that exist (fixtures). */
const requestArbitraries = (f: Fixtures) => ({ ...jobSchedulerRequests(f), ...workerRequests(f), ...webhookRequests(f), ...quotaRequests() });
/** RPCs that only read: they run many cases at once, and must leave the database as it was whatever they answer. */
const READ_ONLY = new Set([...JOB_SCHEDULER_READ_ONLY, ...WEBHOOK_READ_ONLY, ...QUOTA_READ_ONLY]);

/** Calls that may rightly wait for their deadline: a long poll, a stream of events. */
const WAITS = new Set(['JobSchedulerService/WatchExecutions', 'WorkerService/AcquireExecutions']);
const deadlineOf = (name: string) => (name === 'JobSchedulerService/WatchExecutions' ? 300 : WAITS.has(name) ? 1_000 : 5_000);
/** Read-only RPCs run this many cases at once. */
const WIDTH = 64;

/** The command that replays this run's cases of one RPC, or one case alone. */
function replay(name: string, caseId?: string): string {
  const raw = RAW_CASES === DEFAULT_RAW_CASES ? [] : [`--raw-cases ${RAW_CASES}`];
  return ['npm run test:fuzz --', `--seed ${SEED}`, `--rpc ${name}`, `--cases ${CASES}`, ...raw, ...(caseId ? [`--case ${caseId}`] : [])].join(' ');
}

const describeRun = `hostile input: ${ONLY_RPCS ? ONLY_RPCS.join(', ') : 'every RPC'}, ${CASES} generated requests each, the regression list and raw bytes (seed ${SEED}${ONLY_CASE ? `, case ${ONLY_CASE} only` : ''})`;

describe(describeRun, function () {
  // Generous (an RPC's 10,000 cases take about two minutes), but a bound: a stuck run fails instead of stalling CI.
  this.timeout(Math.max(600_000, CASES * 60));
  let lane: FuzzLane;
  let raw: RawCaller;
  const metrics = JobSchedulerService.method.getSchedulerMetrics;

  before(async () => {
    lane = await FuzzLane.start();
    raw = new RawCaller(lane.server.address, [JobSchedulerService, WorkerService, WebhookService, QuotaService]);
  });
  /** A new connection, after one stopped answering, so that the cases after the culprit are not blamed for it. */
  const reconnect = () => {
    raw.close();
    raw = new RawCaller(lane.server.address, [JobSchedulerService, WorkerService, WebhookService, QuotaService]);
  };
  after(async () => {
    raw.close();
    await lane.stop();
  });

  it('has a request generator for every RPC of every service, and none for an RPC that does not exist', async () => {
    const fixtures = await lane.fixtures();
    const generators = Object.keys(requestArbitraries(fixtures));
    const rpcs = ALL_METHODS.map(nameOf);
    expect(rpcs.filter((rpc) => !generators.includes(rpc)), 'RPCs without a generator').to.deep.equal([]);
    expect(generators.filter((name) => !rpcs.includes(name)), 'generators of no RPC').to.deep.equal([]);
    expect(Object.keys(regressionRequests(fixtures)).filter((name) => !rpcs.includes(name)), 'regressions of no RPC').to.deep.equal([]);
  });

  /** What is wrong with an answer, if anything. */
  function judge(method: DescMethod, answer: RawAnswer, c: Case): string[] {
    const name = nameOf(method);
    const expected = c.expected === undefined ? undefined : ([] as status[]).concat(c.expected);
    if (expected && !expected.includes(answer.code)) return [`answered ${status[answer.code]} (${answer.details.slice(0, 120)}), not ${expected.map((code) => status[code]).join(' or ')}`];
    if (answer.code === status.INTERNAL || answer.code === status.UNKNOWN) return [`answered ${status[answer.code]}: ${answer.details.slice(0, 300)}`];
    if (answer.code === status.DEADLINE_EXCEEDED && !WAITS.has(name)) return [`hung: no answer within ${deadlineOf(name)} ms`];
    if (answer.ms > deadlineOf(name) + 3_000) return [`hung: answered ${answer.ms} ms after the call, past its deadline`];
    return answerProblems(method, answer);
  }

  /** What else a regression case asks: its own checks, and a connection that still answers. */
  async function followUp(method: DescMethod, answer: RawAnswer, c: Case): Promise<string[]> {
    const problems: string[] = [];
    const check = c.regression?.check;
    if (check) {
      const problem = await check(decodeAnswer(method, answer).messages, lane);
      if (problem) problems.push(problem);
    }
    if (c.regression?.thenConnectionAnswers) {
      const next = await raw.call(metrics, new Uint8Array(), 2_000);
      if (next.code !== status.OK) {
        problems.push(`the next call on the same connection answered ${status[next.code]} (${next.details.slice(0, 120)}) after ${next.ms} ms`);
        reconnect();
      }
    }
    return problems;
  }

  const failure = (name: string, c: Case, problem: string) => {
    const line = `${c.id}: ${problem}; request ${c.what}${c.regression ? ` [regression: ${c.regression.found}]` : ''}\n        replay: ${replay(name, c.id)}`;
    console.log(`      FAILED ${name} ${line}`);
    return line;
  };

  /** One case at a time: each refused request (any request, for a read-only RPC) must leave the database as it was. */
  async function oneByOne(method: DescMethod, cases: readonly Case[], codes: Map<string, number>, failures: string[]): Promise<void> {
    const name = nameOf(method);
    for (const c of cases) {
      const before = await lane.before();
      const answer = await raw.call(method, c.bytes, deadlineOf(name));
      count(codes, answer);
      // A long poll cut off by its deadline ends on the server a moment later.
      if (answer.code === status.DEADLINE_EXCEEDED) await sleep(20);
      if (answer.code === status.DEADLINE_EXCEEDED && !WAITS.has(name) && !c.regression?.thenConnectionAnswers) reconnect();
      const problems = [...judge(method, answer, c), ...(await followUp(method, answer, c))];
      // Always compared, so that the next case is compared with the state this one left.
      const changed = await lane.changedSince(before);
      if (changed && (answer.code !== status.OK || READ_ONLY.has(name))) {
        problems.push(`${answer.code === status.OK ? 'a read-only RPC' : `refused (${status[answer.code]}: ${answer.details.slice(0, 120)}) but`} changed the database`);
      }
      if (problems.length > 0) failures.push(failure(name, c, problems.join('; ')));
      if (failures.length >= MAX_FAILURES) return;
    }
  }

  /** Read-only RPCs, many at once: whatever they answer, the database must not change. */
  async function manyAtOnce(method: DescMethod, cases: readonly Case[], codes: Map<string, number>, failures: string[]): Promise<void> {
    const name = nameOf(method);
    for (let i = 0; i < cases.length && failures.length < MAX_FAILURES; i += WIDTH) {
      const batch = cases.slice(i, i + WIDTH);
      const before = await lane.before();
      const answers = await Promise.all(batch.map((c) => raw.call(method, c.bytes, deadlineOf(name))));
      await sleep(20);
      if (!WAITS.has(name) && answers.some((answer) => answer.code === status.DEADLINE_EXCEEDED)) reconnect();
      answers.forEach((answer, j) => {
        count(codes, answer);
        const problems = judge(method, answer, batch[j]!);
        if (problems.length > 0) failures.push(failure(name, batch[j]!, problems.join('; ')));
      });
      if (await lane.changedSince(before)) {
        const line = `cases ${batch[0]!.id} to ${batch.at(-1)!.id}: a read-only RPC changed the database; one of the requests ${batch.map((c) => c.what).join(' | ').slice(0, 2_000)}\n        replay: ${replay(name)}`;
        console.log(`      FAILED ${name} ${line}`);
        failures.push(line);
      }
    }
  }

  for (const method of METHODS) {
    const name = nameOf(method);
    it(`${name}: never INTERNAL or UNKNOWN, never hung, bounded status messages and Timestamps, and a refused request changes nothing`, async () => {
      const fixtures = await lane.fixtures();
      const arbitrary = requestArbitraries(fixtures)[name];
      if (!arbitrary) expect.fail(`${name} has no request generator`);
      const all = buildCases(method, rpcSeed(SEED, name), { generated: CASES, raw: RAW_CASES }, arbitrary, regressionRequests(fixtures)[name] ?? []);
      const cases = ONLY_CASE ? all.filter((c) => c.id === ONLY_CASE) : all;
      if (cases.length === 0) expect.fail(`${name} has no case ${ONLY_CASE}: its cases run from ${all[0]!.id} to ${all.at(-1)!.id}`);
      // A case replayed alone is printed whole, with the fixture ids it holds named, ready to be written down as a regression.
      if (ONLY_CASE) console.log(`      ${ONLY_CASE}: ${cases[0]!.init ? show(cases[0]!.init, 20_000, fixtureNames(fixtures)) : Buffer.from(cases[0]!.bytes).toString('hex').slice(0, 20_000)}`);
      const codes = new Map<string, number>();
      const failures: string[] = [];
      // Regression cases one by one even for read-only RPCs, so that a case that breaks the connection is the one blamed.
      const listed = cases.filter((c) => c.regression);
      const rest = cases.filter((c) => !c.regression);
      await oneByOne(method, listed, codes, failures);
      if (READ_ONLY.has(name)) await manyAtOnce(method, rest, codes, failures);
      else await oneByOne(method, rest, codes, failures);
      const summary = [...codes].map(([code, n]) => `${code} ${n}`).join(', ');
      const kinds = (kind: string) => cases.filter((c) => c.id.startsWith(`${kind}:`)).length;
      console.log(`      ${cases.length} cases (${kinds('regression')} listed, ${kinds('generated')} generated, ${kinds('utf8')} with invalid UTF-8, ${kinds('deep')} nested deeply): ${summary}`);
      if (failures.length > 0) {
        expect.fail(`${failures.length}${failures.length >= MAX_FAILURES ? ` (or more: the run stops at ${MAX_FAILURES})` : ''} failing cases of ${name}, seed ${SEED}:\n      ${failures.join('\n      ')}\n      (a case that needs the ones before it replays with the whole run of the RPC: ${replay(name)})`);
      }
    });
  }

  it('leaves the server up and answering', async () => {
    const { metrics } = await lane.server.scheduler.getSchedulerMetrics({});
    expect(metrics).to.not.equal(undefined);
  });
});

function count(codes: Map<string, number>, answer: RawAnswer): void {
  const code = status[answer.code] ?? String(answer.code);
  codes.set(code, (codes.get(code) ?? 0) + 1);
}
