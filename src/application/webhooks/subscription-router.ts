import { selects, type WebhookEventType, type WebhookSubscription } from '../../domain/webhook/subscription.js';

/**
 * This replica's copy of the enabled subscriptions, indexed by scope, so that the transactions
 * recording outcomes decide in memory whether an outbox row is needed: with no subscription
 * (`active` false) they do no work at all for webhooks. Replaced whole on every reload (after a
 * change on this replica at once, on others by NOTIFY, and on an interval as the fallback).
 */
export class SubscriptionRouter {
  private global: readonly WebhookSubscription[] = [];
  private byType = new Map<string, WebhookSubscription[]>();
  private byJob = new Map<string, WebhookSubscription[]>();
  private overdue = false;
  private any = false;

  replace(subscriptions: readonly WebhookSubscription[]): void {
    const global: WebhookSubscription[] = [];
    const byType = new Map<string, WebhookSubscription[]>();
    const byJob = new Map<string, WebhookSubscription[]>();
    for (const subscription of subscriptions) {
      if (!subscription.enabled) continue;
      const { scope } = subscription;
      if (scope.kind === 'global') global.push(subscription);
      else if (scope.kind === 'job_type') byType.set(scope.jobType, [...(byType.get(scope.jobType) ?? []), subscription]);
      else byJob.set(scope.jobId, [...(byJob.get(scope.jobId) ?? []), subscription]);
    }
    this.global = global;
    this.byType = byType;
    this.byJob = byJob;
    this.any = global.length + byType.size + byJob.size > 0;
    this.overdue = subscriptions.some((s) => s.enabled && s.events.includes('overdue'));
  }

  /** Whether any subscription is enabled: the only question the hot path asks when none is. */
  get active(): boolean {
    return this.any;
  }

  /** Whether the dead-man's-switch scan has anyone to tell. */
  get wantsOverdue(): boolean {
    return this.overdue;
  }

  matching(jobId: string, jobType: string, type: WebhookEventType): WebhookSubscription[] {
    const candidates = [...this.global, ...(this.byType.get(jobType) ?? []), ...(this.byJob.get(jobId) ?? [])];
    return candidates.filter((subscription) => selects(subscription, type));
  }
}
