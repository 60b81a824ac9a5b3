import { expect } from 'chai';
import { traceFired } from '../../../src/application/engine/fire-job.js';
import { NO_TRACING, type SpanOptions, type Tracing } from '../../../src/application/ports/tracing.js';
import { queuedExecution } from '../../../src/domain/execution/execution.js';
import type { Job } from '../../../src/domain/job/job.js';

const NOW = new Date('2026-03-02T08:00:00Z');
const CREATOR = { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' };
const job = { id: 'b0d7c6a2-0000-4000-8000-000000000001', type: 'email', priority: 0, attemptTimeoutMs: undefined, traceContext: CREATOR } as unknown as Job;
const execution = queuedExecution(job, { id: 'e0d7c6a2-0000-4000-8000-000000000001', number: 1, occurrenceAt: NOW, attempt: 1, trigger: 'schedule', scheduledAt: NOW }, NOW);

/** Records the spans asked for; each gets a context naming its position. */
function recordingTracing(): Tracing & { marks: Array<{ name: string; options: SpanOptions | undefined; attributes: object }> } {
  const marks: Array<{ name: string; options: SpanOptions | undefined; attributes: object }> = [];
  return {
    enabled: true,
    marks,
    active: () => undefined,
    mark: (name, attributes, options) => {
      marks.push({ name, options, attributes });
      return { traceparent: `00-33333333333333333333333333333333-${String(marks.length).padStart(16, '0')}-01` };
    },
    detached: (fn) => fn(),
  };
}

describe('fire spans (traceFired)', () => {
  it('with tracing off returns the very executions, untouched', () => {
    const executions = [execution];
    expect(traceFired(NO_TRACING, job, executions, 'dispatcher')).to.equal(executions);
  });

  it('a call fires under its own span; the dispatcher starts a trace per execution, linked to the creator', () => {
    const tracing = recordingTracing();
    const [byCall] = traceFired(tracing, job, [execution], 'call');
    const [byDispatcher] = traceFired(tracing, job, [execution], 'dispatcher');
    expect(tracing.marks.map((m) => m.options)).to.deep.equal([{}, { root: true, links: [CREATOR] }]);
    expect(tracing.marks[0]!.attributes).to.include({ 'jobscheduler.job.id': job.id, 'jobscheduler.job.type': 'email', 'jobscheduler.execution.id': execution.id, 'jobscheduler.execution.attempt': 1 });
    expect(byCall!.traceContext?.traceparent).to.match(/-0000000000000001-01$/);
    expect(byDispatcher!.traceContext?.traceparent).to.match(/-0000000000000002-01$/);
    expect({ ...byCall!, traceContext: undefined }).to.deep.equal({ ...execution, traceContext: undefined });
  });
});
