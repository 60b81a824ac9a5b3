import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const BIG = 66 * 1024;
const big = (seed: string) => seed.repeat(Math.ceil(BIG / seed.length)).slice(0, BIG);
const TYPE = 'hostile.text';
/** The longest status message the service promises to send (src/adapters/grpc/status-table.ts). */
const MAX_STATUS_MESSAGE = 1_000;

/** The status a call ends with (OK as code 0). */
async function outcome(call: Promise<unknown>): Promise<{ code: status; details: string }> {
  try {
    await call;
    return { code: status.OK, details: '' };
  } catch (error) {
    const e = error as ServiceError;
    return { code: e.code, details: e.details };
  }
}

/**
 * Text from callers, where it is cut and where it is echoed. An error message that repeated a
 * 66 kB value whole overflowed the HTTP/2 trailer: the client got no answer and the connection
 * stalled for seconds, taking the other calls on it along. A cut through a surrogate pair made
 * the stored JSON invalid, and the call INTERNAL.
 */
describe('hostile text: bounded echoes and whole-character cuts (real server)', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { SCHEDULER_ENABLED: 'false' } });
  });
  after(() => server.stop());

  const oneShot = () => ({ kind: { case: 'once' as const, value: {} } });
  /** A stalled connection must fail the test, not hang it. */
  const soon = () => ({ deadline: Date.now() + 10_000 });
  const create = (job: Record<string, unknown>) => server.scheduler.createJob({ job: { name: 'hostile', type: TYPE, schedule: oneShot(), ...job } }, soon());

  const hostile: [string, () => Promise<unknown>][] = [
    ['a 66 kB cron expression', () => create({ schedule: { kind: { case: 'cron', value: { expression: big('1 ') } } } })],
    ['a 66 kB time zone', () => create({ schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: big('Europe/') } } } })],
    ['a 66 kB job type', () => create({ type: big('ab cd') })],
    ['a 66 kB label key', () => create({ labels: { [big('k ')]: 'v' } })],
    ['a 66 kB label key holding NUL', () => create({ labels: { [big('k\u0000')]: 'v' } })],
    ['a 66 kB payload key holding NUL', () => create({ payload: { [big('k\u0000')]: 1 } })],
    ['a 66 kB update_mask path', () => server.scheduler.updateJob({ job: { id: '00000000-0000-4000-8000-000000000000', name: 'x' }, updateMask: { paths: [big('name.')] } }, soon())],
    ['a 66 kB id', () => server.scheduler.getJob({ id: big('not-a-uuid') }, soon())],
    ['a 66 kB watch cursor', async () => {
      for await (const _ of server.scheduler.watchExecutions({ cursor: big('9') }, { deadline: Date.now() + 2_000 })) break;
    }],
    ['a 66 kB job type to acquire', () => server.worker.acquireExecutions({ workerId: 'w', jobTypes: [big('a b')], capacity: 1 }, soon())],
    // Each key is short, but the path to the NUL through 30 of them is not (decoding stops at 100 messages deep).
    ['a NUL at the end of a long path through a nested Struct', () => create({ payload: nested(30) })],
  ];

  for (const [what, call] of hostile) {
    it(`${what}: INVALID_ARGUMENT with a message of at most ${MAX_STATUS_MESSAGE} characters, and the connection keeps answering`, async () => {
      const answer = await outcome(call());
      expect(answer.code, answer.details.slice(0, 200)).to.equal(status.INVALID_ARGUMENT);
      expect(answer.details.length).to.be.at.most(MAX_STATUS_MESSAGE);
      // The same client, so the same connection: it answers at once.
      const next = await outcome(server.scheduler.getJob({ id: '00000000-0000-4000-8000-000000000000' }, { deadline: Date.now() + 2_000 }));
      expect(next.code).to.equal(status.NOT_FOUND);
    });
  }

  it('stores an error message of 5,000 astral-plane characters cut to 4,096 characters, on a whole character (FailExecution and ReportOutcomes)', async () => {
    const message = '😀'.repeat(5_000); // 10,000 UTF-16 units; the contract counts characters
    const acquired = [];
    for (let i = 0; i < 2; i += 1) {
      await create({ type: TYPE, retryPolicy: { maxRetries: 0 } });
      await server.useCases.dispatch.runOnce();
    }
    while (acquired.length < 2) {
      acquired.push(...(await server.worker.acquireExecutions({ workerId: 'w', jobTypes: [TYPE], capacity: 2, wait: durationFromMs(2_000) })).executions);
    }
    const [first, second] = acquired;
    await server.worker.failExecution({ executionId: first!.execution!.id, leaseToken: first!.leaseToken, errorMessage: message });
    const { results } = await server.worker.reportOutcomes({
      workerId: 'w',
      outcomes: [{ executionId: second!.execution!.id, leaseToken: second!.leaseToken, outcome: { case: 'failure', value: { errorMessage: message } } }],
    });
    expect(results[0]?.accepted).to.equal(true);
    for (const { execution } of acquired) {
      const stored = (await server.scheduler.getExecution({ id: execution!.id })).execution?.error?.message ?? '';
      expect([...stored].length, 'characters kept').to.equal(4_096);
      expect(stored.endsWith('😀…'), 'ends with a whole character, then the mark').to.equal(true);
      expect([...stored.slice(0, -1)].every((c) => c === '😀')).to.equal(true);
    }
  });
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { bottom: 'nul\u0000' };
  for (let i = 0; i < depth; i += 1) value = { [`level-${'x'.repeat(60)}-${i}`]: value };
  return value;
}
