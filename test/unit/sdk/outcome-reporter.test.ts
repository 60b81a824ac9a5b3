import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import sinon from 'sinon';
import type { WorkerClient } from '../../../src/adapters/grpc/client/index.js';
import { Lease, LeaseRegistry } from '../../../src/sdk/leases.js';
import type { LogLevel } from '../../../src/sdk/logger.js';
import { OutcomeReporter } from '../../../src/sdk/outcome-reporter.js';
import { successOf } from '../../../src/sdk/outcome-values.js';

interface Sent {
  executionId: string;
}

/** A WorkerClient whose ReportOutcomes answers from a script, recording each call's outcomes. */
function fakeClient(answer: (ids: string[], call: number) => Promise<{ results: { executionId: string; accepted: boolean; code: number; message: string }[] }>) {
  const calls: string[][] = [];
  const client = {
    reportOutcomes: async (request: { outcomes: Sent[] }) => {
      const ids = request.outcomes.map((o) => o.executionId);
      calls.push(ids);
      return answer(ids, calls.length);
    },
  } as unknown as WorkerClient;
  return { client, calls };
}

const accepted = (ids: string[]) => Promise.resolve({ results: ids.map((executionId) => ({ executionId, accepted: true, code: 0, message: '' })) });

describe('worker SDK: outcome reporter', () => {
  let leases: LeaseRegistry;
  let log: Array<[LogLevel, string]>;
  const logger = (level: LogLevel, message: string) => log.push([level, message]);
  const lease = (id: string) => {
    const l = new Lease(id, `token-${id}`, Date.now() + 30_000);
    leases.add(l);
    return l;
  };
  beforeEach(() => {
    leases = new LeaseRegistry();
    log = [];
  });

  it('sends full batches at once and the rest after the delay, then releases the leases', async () => {
    const { client, calls } = fakeClient(accepted);
    const reporter = new OutcomeReporter(client, leases, { workerId: 'w', batchSize: 2, delayMs: 20, callTimeoutMs: 1_000 }, logger);
    for (const id of ['a', 'b', 'c']) reporter.report(lease(id), successOf({ id }));
    expect(calls).to.deep.equal([['a', 'b']]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls).to.deep.equal([['a', 'b'], ['c']]);
    await reporter.drain();
    expect(leases.size).to.equal(0);
    expect(log).to.deep.equal([]);
  });

  it('logs refused outcomes instead of throwing', async () => {
    const { client } = fakeClient(async (ids) => ({ results: ids.map((executionId) => ({ executionId, accepted: false, code: status.FAILED_PRECONDITION, message: 'lease lost' })) }));
    const reporter = new OutcomeReporter(client, leases, { workerId: 'w', batchSize: 10, delayMs: 0, callTimeoutMs: 1_000 }, logger);
    reporter.report(lease('a'), successOf(undefined));
    await reporter.drain();
    expect(log).to.deep.equal([['warn', 'outcome refused by the server']]);
    expect(leases.size).to.equal(0);
  });

  it('retries a batch after a transient failure', async () => {
    const { client, calls } = fakeClient((ids, call) => (call === 1 ? Promise.reject(Object.assign(new Error('unavailable'), { code: status.UNAVAILABLE })) : accepted(ids)));
    const reporter = new OutcomeReporter(client, leases, { workerId: 'w', batchSize: 10, delayMs: 0, callTimeoutMs: 1_000 }, logger);
    reporter.report(lease('a'), successOf(undefined));
    await reporter.drain();
    expect(calls).to.deep.equal([['a'], ['a']]);
    expect(log.map(([level]) => level)).to.deep.equal(['warn']);
  });

  it('keeps retrying a transient failure for as long as the lease lasts, however many calls that takes', async () => {
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      // The database is away for 20 s: every call fails until then.
      const back = Date.now() + 20_000;
      const unavailable = () => Promise.reject(Object.assign(new Error('the database is unavailable'), { code: status.UNAVAILABLE }));
      const { client, calls } = fakeClient((ids) => (Date.now() < back ? unavailable() : accepted(ids)));
      const reporter = new OutcomeReporter(client, leases, { workerId: 'w', batchSize: 10, delayMs: 0, callTimeoutMs: 1_000 }, logger);
      reporter.report(lease('a'), successOf(undefined));
      const drained = reporter.drain();
      for (let t = 0; t < 25_000; t += 500) await clock.tickAsync(500);
      await drained;
      expect(calls.length).to.be.greaterThan(8);
      expect(log.filter(([level]) => level === 'error')).to.deep.equal([]);
      expect(leases.size).to.equal(0);
    } finally {
      clock.restore();
    }
  });

  it('gives up on a transient failure once the lease has expired (the server retries the execution then)', async () => {
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { client } = fakeClient(() => Promise.reject(Object.assign(new Error('unavailable'), { code: status.UNAVAILABLE })));
      const reporter = new OutcomeReporter(client, leases, { workerId: 'w', batchSize: 10, delayMs: 0, callTimeoutMs: 1_000 }, logger);
      reporter.report(lease('a'), successOf(undefined));
      const drained = reporter.drain();
      for (let t = 0; t < 35_000; t += 500) await clock.tickAsync(500);
      await drained;
      expect(log.at(-1)).to.deep.equal(['error', 'outcomes not delivered; their leases will expire and the server will retry them']);
      expect(leases.size).to.equal(0);
    } finally {
      clock.restore();
    }
  });

  it('gives up at once on a failure that retrying cannot fix', async () => {
    const { client, calls } = fakeClient(() => Promise.reject(Object.assign(new Error('bad'), { code: status.INVALID_ARGUMENT })));
    const reporter = new OutcomeReporter(client, leases, { workerId: 'w', batchSize: 10, delayMs: 0, callTimeoutMs: 1_000 }, logger);
    reporter.report(lease('a'), successOf(undefined));
    await reporter.drain();
    expect(calls).to.have.length(1);
    expect(log.map(([level]) => level)).to.deep.equal(['error']);
    expect(leases.size).to.equal(0);
  });
});
