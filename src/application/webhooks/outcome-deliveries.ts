import type { Execution } from '../../domain/execution/execution.js';
import type { JsonObject } from '../../domain/json.js';
import type { WebhookEventType } from '../../domain/webhook/subscription.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Transaction } from '../ports/store.js';
import type { NewDelivery } from '../ports/webhook-store.js';
import type { SubscriptionRouter } from './subscription-router.js';

/** An execution that ended, and the event it is: a failure followed by a retry is an attempt_failed. */
export interface EndedExecution {
  readonly execution: Execution;
  readonly retried: boolean;
}

/**
 * Writes the outbox rows for executions that ended in this transaction, for the subscriptions
 * this replica knows to match. Called from every transaction that ends executions (outcomes,
 * rescues, cancels), so the rows commit or roll back with the outcome. Without any enabled
 * subscription it returns before building anything. Returns how many rows it wrote: the caller
 * wakes the delivery loops (deliveriesQueued) after its commit when there are any.
 */
export async function enqueueOutcomeDeliveries(tx: Transaction, router: SubscriptionRouter | undefined, ended: readonly EndedExecution[], now: Date, ids: IdGenerator): Promise<number> {
  if (!router?.active || ended.length === 0) return 0;
  const deliveries: NewDelivery[] = [];
  for (const { execution, retried } of ended) {
    const type = eventTypeOf(execution, retried);
    if (!type) continue;
    const subscriptions = router.matching(execution.jobId, execution.jobType, type);
    if (subscriptions.length === 0) continue;
    const payload = eventBody(type, execution, now);
    for (const subscription of subscriptions) {
      deliveries.push({ id: ids.newId(), subscriptionId: subscription.id, eventType: type, jobId: execution.jobId, executionId: execution.id, payload });
    }
  }
  if (deliveries.length > 0) await tx.webhooks.enqueue(deliveries, now);
  return deliveries.length;
}

function eventTypeOf(execution: Execution, retried: boolean): WebhookEventType | undefined {
  switch (execution.status) {
    case 'succeeded':
      return 'execution.succeeded';
    case 'cancelled':
      return 'execution.cancelled';
    case 'failed':
    case 'timed_out':
    case 'lost':
      return retried ? 'execution.attempt_failed' : 'execution.failed';
    default:
      return undefined;
  }
}

/** The JSON body receivers get (Standard Webhooks shape: type, timestamp, data). */
function eventBody(type: WebhookEventType, execution: Execution, now: Date): JsonObject {
  const data: Record<string, JsonObject[string]> = {
    job_id: execution.jobId,
    job_type: execution.jobType,
    execution_id: execution.id,
    execution_number: execution.number,
    attempt: execution.attempt,
    status: execution.status,
    occurrence_time: execution.occurrenceAt.toISOString(),
    trigger: execution.trigger,
  };
  if (execution.finishedAt) data.finish_time = execution.finishedAt.toISOString();
  if (execution.error) data.error = { message: execution.error.message, retryable: execution.error.retryable };
  return { type, timestamp: now.toISOString(), data };
}
