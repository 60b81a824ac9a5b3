import { expect } from 'chai';
import { CatchUpPolicy, OverlapPolicy } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import type { FakeClock } from '../../support/fake-clock.js';
import { TestDatabase } from '../../support/test-database.js';
import type { TestServer } from '../../support/test-server.js';
import { acquire, complete, createJob, engineServer, everyMinutes, executionsOf, isoOf, jobOf, MINUTE, newClock, tick } from './engine-harness.js';

const HOUR = 60 * MINUTE;

describe('engine: overlap and catch-up (real PostgreSQL, fake clock)', () => {
  let clock: FakeClock;
  let server: TestServer;
  beforeEach(async () => {
    clock = newClock();
    server = await engineServer(clock);
  });
  afterEach(() => server.stop());

  it('overlap SKIP: no new occurrence while one runs; the schedule moves on', async () => {
    const job = await createJob(server, { schedule: everyMinutes(1), overlapPolicy: OverlapPolicy.SKIP });
    await tick(server, clock, MINUTE);
    const [running] = await acquire(server, 10, HOUR);
    await tick(server, clock, MINUTE);
    await tick(server, clock, MINUTE);
    expect(await executionsOf(server, job.id)).to.have.length(1);
    expect(isoOf((await jobOf(server, job.id)).nextRunAt)).to.equal('2026-03-02T08:04:00.000Z');
    await complete(server, running!);
    await tick(server, clock, MINUTE);
    expect((await executionsOf(server, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal(['2026-03-02T08:01:00.000Z', '2026-03-02T08:04:00.000Z']);
  });

  it('overlap ALLOW: occurrences start alongside the running one', async () => {
    const job = await createJob(server, { schedule: everyMinutes(1), overlapPolicy: OverlapPolicy.ALLOW });
    await tick(server, clock, MINUTE);
    await acquire(server, 10, HOUR);
    await tick(server, clock, MINUTE);
    await tick(server, clock, MINUTE);
    expect((await executionsOf(server, job.id)).map((e) => isoOf(e.occurrenceAt))).to.deep.equal([
      '2026-03-02T08:01:00.000Z',
      '2026-03-02T08:02:00.000Z',
      '2026-03-02T08:03:00.000Z',
    ]);
  });

  describe('after a 3-hour downtime', () => {
    /** Hourly jobs created at 08:00; the only replica stops, 3 h 30 min pass, a new replica starts. */
    async function afterDowntime(policy: CatchUpPolicy, windowMs?: number) {
      clock = newClock();
      const database = await TestDatabase.create();
      const before = await engineServer(clock, database);
      const job = await createJob(before, { schedule: everyMinutes(60), catchUpPolicy: policy, ...(windowMs ? { catchUpWindow: durationFromMs(windowMs) } : {}) });
      await before.stop();
      clock.advance(3.5 * HOUR);
      const after = await engineServer(clock, database);
      try {
        await tick(after, clock, 0);
        return { occurrences: (await executionsOf(after, job.id)).map((e) => isoOf(e.occurrenceAt)), next: isoOf((await jobOf(after, job.id)).nextRunAt) };
      } finally {
        await after.stop();
        await database.drop();
      }
    }

    it('SKIP drops the missed 09:00, 10:00 and 11:00 and waits for 12:00', async () => {
      expect(await afterDowntime(CatchUpPolicy.SKIP)).to.deep.equal({ occurrences: [], next: '2026-03-02T12:00:00.000Z' });
    });

    it('RUN_ONCE runs one late occurrence (the latest missed) and resumes the schedule', async () => {
      expect(await afterDowntime(CatchUpPolicy.RUN_ONCE)).to.deep.equal({ occurrences: ['2026-03-02T11:00:00.000Z'], next: '2026-03-02T12:00:00.000Z' });
    });

    it('RUN_ALL runs every missed occurrence within the catch-up window', async () => {
      expect(await afterDowntime(CatchUpPolicy.RUN_ALL, 4 * HOUR)).to.deep.equal({
        occurrences: ['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000Z'],
        next: '2026-03-02T12:00:00.000Z',
      });
      expect((await afterDowntime(CatchUpPolicy.RUN_ALL, 2 * HOUR)).occurrences).to.deep.equal(['2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000Z']);
    });
  });
});
