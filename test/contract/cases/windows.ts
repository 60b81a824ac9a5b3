import { expect } from 'chai';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { OutsideWindowPolicy, WindowEndPolicy } from '../../../src/gen/jobscheduler/v1/job_pb.js';
import { OccurrenceOutcome } from '../../../src/gen/jobscheduler/v1/occurrence_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { createJob, executionsOf, getJob, hourly, NOW, rejects, status, uniqueType, unknownId } from '../support/helpers.js';

const DAY_MS = 86_400_000;

/** A one-hour window (UTC) on the weekday three days from now only: closed now, opening at that day's midnight. */
function closedNow(): { windows: { timeZone: string; windows: { days: number[]; start: string; end: string }[] }; opensAt: Date } {
  const day = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + 3 * DAY_MS);
  return { windows: { timeZone: 'UTC', windows: [{ days: [((day.getUTCDay() + 6) % 7) + 1], start: '00:00', end: '01:00' }] }, opensAt: day };
}

export const windowCases: AreaCases = {
  scheduler: {
    createJob: [
      ok('execution_windows round-trip with defaults filled; a job due now outside them is queued for the opening', async (t) => {
        const { windows, opensAt } = closedNow();
        const job = await createJob(t, { type: uniqueType(), schedule: NOW, executionWindows: windows });
        expect(job.executionWindows?.windows.map((w) => [w.days, w.start, w.end])).to.deep.equal(windows.windows.map((w) => [w.days, w.start, w.end]));
        expect([job.executionWindows?.outsidePolicy, job.executionWindows?.endPolicy]).to.deep.equal([OutsideWindowPolicy.DEFER, WindowEndPolicy.CONTINUE]);
        const [execution] = await executionsOf(t, job.id);
        expect(execution?.status).to.equal(ExecutionStatus.QUEUED);
        expect(execution?.scheduledAt && timestampDate(execution.scheduledAt).toISOString()).to.equal(opensAt.toISOString());
      }),
      fails('INVALID_ARGUMENT', 'execution_windows with an unknown time zone, a bad time or overlapping windows is refused naming the field', async (t) => {
        const base = { timeZone: 'UTC', windows: [{ days: [1], start: '09:00', end: '17:00' }] };
        await rejects(createJob(t, { type: uniqueType(), executionWindows: { ...base, timeZone: 'Atlantis/Capital' } }), status.INVALID_ARGUMENT, /^job\.execution_windows\.time_zone must be an IANA time zone/);
        await rejects(createJob(t, { type: uniqueType(), executionWindows: { ...base, windows: [{ days: [1], start: '9am', end: '17:00' }] } }), status.INVALID_ARGUMENT, /^job\.execution_windows\.windows\[0\]\.start must be a time "HH:MM"/);
        await rejects(
          createJob(t, { type: uniqueType(), executionWindows: { ...base, windows: [...base.windows, { days: [1], start: '16:00', end: '18:00' }] } }),
          status.INVALID_ARGUMENT,
          /^job\.execution_windows: windows\[0\] \(Monday 09:00-17:00\) overlaps windows\[1\] \(Monday 16:00-18:00\)/,
        );
      }),
    ],
    updateJob: [
      ok('the mask execution_windows sets and clears the windows', async (t) => {
        const job = await createJob(t, { type: uniqueType(), schedule: hourly() });
        const { job: set } = await t.scheduler.updateJob({ job: { id: job.id, executionWindows: closedNow().windows }, updateMask: { paths: ['execution_windows'] } });
        expect(set?.executionWindows?.timeZone).to.equal('UTC');
        await t.scheduler.updateJob({ job: { id: job.id }, updateMask: { paths: ['execution_windows'] } });
        expect((await getJob(t, job.id)).executionWindows).to.equal(undefined);
      }),
    ],
    previewSchedule: [
      ok('with execution_windows, fire times outside them are shown at the next opening', async (t) => {
        const { windows, opensAt } = closedNow();
        const { fireTimes } = await t.scheduler.previewSchedule({ schedule: hourly(), count: 2, executionWindows: windows });
        expect(fireTimes.map((time) => timestampDate(time).toISOString())).to.deep.equal([opensAt.toISOString(), opensAt.toISOString()]);
      }),
    ],
    listOccurrences: [
      ok('lists a job’s slots with their outcome: a deferral names its execution and the time it was deferred to', async (t) => {
        const { windows, opensAt } = closedNow();
        const job = await createJob(t, { type: uniqueType(), schedule: NOW, executionWindows: windows });
        const { occurrences, nextPageToken } = await t.scheduler.listOccurrences({ jobId: job.id });
        const [execution] = await executionsOf(t, job.id);
        expect(occurrences.map((o) => [OccurrenceOutcome[o.outcome], o.executionId, o.deferredTo && timestampDate(o.deferredTo).toISOString(), Number(o.slotCount)])).to.deep.equal([
          ['DEFERRED_BY_WINDOW', execution?.id, opensAt.toISOString(), 1],
        ]);
        expect(nextPageToken).to.equal('');
      }),
      fails('INVALID_ARGUMENT', 'a missing or malformed job_id, or a page_size over 500, is refused', async (t) => {
        await rejects(t.scheduler.listOccurrences({ jobId: '' }), status.INVALID_ARGUMENT, /^job_id /);
        await rejects(t.scheduler.listOccurrences({ jobId: unknownId(), pageSize: 501 }), status.INVALID_ARGUMENT, /^page_size must be at most 500, got 501$/);
      }),
      fails('NOT_FOUND', 'an unknown job is NOT_FOUND', async (t) => {
        const id = unknownId();
        await rejects(t.scheduler.listOccurrences({ jobId: id }), status.NOT_FOUND, new RegExp(`^job ${id} does not exist$`));
      }),
    ],
  },
};
