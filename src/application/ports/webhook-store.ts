import type { JsonObject } from '../../domain/json.js';
import type { WebhookEventType, WebhookSubscription } from '../../domain/webhook/subscription.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** An outbox row to write with an outcome: one event for one subscription. */
export interface NewDelivery {
  /** Also the webhook-id header (the receiver's idempotency key). */
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventType: WebhookEventType;
  readonly jobId: string;
  readonly executionId: string | undefined;
  readonly payload: JsonObject;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventType: string;
  readonly jobId: string | undefined;
  readonly executionId: string | undefined;
  readonly payload: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly lastResponseCode: number | undefined;
  readonly nextAttemptAt: Date | undefined;
  readonly lastAttemptAt: Date | undefined;
  readonly createdAt: Date;
}

/** A delivery claimed for an attempt, with what sending it needs. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly payload: string;
  /** Counting this one. */
  readonly attempt: number;
  readonly url: string;
  readonly secret: string;
}

export interface ClaimLimits {
  /** Deliveries of one subscription in flight on this replica at most. */
  readonly perSubscription: number;
  /** Deliveries this replica already has in flight, by subscription. */
  readonly busy: ReadonlyMap<string, number>;
  /** Most deliveries claimed by this call. */
  readonly total: number;
}

export type AttemptRecord =
  | { readonly kind: 'delivered'; readonly responseCode: number }
  | { readonly kind: 'retry'; readonly error: string; readonly responseCode: number | undefined; readonly nextAttemptAt: Date }
  | { readonly kind: 'failed'; readonly error: string; readonly responseCode: number | undefined };

export interface DeliveryPageQuery {
  readonly subscriptionId: string;
  readonly status: DeliveryStatus | undefined;
  /** Keyset: deliveries older than this (created_at, id). */
  readonly before: { createdAt: Date; id: string } | undefined;
  readonly limit: number;
}

/** Subscriptions, the outbox and the delivery log (migration 009). */
export interface WebhookStore {
  /** Writes outbox rows for subscriptions that still exist and are enabled; others are dropped. */
  enqueue(deliveries: readonly NewDelivery[], now: Date): Promise<void>;
  /**
   * Records a job.overdue delivery for every matching subscription of each job whose
   * dead-man's switch fired and was not yet announced for its current deadline. Safe on many
   * replicas at once: exactly one records each (job, deadline). Returns how many were recorded.
   */
  enqueueOverdue(now: Date): Promise<number>;
  /** Claims due deliveries (skipping rows others hold) and counts their attempt; they come back due at `leaseUntil` if never recorded. */
  claimDue(now: Date, leaseUntil: Date, limits: ClaimLimits): Promise<ClaimedDelivery[]>;
  /** Records the attempt counted by claimDue; false if the row moved on meanwhile (deleted, or claimed again after its lease). */
  recordAttempt(id: string, attempt: number, record: AttemptRecord, now: Date): Promise<boolean>;
  /** Deletes finished deliveries older than `before`, and orphans of deleted subscriptions. */
  prune(before: Date, batch: number): Promise<number>;

  insertSubscription(subscription: WebhookSubscription, secret: string): Promise<void>;
  getSubscription(id: string): Promise<WebhookSubscription | undefined>;
  /** Oldest first, after the (createdAt, id) given. */
  listSubscriptions(after: { createdAt: Date; id: string } | undefined, limit: number): Promise<WebhookSubscription[]>;
  /** Every enabled subscription: what each replica's router holds. */
  enabledSubscriptions(): Promise<WebhookSubscription[]>;
  updateSubscription(subscription: WebhookSubscription): Promise<boolean>;
  setSecret(id: string, secret: string, now: Date): Promise<boolean>;
  /** Deletes the subscription and its deliveries; false if it did not exist. */
  deleteSubscription(id: string): Promise<boolean>;
  listDeliveries(query: DeliveryPageQuery): Promise<WebhookDelivery[]>;
}
