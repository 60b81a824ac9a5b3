import { DomainError } from '../errors.js';

/** What a subscription can select. `attempt_failed` includes the final failure. */
export type WebhookEventKind = 'succeeded' | 'failed' | 'attempt_failed' | 'cancelled' | 'overdue';
export const WEBHOOK_EVENT_KINDS: readonly WebhookEventKind[] = ['succeeded', 'failed', 'attempt_failed', 'cancelled', 'overdue'];

/** The `type` of an event body, as receivers see it. */
export type WebhookEventType = 'execution.succeeded' | 'execution.failed' | 'execution.attempt_failed' | 'execution.cancelled' | 'job.overdue';

export type SubscriptionScope = { readonly kind: 'global' } | { readonly kind: 'job_type'; readonly jobType: string } | { readonly kind: 'job'; readonly jobId: string };

export interface WebhookSubscription {
  readonly id: string;
  readonly scope: SubscriptionScope;
  readonly events: readonly WebhookEventKind[];
  readonly url: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Which subscription events an event type is delivered for. */
export function selectingKinds(type: WebhookEventType): readonly WebhookEventKind[] {
  switch (type) {
    case 'execution.succeeded':
      return ['succeeded'];
    case 'execution.failed':
      return ['failed', 'attempt_failed'];
    case 'execution.attempt_failed':
      return ['attempt_failed'];
    case 'execution.cancelled':
      return ['cancelled'];
    case 'job.overdue':
      return ['overdue'];
  }
}

export function selects(subscription: Pick<WebhookSubscription, 'events'>, type: WebhookEventType): boolean {
  return selectingKinds(type).some((kind) => subscription.events.includes(kind));
}

/**
 * The URL rules that hold before any address is known: absolute, https (or http when the
 * service allows it), a host, no credentials in it. Where it points is checked at delivery,
 * after DNS resolution (the addresses may change between now and then).
 */
export function checkWebhookUrl(raw: string, allowHttp: boolean): string {
  if (raw.length === 0) throw DomainError.invalidArgument('url is required: the https URL events are POSTed to');
  if (raw.length > 2048) throw DomainError.invalidArgument(`url is ${raw.length} characters long; at most 2048 are allowed`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw DomainError.invalidArgument(`url ${JSON.stringify(raw)} is not an absolute URL such as https://example.com/hooks/jobs`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    const hint = allowHttp ? 'https or http' : 'https (http only where the service sets WEBHOOK_ALLOW_HTTP=true, for development)';
    throw DomainError.invalidArgument(`url must use ${hint}, got ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) throw DomainError.invalidArgument('url must not carry a user name or password; authenticate the receiver with the signature');
  if (!url.hostname) throw DomainError.invalidArgument('url names no host');
  return url.toString();
}

export function checkEvents(events: readonly WebhookEventKind[]): readonly WebhookEventKind[] {
  if (events.length === 0) throw DomainError.invalidArgument('events must list at least one event: succeeded, failed, attempt_failed, cancelled or overdue');
  return [...new Set(events)];
}
