import { expect } from 'chai';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BulkOutcome } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { JobState } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { IntervalUnit } from '../../../src/gen/jobscheduler/v1/schedule_pb.js';
import { fails, ok, type AreaCases, type ContractCase } from '../support/contract.js';
import { createJob, jobsOfType, LATER, NOW, rejects, stateName, status, uniqueType, unknownId, type ScheduleInit } from '../support/helpers.js';
import type { Target } from '../support/target.js';

/**
 * The counts and lengths job_scheduler_service.proto states for its requests, at their edges:
 * just inside accepted, just outside refused naming the field. Job's own fields are in
 * job-boundaries.ts.
 */

const EMOJI = '😀'; // one character, two UTF-16 units
const ids = (count: number) => Array.from({ length: count }, () => unknownId());
type Selector = { selection: { case: 'ids'; value: { ids: string[] } } | { case: 'filter'; value: { type: string } } };
const byIds = (list: string[]): Selector => ({ selection: { case: 'ids', value: { ids: list } } });

/** The three bulk RPCs, called the same way. */
const BULK = {
  pauseJobs: (t: Target, selector: Selector) => t.scheduler.pauseJobs({ selector }),
  resumeJobs: (t: Target, selector: Selector) => t.scheduler.resumeJobs({ selector }),
  cancelJobs: (t: Target, selector: Selector) => t.scheduler.cancelJobs({ selector }),
} as const;

/** JobIds.ids, 1 to 1,000: the bulk RPCs share the message, so each gets the refusal and one the full list. */
function idCountCases(rpc: keyof typeof BULK): ContractCase[] {
  return [
    fails('INVALID_ARGUMENT', 'refuses 1,001 ids, naming selector.ids', async (t) => {
      await rejects(BULK[rpc](t, byIds(ids(1001))), status.INVALID_ARGUMENT, /^selector\.ids must list 1 to 1000 ids, got 1001/);
    }),
  ];
}

const preview = (t: Target, schedule: ScheduleInit, count: number, after: Date) => t.scheduler.previewSchedule({ schedule, count, after: timestampFromDate(after) });
const iso = (times: readonly { seconds: bigint; nanos: number }[]) => times.map((x) => timestampDate({ ...x, $typeName: 'google.protobuf.Timestamp' }).toISOString());

/** A type with `count` jobs, created 1,000 per batch (the most one batch takes). */
async function typeWithJobs(t: Target, count: number): Promise<string> {
  const type = uniqueType();
  for (let done = 0; done < count; done += 1000) {
    await t.scheduler.batchCreateJobs({ requests: Array.from({ length: Math.min(1000, count - done) }, (_, i) => ({ job: { name: `job ${done + i}`, type, schedule: LATER } })) });
  }
  return type;
}

export const requestBoundaryCases: AreaCases = {
  scheduler: {
    createJob: [
      ok('accepts a request_id of 128 characters (emoji count as one), and a repeat returns the same job', async (t) => {
        const type = uniqueType();
        const requestId = EMOJI.repeat(128);
        const first = await t.scheduler.createJob({ requestId, job: { name: 'keyed', type, schedule: LATER } });
        const again = await t.scheduler.createJob({ requestId, job: { name: 'keyed', type, schedule: LATER } });
        expect(again.job?.id).to.equal(first.job?.id);
      }),
      fails('INVALID_ARGUMENT', 'refuses a request_id of 129 emoji, naming request_id', async (t) => {
        const type = uniqueType();
        await rejects(t.scheduler.createJob({ requestId: EMOJI.repeat(129), job: { name: 'n', type, schedule: LATER } }), status.INVALID_ARGUMENT, /^request_id must be at most 128 characters, got 129/);
        expect(await jobsOfType(t, type)).to.deep.equal([]);
      }),
    ],

    batchCreateJobs: [
      ok('accepts 1,000 jobs (the maximum), all created', async (t) => {
        const type = uniqueType();
        const { jobs } = await t.scheduler.batchCreateJobs({ requests: Array.from({ length: 1000 }, (_, i) => ({ job: { name: `job ${i}`, type, schedule: LATER } })) });
        expect(jobs).to.have.length(1000);
        expect(jobs.map((j) => j.name)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => `job ${i}`));
      }, 30_000),
      fails('INVALID_ARGUMENT', 'refuses 1,001 jobs, naming requests, and creates none', async (t) => {
        const type = uniqueType();
        const requests = Array.from({ length: 1001 }, (_, i) => ({ job: { name: `job ${i}`, type, schedule: LATER } }));
        await rejects(t.scheduler.batchCreateJobs({ requests }), status.INVALID_ARGUMENT, /^requests must hold 1 to 1000 jobs, got 1001/);
        expect(await jobsOfType(t, type)).to.deep.equal([]);
      }),
    ],

    cancelJob: [
      ok('accepts a reason of 1,000 characters (emoji count as one)', async (t) => {
        const job = await createJob(t, { type: uniqueType() });
        const { job: cancelled } = await t.scheduler.cancelJob({ id: job.id, reason: EMOJI.repeat(1000) });
        expect(stateName(cancelled?.state ?? 0)).to.equal('CANCELLED');
      }),
    ],

    cancelExecution: [
      ok('accepts a reason of 1,000 characters, and records it on the execution', async (t) => {
        const job = await createJob(t, { type: uniqueType() });
        const { execution } = await t.scheduler.runJob({ id: job.id });
        const reason = 'r'.repeat(1000);
        const { execution: cancelled } = await t.scheduler.cancelExecution({ id: execution?.id ?? '', reason });
        expect(cancelled?.error?.message).to.equal(`cancelled by an operator: ${reason}`);
        expect(cancelled?.error?.retryable).to.equal(false);
      }),
    ],

    pauseJobs: [
      ok('accepts 1,000 ids (the maximum), with one result per id', async (t) => {
        const list = ids(1000);
        const { results } = await t.scheduler.pauseJobs({ selector: byIds(list) });
        expect(results.map((r) => r.jobId)).to.deep.equal(list);
        expect(results.every((r) => r.outcome === BulkOutcome.NOT_FOUND)).to.equal(true);
      }, 30_000),
      ...idCountCases('pauseJobs'),
      fails(
        'INVALID_ARGUMENT',
        'refuses a filter matching more than 10,000 jobs, and changes none of them',
        async (t) => {
          const type = await typeWithJobs(t, 10_001);
          await rejects(BULK.pauseJobs(t, { selection: { case: 'filter', value: { type } } }), status.INVALID_ARGUMENT, /matches more than 10000 jobs/);
          const { jobs } = await t.scheduler.listJobs({ filter: { type, states: [JobState.PAUSED] }, pageSize: 1 });
          expect(jobs, 'paused jobs of the type').to.deep.equal([]);
        },
        60_000,
      ),
    ],
    resumeJobs: idCountCases('resumeJobs'),
    cancelJobs: [
      ...idCountCases('cancelJobs'),
      ok('accepts a reason of 1,000 characters', async (t) => {
        const job = await createJob(t, { type: uniqueType() });
        const { results } = await t.scheduler.cancelJobs({ selector: byIds([job.id]), reason: 'r'.repeat(1000) });
        expect(results.map((r) => r.outcome)).to.deep.equal([BulkOutcome.CHANGED]);
      }),
    ],

    previewSchedule: [
      ok('after stands in for the creation time of an interval without anchor: the first fire time is after + one period', async (t) => {
        const after = new Date('2030-02-03T04:05:06.789Z');
        const { fireTimes } = await preview(t, { kind: { case: 'interval', value: { every: 90, unit: IntervalUnit.MINUTES } } }, 2, after);
        expect(iso(fireTimes)).to.deep.equal(['2030-02-03T05:35:06.789Z', '2030-02-03T07:05:06.789Z']);
      }),
      ok('units are 60 s, 3,600 s and exactly 86,400 s (days do not follow daylight saving)', async (t) => {
        const after = new Date('2026-03-28T12:00:00Z'); // Europe's spring-forward night follows
        const period = async (unit: IntervalUnit) => {
          const [a, b] = (await preview(t, { kind: { case: 'interval', value: { every: 1, unit } } }, 2, after)).fireTimes.map((x) => Number(x.seconds));
          return (b as number) - (a as number);
        };
        expect([await period(IntervalUnit.MINUTES), await period(IntervalUnit.HOURS), await period(IntervalUnit.DAYS)]).to.deep.equal([60, 3_600, 86_400]);
      }),
      ok('a one-shot at `after` is returned (once without instant means `after`), one earlier is not', async (t) => {
        const after = new Date('2030-01-01T00:00:00Z');
        expect(iso((await preview(t, NOW, 5, after)).fireTimes)).to.deep.equal([after.toISOString()]);
        expect(iso((await preview(t, { kind: { case: 'once', value: { at: timestampFromDate(after) } } }, 5, after)).fireTimes)).to.deep.equal([after.toISOString()]);
        const earlier = new Date(after.getTime() - 1);
        expect((await preview(t, { kind: { case: 'once', value: { at: timestampFromDate(earlier) } } }, 5, after)).fireTimes).to.deep.equal([]);
      }),
      ok('a wall-clock time that happens twice (autumn change) fires once, at its first occurrence', async (t) => {
        const { fireTimes } = await preview(t, { kind: { case: 'cron', value: { expression: '30 2 * * *', timeZone: 'Europe/Berlin' } } }, 3, new Date('2026-10-23T12:00:00Z'));
        expect(iso(fireTimes)).to.deep.equal(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
      }),
      ok('count 1 (the minimum) returns one fire time', async (t) => {
        expect((await preview(t, { kind: { case: 'cron', value: { expression: '0 * * * *' } } }, 1, new Date('2030-01-01T00:30:00Z'))).fireTimes).to.have.length(1);
      }),
    ],
  },
};
