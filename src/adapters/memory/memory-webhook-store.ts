import type { NewDelivery, WebhookStore } from '../../application/ports/webhook-store.js';

/**
 * Webhooks are not part of the in-memory store's conformance suite: it keeps the outbox rows
 * written with outcomes (so core unit tests can see them) and refuses the rest.
 */
export class MemoryWebhookStore implements WebhookStore {
  constructor(private readonly outbox: NewDelivery[]) {}

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    this.outbox.push(...deliveries);
  }

  async enabledSubscriptions(): Promise<never[]> {
    return [];
  }

  enqueueOverdue = unsupported;
  claimDue = unsupported;
  recordAttempt = unsupported;
  prune = unsupported;
  insertSubscription = unsupported;
  getSubscription = unsupported;
  listSubscriptions = unsupported;
  updateSubscription = unsupported;
  setSecret = unsupported;
  deleteSubscription = unsupported;
  listDeliveries = unsupported;
}

function unsupported(): never {
  throw new Error('webhook subscriptions and deliveries are stored in PostgreSQL only');
}
