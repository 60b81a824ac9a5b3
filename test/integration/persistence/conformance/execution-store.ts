import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EXECUTION_STATUSES } from '../../../../src/domain/execution/execution-status.js';
import { cancelExecution, startExecution, succeedExecution } from '../../../../src/domain/execution/execution-operations.js';
import type { Execution } from '../../../../src/domain/execution/execution.js';
import type { Job } from '../../../../src/domain/job/job.js';
import { at, DAY, executionOf, jobInState, MINUTE, newJob, orderedId, T0 } from '../support/builders.js';
import { byId, ids, rejection, type ConformanceContext } from './context.js';

/** Inserts, reads and locks of ExecutionStore, and the compare-and-set update. */
export function executionStoreConformance(context: ConformanceContext): void {
  describe('ExecutionStore: rows, uniqueness, locks, compare-and-set', () => {
    let job: Job;
    beforeEach(async () => {
      job = { ...jobInState('running'), attemptTimeoutMs: 120_000, executionCount: 20 };
      await context.tx((tx) => tx.jobs.insert([job]));
    });

    it('reads back an execution in every status exactly as written', async () => {
      const executions = EXECUTION_STATUSES.map((status, i) => executionOf(job, { number: i + 1, status }));
      await context.tx((tx) => tx.executions.insert(executions));
      for (const execution of executions) expect(await context.tx((tx) => tx.executions.get(execution.id))).to.deep.equal(execution);
      expect(await context.tx((tx) => tx.executions.get(randomUUID()))).to.equal(undefined);
    });

    it('keeps the trace context an execution was fired in, with or without a tracestate', async () => {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const executions = [
        { ...executionOf(job, { number: 1 }), traceContext: { traceparent } },
        { ...executionOf(job, { number: 2, status: 'running' }), traceContext: { traceparent, tracestate: 'vendor=opaque' } },
      ];
      await context.tx((tx) => tx.executions.insert(executions));
      for (const execution of executions) expect(await context.tx((tx) => tx.executions.get(execution.id))).to.deep.equal(execution);
    });

    it('reads many executions in id order, once each, leaving out missing ids', async () => {
      const executions = [1, 2, 3].map((number) => executionOf(job, { number }));
      await context.tx((tx) => tx.executions.insert(executions));
      const wanted = [executions[2]!.id, randomUUID(), executions[0]!.id, executions[2]!.id];
      const expected = [executions[0]!, executions[2]!].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(await context.tx((tx) => tx.executions.getMany(wanted))).to.deep.equal(expected);
    });

    it('finds the attempt that followed each execution, of the same occurrence, where there is one', async () => {
      const first = executionOf(job, { number: 1, occurrenceAt: at(MINUTE), attempt: 1, status: 'failed' });
      const retry = executionOf(job, { number: 2, occurrenceAt: at(MINUTE), attempt: 2 });
      const other = executionOf(job, { number: 3, occurrenceAt: at(2 * MINUTE), attempt: 1, status: 'failed' });
      const later = executionOf(job, { number: 4, occurrenceAt: at(3 * MINUTE), attempt: 2 });
      await context.tx((tx) => tx.executions.insert([first, retry, other, later]));
      // Only attempt + 1 of the same occurrence: neither another occurrence's attempt 2 nor the retry's own successor.
      expect(await context.tx((tx) => tx.executions.nextAttempts([first, other, retry]))).to.deep.equal([retry]);
      expect(await context.tx((tx) => tx.executions.nextAttempts([]))).to.deep.equal([]);
    });

    it('rejects a second execution with the same number, or the same occurrence and attempt, and rolls back', async () => {
      const first = executionOf(job, { number: 1, occurrenceAt: at(MINUTE) });
      await context.tx((tx) => tx.executions.insert([first]));
      const bystander = executionOf(job, { number: 5 });
      const sameNumber = executionOf(job, { number: 1, occurrenceAt: at(2 * MINUTE) });
      await rejection(
        context.tx(async (tx) => {
          await tx.executions.insert([bystander]);
          await tx.executions.insert([sameNumber]);
        }),
      );
      const sameAttempt = executionOf(job, { number: 2, occurrenceAt: at(MINUTE), attempt: 1 });
      await rejection(context.tx((tx) => tx.executions.insert([sameAttempt])));
      await rejection(context.tx((tx) => tx.executions.insert([executionOf(newJob(), { number: 1 })])));
      for (const rejected of [bystander, sameNumber, sameAttempt]) expect(await context.tx((tx) => tx.executions.get(rejected.id))).to.equal(undefined);

      // The next attempt of the same occurrence is a different row.
      const retry = executionOf(job, { number: 2, occurrenceAt: at(MINUTE), attempt: 2 });
      await context.tx((tx) => tx.executions.insert([retry]));
      expect(await context.tx((tx) => tx.executions.get(retry.id))).to.deep.equal(retry);
    });

    it('locks executions by id in id order, and the active ones of a job', async () => {
      const rows = EXECUTION_STATUSES.map((status, i) => executionOf(job, { number: i + 1, status, id: orderedId(50 - i) }));
      const elsewhere = { ...jobInState('running'), executionCount: 1 };
      const foreign = executionOf(elsewhere, { number: 1, status: 'queued' });
      await context.tx(async (tx) => {
        await tx.jobs.insert([elsewhere]);
        await tx.executions.insert([...rows, foreign]);
      });
      const [queued, running, succeeded] = rows as [Execution, Execution, Execution];
      expect(await context.tx((tx) => tx.executions.lock([succeeded.id, randomUUID(), queued.id, succeeded.id]))).to.deep.equal(byId([succeeded, queued]));
      expect(await context.tx((tx) => tx.executions.lockActive(job.id))).to.deep.equal(byId([queued, running]));
      expect(await context.tx((tx) => tx.executions.lockActive(randomUUID()))).to.deep.equal([]);
    });

    it('updates only while the expected status (and lease token) still hold, and reports the ids written', async () => {
      const running = executionOf(job, { number: 1, status: 'running', startedAt: T0 });
      const queued = executionOf(job, { number: 2, status: 'queued' });
      await context.tx((tx) => tx.executions.insert([running, queued]));
      const token = running.leaseToken as string;
      const succeeded = succeedExecution(running, at(MINUTE), { ok: true });

      const fenced = await context.tx((tx) =>
        tx.executions.update([
          { execution: succeeded, expectedStatus: 'running', expectedLeaseToken: randomUUID() },
          { execution: { ...succeeded, id: randomUUID() }, expectedStatus: 'running', expectedLeaseToken: token },
        ]),
      );
      expect([...fenced]).to.deep.equal([]);
      expect([...(await context.tx((tx) => tx.executions.update([{ execution: succeeded, expectedStatus: 'queued' }])))]).to.deep.equal([]);
      expect(await context.tx((tx) => tx.executions.get(running.id))).to.deep.equal(running);

      const cancelled = cancelExecution(queued, at(MINUTE), 'operator');
      const written = await context.tx((tx) =>
        tx.executions.update([
          { execution: succeeded, expectedStatus: 'running', expectedLeaseToken: token },
          { execution: cancelled, expectedStatus: 'queued' },
        ]),
      );
      expect([...written].sort()).to.deep.equal([running.id, queued.id].sort());
      expect(await context.tx((tx) => tx.executions.get(running.id))).to.deep.equal(succeeded);
      expect(await context.tx((tx) => tx.executions.get(queued.id))).to.deep.equal(cancelled);
      // The same change again: the status it expected is gone.
      expect([...(await context.tx((tx) => tx.executions.update([{ execution: succeeded, expectedStatus: 'running', expectedLeaseToken: token }])))]).to.deep.equal([]);
      expect(await context.tx((tx) => tx.executions.update([]))).to.deep.equal(new Set());
    });

    it('writes what an execution\'s life changes and keeps what was fixed when it was queued', async () => {
      const running = executionOf(job, { number: 1, status: 'running', startedAt: T0 });
      await context.tx((tx) => tx.executions.insert([running]));
      const succeeded = succeedExecution(running, at(MINUTE), { ok: true });
      const tampered = { ...succeeded, priority: running.priority + 7, scheduledAt: at(DAY), trigger: 'manual_retry' as const };
      const written = await context.tx((tx) => tx.executions.update([{ execution: tampered, expectedStatus: 'running', expectedLeaseToken: running.leaseToken }]));
      expect([...written]).to.deep.equal([running.id]);
      expect(await context.tx((tx) => tx.executions.get(running.id))).to.deep.equal(succeeded);
    });
  });

  describe('ExecutionStore: acquire, leases, heartbeats, expiry', () => {
    let low: Job;
    let high: Job;
    let other: Job;
    beforeEach(async () => {
      low = { ...jobInState('running', { type: 'crawl' }), executionCount: 20 };
      high = { ...jobInState('running', { type: 'crawl' }), priority: 5, attemptTimeoutMs: 120_000, executionCount: 20 };
      other = { ...jobInState('running', { type: 'index' }), executionCount: 20 };
      await context.tx((tx) => tx.jobs.insert([low, high, other]));
    });

    const request = (capacity: number, jobTypes = ['crawl'], now = T0) => ({ workerId: 'worker-7', jobTypes, capacity, leaseDurationMs: 30_000, now });

    it('acquires due queued work of the types, highest priority first, then earliest scheduled, up to capacity', async () => {
      const q = (job: Job, number: number, scheduledAt: Date) => executionOf(job, { number, queuedAt: at(-60 * MINUTE), scheduledAt });
      const lowLate = q(low, 1, at(-3 * MINUTE));
      const lowEarly = q(low, 2, at(-10 * MINUTE));
      const highLatest = q(high, 1, at(-1 * MINUTE));
      const lowAtNow = q(low, 3, T0);
      const lowFuture = q(low, 4, at(1));
      const otherType = q(other, 1, at(-20 * MINUTE));
      const notQueued = executionOf(low, { number: 5, status: 'running', queuedAt: at(-60 * MINUTE), scheduledAt: at(-30 * MINUTE) });
      await context.tx((tx) => tx.executions.insert([lowLate, lowEarly, highLatest, lowAtNow, lowFuture, otherType, notQueued]));

      const tokens: string[] = [];
      const newToken = () => {
        const token = randomUUID();
        tokens.push(token);
        return token;
      };
      const acquired = await context.tx((tx) => tx.executions.acquire(request(3), newToken));
      expect(ids(acquired)).to.deep.equal(ids([highLatest, lowEarly, lowLate]));
      for (const [execution, original] of [
        [acquired[0], highLatest],
        [acquired[1], lowEarly],
        [acquired[2], lowLate],
      ] as [Execution, Execution][]) {
        expect(tokens).to.include(execution.leaseToken);
        // Exactly the domain's startExecution: running, lease = now + duration, deadline = now + attempt timeout.
        expect(execution).to.deep.equal(startExecution(original, 'worker-7', execution.leaseToken as string, 30_000, T0));
        expect(await context.tx((tx) => tx.executions.get(execution.id))).to.deep.equal(execution);
      }
      expect(acquired[0]?.deadlineAt).to.deep.equal(at(120_000));
      expect(acquired[1]?.deadlineAt).to.equal(undefined);
      expect(acquired[1]?.leaseExpiresAt).to.deep.equal(at(30_000));
      expect(new Set(acquired.map((e) => e.leaseToken)).size).to.equal(3);

      expect(ids(await context.tx((tx) => tx.executions.acquire(request(10), randomUUID)))).to.deep.equal([lowAtNow.id]);
      expect(await context.tx((tx) => tx.executions.acquire(request(10), randomUUID))).to.deep.equal([]);
      expect(ids(await context.tx((tx) => tx.executions.acquire(request(10, ['crawl', 'index']), randomUUID)))).to.deep.equal([otherType.id]);
      expect(ids(await context.tx((tx) => tx.executions.acquire(request(10, ['crawl'], at(1)), randomUUID)))).to.deep.equal([lowFuture.id]);
    });

    it('breaks ties of priority and schedule by id', async () => {
      const tied = [3, 1, 2].map((n) => executionOf(low, { number: n, id: orderedId(n), scheduledAt: at(-MINUTE), queuedAt: at(-MINUTE) }));
      await context.tx((tx) => tx.executions.insert(tied));
      expect(ids(await context.tx((tx) => tx.executions.acquire(request(2), randomUUID)))).to.deep.equal([orderedId(1), orderedId(2)]);
    });

    it('reads running executions only under their current lease token (fencing)', async () => {
      const held = executionOf(low, { number: 1, status: 'running', id: orderedId(2) });
      const stolen = executionOf(low, { number: 2, status: 'running' });
      const alsoHeld = executionOf(high, { number: 1, status: 'running', id: orderedId(1) });
      const done = executionOf(low, { number: 3, status: 'succeeded', leaseToken: randomUUID() });
      await context.tx((tx) => tx.executions.insert([held, stolen, alsoHeld, done]));
      const locked = await context.tx((tx) =>
        tx.executions.lockLeased([
          { id: held.id, leaseToken: held.leaseToken as string },
          { id: stolen.id, leaseToken: randomUUID() },
          { id: done.id, leaseToken: randomUUID() },
          { id: randomUUID(), leaseToken: randomUUID() },
          { id: alsoHeld.id, leaseToken: alsoHeld.leaseToken as string },
        ]),
      );
      expect(locked).to.deep.equal([alsoHeld, held]);
      expect(await context.tx((tx) => tx.executions.lockLeased([]))).to.deep.equal([]);
    });

    it('extends held leases by their duration from now, keeps progress when none is sent, and ignores stale tokens', async () => {
      const running = executionOf(low, { number: 1, status: 'running', startedAt: T0, leaseDurationMs: 30_000 });
      const finished = executionOf(low, { number: 2, status: 'failed' });
      await context.tx((tx) => tx.executions.insert([running, finished]));
      const token = running.leaseToken as string;

      const [beat] = await context.tx((tx) => tx.executions.heartbeat([{ id: running.id, leaseToken: token, progress: { pct: 40 } }], at(20_000)));
      expect(beat).to.deep.equal({ ...running, leaseExpiresAt: at(50_000), progress: { pct: 40 } });
      const [kept] = await context.tx((tx) => tx.executions.heartbeat([{ id: running.id, leaseToken: token, progress: undefined }], at(45_000)));
      expect(kept).to.deep.equal({ ...running, leaseExpiresAt: at(75_000), progress: { pct: 40 } });
      expect(await context.tx((tx) => tx.executions.get(running.id))).to.deep.equal(kept);

      const ignored = await context.tx((tx) =>
        tx.executions.heartbeat(
          [
            { id: running.id, leaseToken: randomUUID(), progress: { pct: 99 } },
            { id: finished.id, leaseToken: randomUUID(), progress: undefined },
          ],
          at(60_000),
        ),
      );
      expect(ignored).to.deep.equal([]);
      expect(await context.tx((tx) => tx.executions.get(running.id))).to.deep.equal(kept);
      expect(await context.tx((tx) => tx.executions.heartbeat([], T0))).to.deep.equal([]);
    });

    it('claims running executions whose lease expired or whose deadline passed, up to the limit', async () => {
      // Leases of 30 s from T0 (expire at T0+30 s); the high-priority job's deadline is T0+120 s.
      const lapsed = executionOf(low, { number: 1, status: 'running', startedAt: T0, id: orderedId(3) });
      const overdue = executionOf(high, { number: 1, status: 'running', startedAt: at(-100_000), leaseDurationMs: 600_000, id: orderedId(1) });
      const healthy = executionOf(high, { number: 2, status: 'running', startedAt: at(60_000), leaseDurationMs: 600_000, id: orderedId(2) });
      const atBoundary = executionOf(low, { number: 2, status: 'running', startedAt: at(10_000), id: orderedId(4) });
      const finished = executionOf(low, { number: 3, status: 'lost', startedAt: at(-600_000) });
      await context.tx((tx) => tx.executions.insert([lapsed, overdue, healthy, atBoundary, finished]));

      const now = at(40_000);
      expect(overdue.deadlineAt).to.deep.equal(at(20_000));
      expect(atBoundary.leaseExpiresAt).to.deep.equal(now);
      expect(byId(await context.tx((tx) => tx.executions.claimExpired(now, 10)))).to.deep.equal(byId([lapsed, overdue]));
      expect(await context.tx((tx) => tx.executions.claimExpired(now, 1))).to.have.length(1);
      expect(await context.tx((tx) => tx.executions.claimExpired(at(-1), 10))).to.deep.equal([]);
    });

    it('gives the earliest future schedule of queued work of the types', async () => {
      expect(await context.tx((tx) => tx.executions.nextScheduledAt(['crawl'], T0))).to.equal(undefined);
      await context.tx((tx) =>
        tx.executions.insert([
          executionOf(low, { number: 1, scheduledAt: at(5 * MINUTE), queuedAt: T0 }),
          executionOf(high, { number: 1, scheduledAt: at(2 * MINUTE), queuedAt: T0 }),
          executionOf(other, { number: 1, scheduledAt: at(1 * MINUTE), queuedAt: T0 }),
          executionOf(low, { number: 2, scheduledAt: T0, queuedAt: T0 }),
          executionOf(low, { number: 3, scheduledAt: at(-MINUTE), queuedAt: at(-MINUTE) }),
          executionOf(high, { number: 2, status: 'running', queuedAt: at(MINUTE / 2) }),
        ]),
      );
      expect(await context.tx((tx) => tx.executions.nextScheduledAt(['crawl'], T0))).to.deep.equal(at(2 * MINUTE));
      expect(await context.tx((tx) => tx.executions.nextScheduledAt(['crawl', 'index'], T0))).to.deep.equal(at(MINUTE));
      expect(await context.tx((tx) => tx.executions.nextScheduledAt(['crawl'], at(3 * MINUTE)))).to.deep.equal(at(5 * MINUTE));
      expect(await context.tx((tx) => tx.executions.nextScheduledAt(['mail'], T0))).to.equal(undefined);
    });
  });
}
