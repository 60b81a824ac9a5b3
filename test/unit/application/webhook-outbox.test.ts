import { expect } from 'chai';
import { enqueueOutcomeDeliveries } from '../../../src/application/webhooks/outcome-deliveries.js';
import { SubscriptionRouter } from '../../../src/application/webhooks/subscription-router.js';
import type { Transaction } from '../../../src/application/ports/store.js';
import type { NewDelivery } from '../../../src/application/ports/webhook-store.js';
import { queuedExecution, type Execution } from '../../../src/domain/execution/execution.js';
import type { WebhookEventKind, WebhookSubscription } from '../../../src/domain/webhook/subscription.js';

const NOW = new Date('2026-03-02T08:00:00Z');
let counter = 0;
const ids = { newId: () => `id-${++counter}` };

function ended(jobId: string, jobType: string, status: Execution['status']): Execution {
  const queued = queuedExecution({ id: jobId, type: jobType, priority: 0, attemptTimeoutMs: undefined }, { id: `e-${jobId}`, number: 1, occurrenceAt: NOW, attempt: 1, trigger: 'schedule', scheduledAt: NOW }, NOW);
  return { ...queued, status, finishedAt: NOW };
}

function subscription(id: string, scope: WebhookSubscription['scope'], events: WebhookEventKind[], enabled = true): WebhookSubscription {
  return { id, scope, events, url: 'https://hooks.example.com', description: '', enabled, createdAt: NOW, updatedAt: NOW };
}

/** A transaction whose only usable part is the outbox; any other store touched fails the test. */
function recordingTx(): { tx: Transaction; enqueued: NewDelivery[][] } {
  const enqueued: NewDelivery[][] = [];
  const tx = { webhooks: { enqueue: async (deliveries: readonly NewDelivery[]) => void enqueued.push([...deliveries]) } } as unknown as Transaction;
  return { tx, enqueued };
}

describe('webhook outbox rows written with outcomes', () => {
  it('does nothing at all without an enabled subscription, or when none matches', async () => {
    const router = new SubscriptionRouter();
    const { tx, enqueued } = recordingTx();
    await enqueueOutcomeDeliveries(tx, router, [{ execution: ended('j1', 'a', 'succeeded'), retried: false }], NOW, ids);
    router.replace([subscription('off', { kind: 'global' }, ['succeeded'], false)]);
    expect(router.active).to.equal(false);
    await enqueueOutcomeDeliveries(tx, router, [{ execution: ended('j1', 'a', 'succeeded'), retried: false }], NOW, ids);
    router.replace([subscription('other', { kind: 'job_type', jobType: 'b' }, ['succeeded']), subscription('failures', { kind: 'global' }, ['failed'])]);
    await enqueueOutcomeDeliveries(tx, router, [{ execution: ended('j1', 'a', 'succeeded'), retried: false }], NOW, ids);
    expect(enqueued).to.deep.equal([]);
  });

  it('writes one row per matching subscription and execution, in one call, with the event type that says final or not', async () => {
    const router = new SubscriptionRouter();
    router.replace([
      subscription('all', { kind: 'global' }, ['succeeded', 'attempt_failed', 'cancelled']),
      subscription('final', { kind: 'job_type', jobType: 'a' }, ['failed']),
      subscription('one-job', { kind: 'job', jobId: 'j3' }, ['cancelled']),
    ]);
    const { tx, enqueued } = recordingTx();
    await enqueueOutcomeDeliveries(
      tx,
      router,
      [
        { execution: ended('j1', 'a', 'succeeded'), retried: false },
        { execution: ended('j2', 'a', 'timed_out'), retried: true },
        { execution: ended('j4', 'a', 'lost'), retried: false },
        { execution: ended('j3', 'c', 'cancelled'), retried: false },
      ],
      NOW,
      ids,
    );
    expect(enqueued).to.have.length(1);
    expect(enqueued[0]!.map((d) => `${d.subscriptionId} ${d.eventType} ${d.jobId}`)).to.deep.equal([
      'all execution.succeeded j1',
      'all execution.attempt_failed j2',
      'all execution.failed j4',
      'final execution.failed j4',
      'all execution.cancelled j3',
      'one-job execution.cancelled j3',
    ]);
    expect(enqueued[0]![0]!.payload).to.deep.include({ type: 'execution.succeeded', timestamp: NOW.toISOString() });
    expect(new Set(enqueued[0]!.map((d) => d.id)).size).to.equal(6);
  });
});
