import { DomainError } from '../../domain/errors.js';
import { checkEvents, checkWebhookUrl, type SubscriptionScope, type WebhookEventKind, type WebhookSubscription } from '../../domain/webhook/subscription.js';
import { checkSecret } from '../../domain/webhook/secret.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import type { DeliveryPageQuery, WebhookDelivery } from '../ports/webhook-store.js';
import { SubscriptionRouter } from './subscription-router.js';

export interface SubscriptionSettings {
  /** http:// URLs accepted too (development only). */
  readonly allowHttp: boolean;
  /** Reload from the database at least this often, in case a NOTIFY was missed. */
  readonly refreshIntervalMs: number;
  readonly maxSubscriptions: number;
}

export interface NewSubscription {
  readonly scope: SubscriptionScope;
  readonly events: readonly WebhookEventKind[];
  readonly url: string;
  readonly description: string;
  readonly enabled: boolean;
  /** Empty: generate one. */
  readonly secret: string;
}

export interface SubscriptionChange {
  readonly url?: string;
  readonly events?: readonly WebhookEventKind[];
  readonly description?: string;
  readonly enabled?: boolean;
}

/**
 * Webhook subscriptions: the admin operations, and this replica's router, which every change
 * reloads here at once and on the other replicas by a wake-up (NOTIFY). A replica that missed
 * one reloads within refreshIntervalMs anyway, so an event can only be missed by a subscription
 * created or enabled less than that long ago on another replica while the LISTEN connection was
 * down (docs/engine.md, Webhooks).
 */
export class WebhookSubscriptions {
  readonly router = new SubscriptionRouter();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly newSecret: () => string,
    private readonly wakeUps: WakeUps,
    private readonly settings: SubscriptionSettings,
    private readonly logger: Logger,
  ) {}

  /** Loads the router and follows changes made on other replicas. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.wakeUps.onWebhooksChanged(() => {
      this.reload().catch((error: unknown) => this.logger.warn({ err: error }, 'could not reload webhook subscriptions; retrying at the next refresh'));
    });
    await this.reload();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async reload(): Promise<void> {
    const now = this.clock.now();
    const subscriptions = await this.store.transaction((tx) => tx.webhooks.enabledSubscriptions(), { readOnly: true });
    this.router.replace(subscriptions);
    this.loadedAt = now.getTime();
  }

  async refreshIfStale(now: Date): Promise<void> {
    if (now.getTime() - this.loadedAt >= this.settings.refreshIntervalMs) await this.reload();
  }

  async create(request: NewSubscription): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const now = this.clock.now();
    const secret = request.secret === '' ? this.newSecret() : checkSecret('secret', request.secret);
    const subscription: WebhookSubscription = {
      id: this.ids.newId(),
      scope: request.scope,
      events: checkEvents(request.events),
      url: checkWebhookUrl(request.url, this.settings.allowHttp),
      description: checkDescription(request.description),
      enabled: request.enabled,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.transaction(async (tx) => {
      if (subscription.scope.kind === 'job' && (await tx.jobs.get(subscription.scope.jobId)) === undefined) {
        throw DomainError.notFound(`job ${subscription.scope.jobId} does not exist; a per-job subscription needs an existing job`);
      }
      const existing = await tx.webhooks.listSubscriptions(undefined, this.settings.maxSubscriptions);
      if (existing.length >= this.settings.maxSubscriptions) {
        throw DomainError.illegalTransition(`there are already ${existing.length} subscriptions, the most allowed (WEBHOOK_MAX_SUBSCRIPTIONS); delete one first`);
      }
      await tx.webhooks.insertSubscription(subscription, secret);
    });
    await this.changed();
    return { subscription, secret };
  }

  async get(id: string): Promise<WebhookSubscription> {
    const found = await this.store.transaction((tx) => tx.webhooks.getSubscription(id), { readOnly: true });
    if (!found) throw notFound(id);
    return found;
  }

  list(after: { createdAt: Date; id: string } | undefined, limit: number): Promise<WebhookSubscription[]> {
    return this.store.transaction((tx) => tx.webhooks.listSubscriptions(after, limit), { readOnly: true });
  }

  async update(id: string, change: SubscriptionChange): Promise<WebhookSubscription> {
    const now = this.clock.now();
    const updated = await this.store.transaction(async (tx) => {
      const current = await tx.webhooks.getSubscription(id);
      if (!current) throw notFound(id);
      const next: WebhookSubscription = {
        ...current,
        ...(change.url !== undefined ? { url: checkWebhookUrl(change.url, this.settings.allowHttp) } : {}),
        ...(change.events !== undefined && change.events.length > 0 ? { events: checkEvents(change.events) } : {}),
        ...(change.description !== undefined ? { description: checkDescription(change.description) } : {}),
        ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
        updatedAt: now,
      };
      if (!(await tx.webhooks.updateSubscription(next))) throw notFound(id);
      return next;
    });
    await this.changed();
    return updated;
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.store.transaction((tx) => tx.webhooks.deleteSubscription(id));
    if (!deleted) throw notFound(id);
    await this.changed();
  }

  async rotateSecret(id: string, given: string): Promise<string> {
    const secret = given === '' ? this.newSecret() : checkSecret('secret', given);
    const done = await this.store.transaction((tx) => tx.webhooks.setSecret(id, secret, this.clock.now()), { singleStatement: true });
    if (!done) throw notFound(id);
    return secret;
  }

  async deliveries(query: DeliveryPageQuery): Promise<WebhookDelivery[]> {
    await this.get(query.subscriptionId);
    return this.store.transaction((tx) => tx.webhooks.listDeliveries(query), { readOnly: true });
  }

  /** This replica at once (before the call answers), the others by NOTIFY. */
  private async changed(): Promise<void> {
    await this.reload();
    this.wakeUps.webhooksChanged();
  }
}

function notFound(id: string): DomainError {
  return DomainError.notFound(`webhook subscription ${id} does not exist`);
}

function checkDescription(description: string): string {
  if (description.length > 500) throw DomainError.invalidArgument(`description is ${description.length} characters long; at most 500 are allowed`);
  return description;
}
