import { nextDeliveryDelay, type DeliveryRetryPolicy } from '../../domain/webhook/delivery-backoff.js';
import { BackgroundLoop } from '../engine/background-loop.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { AttemptRecord, ClaimedDelivery } from '../ports/webhook-store.js';
import type { WebhookSender } from '../ports/webhook-sender.js';
import type { WebhookSubscriptions } from './webhook-subscriptions.js';

export interface DeliverySettings {
  readonly pollIntervalMs: number;
  /** Longest one request may take; a claim is held this long plus a margin. */
  readonly timeoutMs: number;
  /** Requests in flight on this replica at most, over all subscriptions. */
  readonly concurrency: number;
  /** Requests in flight to one subscription on this replica at most. */
  readonly perSubscription: number;
  readonly retry: DeliveryRetryPolicy;
  /** Finished deliveries older than this are deleted. */
  readonly keepForMs: number;
  /** How often retention and the dead-man's-switch scan run (each costs a statement). */
  readonly scanIntervalMs: number;
}

/**
 * The delivery loop of one replica. Each pass claims due outbox rows (FOR UPDATE SKIP LOCKED,
 * so replicas share them), never more than the free slots allow, and sends them without waiting:
 * a slow endpoint holds only its own slots, bounded per subscription, and never an outcome. Each
 * attempt is recorded when it ends: delivered, retried after an exponential backoff, or failed
 * for good. A replica that dies mid-request leaves its claims to come due again after the
 * timeout (at least once). Every scanIntervalMs it also records job.overdue events and prunes.
 * A commit that wrote outbox rows wakes the loop (deliveriesQueued: on this replica at once, on
 * the others by NOTIFY); the poll remains for what no wake-up covers: a retry's backoff coming
 * due, a missed notification.
 */
export class DeliverWebhooks {
  private readonly loop: BackgroundLoop;
  private readonly inFlight = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();
  private total = 0;
  private lastScan = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sender: WebhookSender,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly settings: DeliverySettings,
    private readonly logger: Logger,
    private readonly wakeUps: WakeUps,
    private readonly observer: EngineObserver = NO_OBSERVER,
  ) {
    this.loop = new BackgroundLoop('webhook-delivery', clock, settings.pollIntervalMs, async () => {
      await this.runOnce();
      return undefined;
    }, logger);
  }

  start(): void {
    this.unsubscribe ??= this.wakeUps.onDeliveriesQueued(() => this.loop.wake());
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Stops claiming and waits for the requests in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.loop.stop();
    await Promise.all([...this.sending]);
  }

  /** One pass: the periodic scan when due, then claims for the free slots. Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    if (now.getTime() - this.lastScan >= this.settings.scanIntervalMs) {
      this.lastScan = now.getTime();
      await this.scan(now);
    }
    const free = this.settings.concurrency - this.total;
    if (free <= 0) return 0;
    const leaseUntil = new Date(now.getTime() + this.settings.timeoutMs + 5_000);
    const claimed = await this.store.transaction(
      (tx) => tx.webhooks.claimDue(now, leaseUntil, { perSubscription: this.settings.perSubscription, busy: this.inFlight, total: free }),
      { singleStatement: true },
    );
    for (const delivery of claimed) this.track(this.attempt(delivery), delivery.subscriptionId);
    return claimed.length;
  }

  /** Resolves when every request started so far has been recorded. */
  async settled(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  private async scan(now: Date): Promise<void> {
    await this.subscriptions.refreshIfStale(now);
    if (this.subscriptions.router.wantsOverdue) {
      const recorded = await this.store.transaction((tx) => tx.webhooks.enqueueOverdue(now), { singleStatement: true });
      if (recorded > 0) {
        this.logger.info({ deliveries: recorded }, "job.overdue webhook events recorded (dead-man's switch)");
        // This pass claims them next; the other replicas may share them.
        this.wakeUps.deliveriesQueued();
      }
    }
    const before = new Date(now.getTime() - this.settings.keepForMs);
    await this.store.transaction((tx) => tx.webhooks.prune(before, 1_000), { singleStatement: true });
  }

  private track(sent: Promise<void>, subscriptionId: string): void {
    this.total += 1;
    this.inFlight.set(subscriptionId, (this.inFlight.get(subscriptionId) ?? 0) + 1);
    const done: Promise<void> = sent
      .catch((error: unknown) => this.logger.warn({ err: error, subscription_id: subscriptionId }, 'recording a webhook attempt failed; the delivery comes due again after its claim'))
      .finally(() => {
        this.total -= 1;
        const left = (this.inFlight.get(subscriptionId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(subscriptionId, left);
        else this.inFlight.delete(subscriptionId);
        this.sending.delete(done);
        // A slot is free: more may be waiting.
        this.loop.wake();
      });
    this.sending.add(done);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedMs = performance.now();
    const response = await this.sender.send({ url: delivery.url, secret: delivery.secret, id: delivery.id, timestamp: this.clock.now(), body: delivery.payload });
    const durationMs = performance.now() - startedMs;
    const now = this.clock.now();
    const record = this.recordFor(delivery, response, now);
    if (record.kind !== 'delivered') this.logger.warn({ delivery_id: delivery.id, subscription_id: delivery.subscriptionId, attempt: delivery.attempt, error: record.error, outcome: record.kind }, 'webhook delivery attempt failed');
    await this.store.transaction((tx) => tx.webhooks.recordAttempt(delivery.id, delivery.attempt, record, now), { singleStatement: true });
    this.observer.webhookAttempt?.(record.kind, durationMs);
  }

  private recordFor(delivery: ClaimedDelivery, response: Awaited<ReturnType<WebhookSender['send']>>, now: Date): AttemptRecord {
    if (response.ok) return { kind: 'delivered', responseCode: response.status };
    const delayMs = response.refused ? undefined : nextDeliveryDelay(this.settings.retry, delivery.attempt);
    if (delayMs === undefined) return { kind: 'failed', error: response.error, responseCode: response.status };
    return { kind: 'retry', error: response.error, responseCode: response.status, nextAttemptAt: new Date(now.getTime() + delayMs) };
  }
}
