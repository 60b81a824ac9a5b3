import { expect } from 'chai';
import { status, type ServiceError } from '@grpc/grpc-js';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { OccurrenceOutcome, type Occurrence } from '../../../src/gen/jobscheduler/v1/occurrence_pb.js';
import { OutsideWindowPolicy, OverlapPolicy } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { TestDatabase } from '../../support/test-database.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, cron, engineServer, everyMinutes, executionsOf, isoOf, MINUTE, newClock, once, tick } from './engine-harness.js';
import { lateMorning } from './window-fixtures.js';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const afterUpstream = { kind: { case: 'afterUpstream', value: {} } };

/** An entry as [slot, last slot, count, outcome name, …what else the test looks at]. */
function brief(o: Occurrence): unknown[] {
  return [isoOf(o.slotAt), isoOf(o.lastSlotAt), Number(o.slotCount), OccurrenceOutcome[o.outcome], ...(o.deferredTo ? [isoOf(o.deferredTo)] : [])];
}

describe('engine: the occurrence ledger (ListOccurrences)', function () {
  this.timeout(60_000);
  let clock: FakeClock;
  let server: TestServer;

  async function ledger(jobId: string, range: { from?: Date; to?: Date } = {}): Promise<Occurrence[]> {
    const { occurrences } = await server.scheduler.listOccurrences({
      jobId,
      ...(range.from ? { from: timestampFromDate(range.from) } : {}),
      ...(range.to ? { to: timestampFromDate(range.to) } : {}),
      pageSize: 500,
    });
    return occurrences;
  }

  describe('on one replica', () => {
    beforeEach(async () => {
      clock = newClock();
      server = await engineServer(clock);
    });
    afterEach(async () => server.stop());

    it('answers "why did my job not run?": fired, skipped by a window (a run of slots as one entry), run by an operator', async () => {
      const job = await createJob(server, { schedule: cron('0 * * * *'), overlapPolicy: OverlapPolicy.ALLOW, executionWindows: lateMorning({ outsidePolicy: OutsideWindowPolicy.SKIP }) });
      for (let hour = 0; hour < 4; hour += 1) await tick(server, clock, HOUR); // 09:00 … 12:00 UTC
      clock.advance(30 * MINUTE);
      await server.scheduler.runJob({ id: job.id });
      const entries = await ledger(job.id);
      const [fired] = await executionsOf(server, job.id);
      expect(entries.map(brief)).to.deep.equal([
        ['2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z', 1, 'SKIPPED_BY_WINDOW'],
        ['2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', 1, 'FIRED'],
        ['2026-03-02T11:00:00.000Z', '2026-03-02T12:00:00.000Z', 2, 'SKIPPED_BY_WINDOW'],
        ['2026-03-02T12:30:00.000Z', '2026-03-02T12:30:00.000Z', 1, 'RUN_BY_OPERATOR'],
      ]);
      expect([entries[1]?.executionId, entries[1]?.executionStatus, entries[1]?.attempts, entries[1]?.waitingReason]).to.deep.equal([fired?.id, ExecutionStatus.QUEUED, 1, '']);
      expect(entries[0]?.executionId).to.equal('');
      // A range selects the slots in [from, to); a run is listed when it meets the range.
      expect((await ledger(job.id, { from: new Date('2026-03-02T11:30:00Z'), to: new Date('2026-03-02T12:30:00Z') })).map(brief)).to.deep.equal([entries[2]].map((e) => brief(e as Occurrence)));
    });

    it('records a window deferral (with the time it was deferred to) and an overlap skip', async () => {
      const job = await createJob(server, { schedule: cron('0 * * * *'), executionWindows: lateMorning() });
      await tick(server, clock, HOUR); // 09:00: deferred to 10:00
      await tick(server, clock, HOUR); // 10:00: the deferred occurrence is still queued, overlap SKIP
      expect((await ledger(job.id)).map(brief)).to.deep.equal([
        ['2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z', 1, 'DEFERRED_BY_WINDOW', '2026-03-02T10:00:00.000Z'],
        ['2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', 1, 'SKIPPED_BY_OVERLAP'],
      ]);
    });

    it('records slots missed while paused as one entry with a count and a range', async () => {
      const job = await createJob(server, { schedule: everyMinutes(1) });
      await server.scheduler.pauseJob({ id: job.id });
      clock.advance(3 * DAY + 30_000);
      await server.scheduler.resumeJob({ id: job.id });
      await tick(server, clock, 0);
      const entries = await ledger(job.id);
      expect(entries.map(brief)).to.deep.equal([
        ['2026-03-02T08:01:00.000Z', '2026-03-05T07:59:00.000Z', 3 * 1440 - 1, 'MISSED_NOT_CAUGHT_UP'],
        ['2026-03-05T08:00:00.000Z', '2026-03-05T08:00:00.000Z', 1, 'FIRED'],
      ]);
    });

    it('records an occurrence triggered by upstream jobs with the upstream executions', async () => {
      const upstream = await createJob(server, { name: 'A', schedule: once() });
      const downstream = await createJob(server, { name: 'B', schedule: afterUpstream, dependsOn: [{ jobId: upstream.id }] });
      const [a] = await acquire(server);
      await complete(server, a!);
      const [entry] = await ledger(downstream.id);
      expect([OccurrenceOutcome[entry?.outcome ?? 0], entry?.upstreamExecutionIds]).to.deep.equal(['TRIGGERED_BY_UPSTREAM', [a?.execution?.id]]);
    });

    it('pages through the entries, and refuses a bad range, a foreign token and an unknown job', async () => {
      const job = await createJob(server, { schedule: everyMinutes(1), overlapPolicy: OverlapPolicy.ALLOW });
      for (let i = 0; i < 5; i += 1) await tick(server, clock, MINUTE);
      const seen: string[] = [];
      let pageToken = '';
      do {
        const page = await server.scheduler.listOccurrences({ jobId: job.id, pageSize: 2, pageToken });
        seen.push(...page.occurrences.map((o) => isoOf(o.slotAt) as string));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).to.deep.equal(['08:01', '08:02', '08:03', '08:04', '08:05'].map((t) => `2026-03-02T${t}:00.000Z`));
      const refused = async (request: Parameters<TestServer['scheduler']['listOccurrences']>[0]) => (await server.scheduler.listOccurrences(request).catch((e: ServiceError) => e)) as ServiceError;
      const backwards = await refused({ jobId: job.id, from: timestampFromDate(new Date('2026-03-02T09:00:00Z')), to: timestampFromDate(new Date('2026-03-02T08:00:00Z')) });
      expect([backwards.code, backwards.details]).to.deep.equal([status.INVALID_ARGUMENT, 'to (2026-03-02T08:00:00.000Z) must be later than from (2026-03-02T09:00:00.000Z)']);
      const first = await server.scheduler.listOccurrences({ jobId: job.id, pageSize: 1 });
      const foreign = await refused({ jobId: job.id, from: timestampFromDate(new Date('2026-03-02T08:00:00Z')), pageToken: first.nextPageToken });
      expect(foreign.code).to.equal(status.INVALID_ARGUMENT);
      const unknown = await refused({ jobId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.code).to.equal(status.NOT_FOUND);
    });
  });

  describe('retention', () => {
    beforeEach(async () => {
      clock = newClock();
      server = await engineServer(clock, undefined, { RETENTION_KEEP_FOR: '1h', RETENTION_KEEP_PER_JOB: '0' });
    });
    afterEach(async () => server.stop());

    it('prunes ledger rows older than the history age limit, with the executions', async () => {
      const job = await createJob(server, { schedule: cron('0 * * * *'), executionWindows: lateMorning({ outsidePolicy: OutsideWindowPolicy.SKIP }) });
      await tick(server, clock, HOUR); // 09:00 skipped
      expect(await ledger(job.id)).to.have.length(1);
      clock.advance(30 * MINUTE);
      expect((await server.useCases.prune.runOnce()).occurrences).to.equal(0);
      clock.advance(31 * MINUTE);
      expect((await server.useCases.prune.runOnce()).occurrences).to.equal(1);
      expect(await ledger(job.id)).to.have.length(0);
    });
  });

  describe('on two replicas', () => {
    let database: TestDatabase;
    let replicas: TestServer[];
    before(async () => {
      database = await TestDatabase.create();
      clock = newClock();
      replicas = await Promise.all([0, 1].map(() => engineServer(clock, database)));
      server = replicas[0] as TestServer;
    });
    after(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await database.drop();
    });

    it('records and fires each window deferral and skip exactly once when both dispatchers run at once', async () => {
      const jobs = [];
      for (let i = 0; i < 40; i += 1) {
        jobs.push(await createJob(replicas[i % 2] as TestServer, { schedule: cron('0 * * * *'), executionWindows: lateMorning({ outsidePolicy: i % 2 === 0 ? OutsideWindowPolicy.DEFER : OutsideWindowPolicy.SKIP }) }));
      }
      clock.advance(HOUR);
      await Promise.all(replicas.flatMap((r) => [r.useCases.dispatch.runUntilIdle(), r.useCases.dispatch.runUntilIdle()]));
      for (const [i, job] of jobs.entries()) {
        const entries = (await ledger(job.id)).map(brief);
        expect(entries).to.deep.equal([
          i % 2 === 0
            ? ['2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z', 1, 'DEFERRED_BY_WINDOW', '2026-03-02T10:00:00.000Z']
            : ['2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z', 1, 'SKIPPED_BY_WINDOW'],
        ]);
        expect(await executionsOf(server, job.id)).to.have.length(i % 2 === 0 ? 1 : 0);
      }
    });
  });
});
