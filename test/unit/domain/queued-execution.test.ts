import { expect } from 'chai';
import { queuedExecution } from '../../../src/domain/execution/execution.js';

const JOB = { id: 'job-1', type: 'crawl', priority: 3, attemptTimeoutMs: 60_000 };
const NOW = new Date('2026-03-02T08:00:00Z');
const FIELDS = { id: 'execution-1', number: 4, occurrenceAt: NOW, attempt: 1, trigger: 'schedule' as const, scheduledAt: NOW };

describe('queuedExecution (one literal, optional keys as given)', () => {
  it('copies the routing, priority and timeout of the job and starts queued, unleased', () => {
    expect(queuedExecution(JOB, FIELDS, NOW)).to.deep.equal({
      ...FIELDS,
      jobId: 'job-1',
      jobType: 'crawl',
      status: 'queued',
      priority: 3,
      attemptTimeoutMs: 60_000,
      queuedAt: NOW,
      startedAt: undefined,
      finishedAt: undefined,
      workerId: undefined,
      leaseToken: undefined,
      endedLeaseToken: undefined,
      leaseDurationMs: undefined,
      leaseExpiresAt: undefined,
      deadlineAt: undefined,
      cancelRequested: false,
      error: undefined,
      result: undefined,
      progress: undefined,
      upstreamExecutionIds: [],
    });
  });

  it('has a trace context and a window close exactly when the fields have them', () => {
    expect(queuedExecution(JOB, FIELDS, NOW)).to.not.have.any.keys('traceContext', 'windowClosesAt');
    const closes = new Date('2026-03-02T09:00:00Z');
    const traced = queuedExecution(JOB, { ...FIELDS, traceContext: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, windowClosesAt: closes, upstreamExecutionIds: ['u-1'] }, NOW);
    expect(traced).to.include({ windowClosesAt: closes });
    expect(traced.traceContext).to.deep.equal({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(traced.upstreamExecutionIds).to.deep.equal(['u-1']);
    // Given as undefined (a firing outside any window), the key is there, as a spread kept it.
    expect(queuedExecution(JOB, { ...FIELDS, windowClosesAt: undefined }, NOW)).to.have.property('windowClosesAt', undefined);
  });
});
