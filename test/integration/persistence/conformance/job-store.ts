import { expect } from 'chai';
import { JOB_STATES } from '../../../../src/domain/job/job-state.js';
import type { Job, JobWithoutPayload } from '../../../../src/domain/job/job.js';
import { pauseJob } from '../../../../src/domain/job/job-operations.js';
import { at, executionOf, jobInState, MINUTE, newJob, orderedId, T0 } from '../support/builders.js';
import { expectDomainError, ids, type ConformanceContext } from './context.js';

/** Reads, locks, the due-job claim and compare-and-set writes of JobStore. */
export function jobStoreConformance(context: ConformanceContext): void {
  describe('JobStore: rows, locks, due jobs, compare-and-set', () => {
    it('reads back a job in every state exactly as written', async () => {
      const jobs = JOB_STATES.map((state) => jobInState(state));
      await context.tx((tx) => tx.jobs.insert(jobs));
      for (const job of jobs) expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
      expect(await context.tx((tx) => tx.jobs.get(orderedId(999)))).to.equal(undefined);
    });

    it('keeps the trace context of the call that created a job', async () => {
      const job = { ...jobInState('scheduled'), traceContext: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=opaque' } };
      await context.tx((tx) => tx.jobs.insert([job]));
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
    });

    it('keeps optional fields, payload, labels and every schedule kind intact', async () => {
      const cron = newJob({ schedule: { kind: 'cron', expression: '0 3 * * *', timeZone: 'Europe/Berlin' }, payload: { url: 'https://example.org', depth: 2, tags: ['a'], nested: { x: null } } });
      const anchored = newJob({ schedule: { kind: 'interval', every: 2, unit: 'hours', anchor: at(-7 * MINUTE) }, attemptTimeoutMs: 90_000, expectSuccessWithinMs: 3_600_000, labels: { team: 'search', env: 'prod' }, priority: -20 });
      const once = newJob({ schedule: { kind: 'once', at: at(30 * MINUTE) }, description: 'one shot' });
      await context.tx((tx) => tx.jobs.insert([cron, anchored, once]));
      for (const job of [cron, anchored, once]) expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
    });

    it('reads many jobs in id order, once each, leaving out missing ids', async () => {
      const [a, b, c] = [1, 2, 3].map((n) => newJob({}, { id: orderedId(n) })) as [Job, Job, Job];
      await context.tx((tx) => tx.jobs.insert([c, a, b]));
      expect(await context.tx((tx) => tx.jobs.getMany([c.id, orderedId(77), a.id, c.id]))).to.deep.equal([a, c]);
      expect(await context.tx((tx) => tx.jobs.getMany([]))).to.deep.equal([]);
    });

    it('reads the name and payload of many jobs by id, leaving out missing ids', async () => {
      const a = newJob({ name: 'nightly report', payload: { day: '2026-01-05', pages: [1, 2] } });
      const b = newJob({ name: 'cleanup' });
      await context.tx((tx) => tx.jobs.insert([a, b]));
      const inputs = await context.tx((tx) => tx.jobs.runInputs([a.id, orderedId(77), b.id, a.id]));
      expect([...inputs.entries()].sort()).to.deep.equal([[a.id, { name: a.name, payload: a.payload }], [b.id, { name: b.name, payload: b.payload }]].sort());
      expect(await context.tx((tx) => tx.jobs.runInputs([]))).to.deep.equal(new Map());
    });

    it('locks existing jobs in id order, once each, leaving out missing ids', async () => {
      const [a, b, c] = [1, 2, 3].map((n) => newJob({}, { id: orderedId(n) })) as [Job, Job, Job];
      await context.tx((tx) => tx.jobs.insert([c, a, b]));
      const locked = await context.tx((tx) => tx.jobs.lock([c.id, orderedId(77), a.id, c.id]));
      expect(locked).to.deep.equal([a, c]);
      expect(await context.tx((tx) => tx.jobs.lock([]))).to.deep.equal([]);
    });

    it('locks jobs without their payloads as lock() does, for settling', async () => {
      const [a, b] = [1, 2].map((n) => newJob({ payload: { url: `https://example.org/${n}`, blob: 'x'.repeat(1000) } }, { id: orderedId(n) })) as [Job, Job];
      await context.tx((tx) => tx.jobs.insert([b, a]));
      const locked = await context.tx((tx) => tx.jobs.lockWithoutPayload([b.id, orderedId(77), a.id, b.id]));
      const withoutPayload = ({ payload: _payload, ...job }: Job | JobWithoutPayload & { payload?: unknown }) => job;
      expect(locked.map(withoutPayload)).to.deep.equal([a, b].map(withoutPayload));
      expect(locked.map((job) => (job as Partial<Job>).payload)).to.deep.equal([undefined, undefined]);
      expect(await context.tx((tx) => tx.jobs.lockWithoutPayload([]))).to.deep.equal([]);
    });

    it('claims due jobs of firing states only, earliest due first, up to the limit (due at now included)', async () => {
      const due = (job: Job, nextRunAt: Date | undefined): Job => ({ ...job, nextRunAt });
      const first = due(jobInState('scheduled'), at(-10 * MINUTE));
      const second = due(jobInState('pending'), at(-5 * MINUTE));
      const third = due(jobInState('running'), at(-1 * MINUTE));
      const atNow = due(jobInState('scheduled'), T0);
      const later = due(jobInState('scheduled'), at(1));
      const idle = (['paused', 'completed', 'failed', 'cancelled'] as const).map((state) => jobInState(state));
      const runningWithoutNext = jobInState('running');
      await context.tx((tx) => tx.jobs.insert([later, atNow, ...idle, third, runningWithoutNext, first, second]));

      expect(ids(await context.tx((tx) => tx.jobs.claimDue(T0, 10)))).to.deep.equal(ids([first, second, third, atNow]));
      expect(ids(await context.tx((tx) => tx.jobs.claimDue(T0, 2)))).to.deep.equal(ids([first, second]));
      expect(await context.tx((tx) => tx.jobs.claimDue(at(-11 * MINUTE), 10))).to.deep.equal([]);
      expect(await context.tx((tx) => tx.jobs.claimDue(T0, 1))).to.deep.equal([first]);
    });

    it('claims jobs due within the lookahead too, except those their overlap policy may still skip', async () => {
      const due = (job: Job, nextRunAt: Date, patch: Partial<Job> = {}): Job => ({ ...job, nextRunAt, ...patch });
      const now = due(jobInState('scheduled'), T0);
      const soon = due(jobInState('scheduled'), at(500));
      const busySkip = due(jobInState('running'), at(600), { overlapPolicy: 'skip', activeOccurrences: 1 });
      const busyAllow = due(jobInState('running'), at(700), { overlapPolicy: 'allow', activeOccurrences: 1 });
      const idleSkip = due(jobInState('scheduled'), at(800), { overlapPolicy: 'skip', activeOccurrences: 0 });
      const beyond = due(jobInState('scheduled'), at(1_001));
      const dueBusySkip = due(jobInState('running'), at(-1), { overlapPolicy: 'skip', activeOccurrences: 1 });
      await context.tx((tx) => tx.jobs.insert([beyond, idleSkip, busyAllow, busySkip, soon, now, dueBusySkip]));

      expect(ids(await context.tx((tx) => tx.jobs.claimDue(T0, 10, at(1_000))))).to.deep.equal(ids([dueBusySkip, now, soon, busyAllow, idleSkip]));
      expect(ids(await context.tx((tx) => tx.jobs.claimDue(T0, 10)))).to.deep.equal(ids([dueBusySkip, now]));
      expect(ids(await context.tx((tx) => tx.jobs.claimDue(at(600), 10, at(600))))).to.deep.equal(ids([dueBusySkip, now, soon, busySkip]));
      expect(await context.tx((tx) => tx.jobs.countDue(at(1_000), 10))).to.equal(6);
      expect(await context.tx((tx) => tx.jobs.countDue(at(1_000), 4))).to.equal(4);
      expect(await context.tx((tx) => tx.jobs.countDue(at(-2), 10))).to.equal(0);
    });

    it('reports the earliest next run of a job that can fire, ignoring idle states', async () => {
      expect(await context.tx((tx) => tx.jobs.nextDueAt())).to.equal(undefined);
      const paused = jobInState('paused');
      await context.tx((tx) => tx.jobs.insert([paused, jobInState('completed')]));
      expect(await context.tx((tx) => tx.jobs.nextDueAt())).to.equal(undefined);
      const soon = { ...jobInState('scheduled'), nextRunAt: at(3 * MINUTE) };
      const sooner = { ...jobInState('running'), nextRunAt: at(2 * MINUTE) };
      await context.tx((tx) => tx.jobs.insert([soon, sooner]));
      expect(await context.tx((tx) => tx.jobs.nextDueAt())).to.deep.equal(at(2 * MINUTE));
    });

    it('writes a change only while the expected version is stored, and reports the ids written', async () => {
      const job = jobInState('scheduled');
      const other = jobInState('scheduled');
      await context.tx((tx) => tx.jobs.insert([job, other]));
      const paused = pauseJob(job, at(MINUTE));
      expect(paused.version).to.equal(job.version + 1);

      expect([...(await context.tx((tx) => tx.jobs.update([{ job: paused, expectedVersion: job.version }])))]).to.deep.equal([job.id]);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(paused);

      // A writer that read version 1 lost the race: nothing is written, the winner's row stays.
      const stale = { ...job, name: 'stale write', version: job.version + 1 };
      const otherPaused = pauseJob(other, at(MINUTE));
      const written = await context.tx((tx) =>
        tx.jobs.update([
          { job: stale, expectedVersion: job.version },
          { job: otherPaused, expectedVersion: other.version },
          { job: newJob(), expectedVersion: 1 },
        ]),
      );
      expect([...written]).to.deep.equal([other.id]);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(paused);
      expect(await context.tx((tx) => tx.jobs.get(other.id))).to.deep.equal(otherPaused);
      expect(await context.tx((tx) => tx.jobs.update([]))).to.deep.equal(new Set());
    });

    it('writes only the state for a state-scoped change, keeping the stored definition', async () => {
      const job = { ...jobInState('scheduled'), payload: { url: 'https://example.org', depth: 3 } };
      await context.tx((tx) => tx.jobs.insert([job]));
      const paused = pauseJob(job, at(MINUTE));
      // The change carries a different definition: a state-scoped write must not store it.
      const different = { ...paused, name: 'not stored', payload: {} };
      const written = await context.tx((tx) => tx.jobs.update([{ job: different, expectedVersion: job.version, scope: 'state' }]));
      expect([...written]).to.deep.equal([job.id]);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(paused);
      // And it is still a compare-and-set on the version.
      expect(await context.tx((tx) => tx.jobs.update([{ job: pauseJob(job, at(2 * MINUTE)), expectedVersion: job.version, scope: 'state' }]))).to.deep.equal(new Set());
    });

    // The state is sent as one array per column: text that array literals quote or escape must
    // come back as written, and a null must stay a null, not the text NULL.
    it('writes state-scoped text and instants exactly, whatever characters the text holds', async () => {
      const texts = ['"quoted", {braced}, back\\slash\\', 'NULL', '', 'tab\tnew\nline ✓ 日本'];
      const jobs = texts.map(() => jobInState('running'));
      await context.tx((tx) => tx.jobs.insert(jobs));
      const failed = jobs.map((job, i) => ({ ...job, lastError: texts[i]!, lastRunAt: at(i * MINUTE + 1), lastSuccessAt: undefined, version: job.version + 1 }));
      const written = await context.tx((tx) => tx.jobs.update(failed.map((job, i) => ({ job, expectedVersion: jobs[i]!.version, scope: 'state' as const }))));
      expect(written.size).to.equal(jobs.length);
      for (const job of failed) expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(job);
    });

    it('deletes only at the expected version, and takes the executions with it', async () => {
      const job = { ...jobInState('scheduled'), executionCount: 2 };
      const executions = [executionOf(job, { number: 1, status: 'succeeded' }), executionOf(job, { number: 2, status: 'queued' })];
      await context.tx(async (tx) => {
        await tx.jobs.insert([job], [{ requestId: 'req-delete', fingerprint: 'f' }]);
        await tx.executions.insert(executions);
      });
      expect(await context.tx((tx) => tx.jobs.delete(job.id, job.version + 1))).to.equal(false);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.deep.equal(job);

      expect(await context.tx((tx) => tx.jobs.delete(job.id, job.version))).to.equal(true);
      expect(await context.tx((tx) => tx.jobs.get(job.id))).to.equal(undefined);
      for (const execution of executions) expect(await context.tx((tx) => tx.executions.get(execution.id))).to.equal(undefined);
      expect((await context.tx((tx) => tx.executions.list({ jobId: job.id }, undefined, 10))).executions).to.deep.equal([]);
      expect(await context.tx((tx) => tx.jobs.findByRequestId('req-delete'))).to.equal(undefined);
      expect(await context.tx((tx) => tx.jobs.delete(job.id, job.version))).to.equal(false);
    });

    it('finds a job by request id; a second job with the same request id is AlreadyExists and rolls back', async () => {
      const job = jobInState('scheduled');
      await context.tx((tx) => tx.jobs.insert([job, newJob()], [{ requestId: 'req-1', fingerprint: 'digest-1' }, undefined]));
      expect(await context.tx((tx) => tx.jobs.findByRequestId('req-1'))).to.deep.equal({ job, fingerprint: 'digest-1' });
      expect(await context.tx((tx) => tx.jobs.findByRequestId('req-2'))).to.equal(undefined);

      const bystander = newJob();
      const duplicate = newJob();
      await expectDomainError(
        context.tx(async (tx) => {
          await tx.jobs.insert([bystander]);
          await tx.jobs.insert([duplicate], [{ requestId: 'req-1', fingerprint: 'digest-2' }]);
        }),
        'AlreadyExists',
      );
      expect(await context.tx((tx) => tx.jobs.get(duplicate.id))).to.equal(undefined);
      expect(await context.tx((tx) => tx.jobs.get(bystander.id))).to.equal(undefined);
      // Within one batch too: all or none.
      const [x, y] = [newJob(), newJob()];
      await expectDomainError(context.tx((tx) => tx.jobs.insert([x, y], [{ requestId: 'req-3', fingerprint: 'a' }, { requestId: 'req-3', fingerprint: 'b' }])), 'AlreadyExists');
      expect(await context.tx((tx) => tx.jobs.get(x.id))).to.equal(undefined);
      expect(await context.tx((tx) => tx.jobs.findByRequestId('req-3'))).to.equal(undefined);
    });

    it('counts jobs by state, with every state present', async () => {
      const empty = await context.tx((tx) => tx.jobs.countByState());
      expect(empty).to.deep.equal(Object.fromEntries(JOB_STATES.map((state) => [state, 0])));
      await context.tx((tx) => tx.jobs.insert([...JOB_STATES.map((state) => jobInState(state)), jobInState('scheduled'), jobInState('paused'), jobInState('paused')]));
      expect(await context.tx((tx) => tx.jobs.countByState())).to.deep.equal({ pending: 1, scheduled: 2, running: 1, paused: 3, completed: 1, failed: 1, cancelled: 1 });
    });
  });
}
