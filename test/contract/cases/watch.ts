import { expect } from 'chai';
import { ExecutionEventKind, ExecutionStatus, type ExecutionEvent } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import { EventStream, liveWatch } from '../support/event-stream.js';
import { acquireOne, createJob, ms, NOW, rejects, status, uniqueType } from '../support/helpers.js';
import type { Target } from '../support/target.js';

const kinds = (events: readonly ExecutionEvent[]) => events.map((e) => ExecutionEventKind[e.kind]);

/**
 * Runs a one-shot job to success under a live watch and returns its three events as streamed,
 * and a cursor from before them.
 */
async function watchedRun(t: Target): Promise<{ jobId: string; type: string; events: ExecutionEvent[]; before: string }> {
  const type = uniqueType();
  const { stream, cursor } = await liveWatch(t, [type]);
  try {
    const job = await createJob(t, { type, schedule: NOW });
    const acquired = await acquireOne(t, type);
    await t.worker.completeExecution({ executionId: acquired.execution?.id ?? '', leaseToken: acquired.leaseToken });
    const ofJob = (e: ExecutionEvent) => e.execution?.jobId === job.id;
    const events = [await stream.take(ofJob), await stream.take(ofJob), await stream.take(ofJob)];
    return { jobId: job.id, type, events, before: cursor };
  } finally {
    stream.close();
  }
}

/** A call that must fail before streaming anything. */
async function refused(t: Target, request: ConstructorParameters<typeof EventStream>[1], message: RegExp): Promise<void> {
  const stream = new EventStream(t, request);
  await rejects(
    stream.error().then((error) => {
      if (error) throw error;
    }),
    status.INVALID_ARGUMENT,
    message,
  );
}

export const watchCases: AreaCases = {
  scheduler: {
    watchExecutions: [
      ok('streams QUEUED, STARTED and SUCCEEDED of a job as it runs, each with its own cursor', async (t) => {
        const { jobId, type, events } = await watchedRun(t);
        expect(kinds(events)).to.deep.equal(['QUEUED', 'STARTED', 'SUCCEEDED']);
        const [queued, , succeeded] = events;
        expect(new Set(events.map((e) => e.execution?.id)).size, 'one execution').to.equal(1);
        expect(events.every((e) => e.execution?.jobId === jobId && e.execution.jobType === type)).to.equal(true);
        expect(events.every((e) => e.cursor !== '')).to.equal(true);
        expect(new Set(events.map((e) => e.cursor)).size, 'distinct cursors').to.equal(3);
        expect(ms(queued?.occurredAt)).to.be.at.most(ms(succeeded?.occurredAt));
        expect(ExecutionStatus[succeeded?.execution?.status ?? 0]).to.equal('SUCCEEDED');
      }),
      ok('resumes after a cursor without gap or duplicate: read 2 events, cancel, call again with the cursor', async (t) => {
        const { jobId, events, before } = await watchedRun(t);
        const first = new EventStream(t, { jobId, cursor: before });
        const two = [await first.take(), await first.take()];
        first.close();
        expect(two.map((e) => e.cursor)).to.deep.equal(events.slice(0, 2).map((e) => e.cursor));
        const resumed = new EventStream(t, { jobId, cursor: two[1]?.cursor ?? '' });
        try {
          const next = await resumed.take();
          expect(ExecutionEventKind[next.kind]).to.equal('SUCCEEDED');
          expect(next.cursor).to.equal(events[2]?.cursor);
          expect(await resumed.drain(300), 'nothing after SUCCEEDED until the job runs again').to.deep.equal([]);
          // The resumed stream is live: a new run of the job arrives on it, once.
          const { execution } = await t.scheduler.runJob({ id: jobId });
          const again = await resumed.take();
          expect([ExecutionEventKind[again.kind], again.execution?.id]).to.deep.equal(['QUEUED', execution?.id]);
        } finally {
          resumed.close();
        }
      }),
      fails('INVALID_ARGUMENT', 'a job_id that is not a UUID is refused naming job_id', (t) => refused(t, { jobId: 'job-1' }, /^job_id "job-1"/)),
      fails('INVALID_ARGUMENT', 'an invalid job type is refused naming job_types[i]', (t) => refused(t, { jobTypes: ['ok.type', 'not ok'] }, /^job_types\[1\] /)),
      fails('INVALID_ARGUMENT', 'a cursor this service did not issue is refused naming cursor', (t) => refused(t, { cursor: 'yesterday' }, /^cursor "yesterday"/)),
    ],
  },
};
