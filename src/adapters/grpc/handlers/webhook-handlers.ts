import type { WebhookSubscriptions } from '../../../application/webhooks/webhook-subscriptions.js';
import type { DeliveryStatus as StoredStatus, WebhookDelivery as StoredDelivery } from '../../../application/ports/webhook-store.js';
import { DomainError } from '../../../domain/errors.js';
import type { WebhookEventKind, WebhookSubscription as StoredSubscription, SubscriptionScope } from '../../../domain/webhook/subscription.js';
import { create } from '@bufbuild/protobuf';
import { DeliveryStatus, ListDeliveriesResponseSchema, WebhookDeliverySchema, WebhookEvent, type WebhookDelivery, type WebhookService, type WebhookSubscription } from '../../../gen/jobscheduler/v1/webhook_service_pb.js';
import { continuesAfter, pageWithin } from '../mapping/message-bytes.js';
import { decodePageToken, encodePageToken, isTimeMs, pageSize, positionField } from '../mapping/page-token.js';
import { isUuid, requireId, requireJobTypes, timestamp } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';

const EVENT_TO_WIRE: Readonly<Record<WebhookEventKind, WebhookEvent>> = {
  succeeded: WebhookEvent.SUCCEEDED,
  failed: WebhookEvent.FAILED,
  attempt_failed: WebhookEvent.ATTEMPT_FAILED,
  cancelled: WebhookEvent.CANCELLED,
  overdue: WebhookEvent.OVERDUE,
};
const EVENT_FROM_WIRE = new Map([...Object.entries(EVENT_TO_WIRE)].map(([kind, wire]) => [wire, kind as WebhookEventKind]));
const STATUS_TO_WIRE: Readonly<Record<StoredStatus, DeliveryStatus>> = {
  pending: DeliveryStatus.PENDING,
  delivered: DeliveryStatus.DELIVERED,
  failed: DeliveryStatus.FAILED,
};
const STATUS_FROM_WIRE = new Map([...Object.entries(STATUS_TO_WIRE)].map(([kind, wire]) => [wire, kind as StoredStatus]));

/** WebhookService: validates each request, calls the use case, maps the answer. Secrets appear only in Create and Rotate answers. */
export function webhookHandlers(subscriptions: WebhookSubscriptions): ServiceHandlers<typeof WebhookService> {
  return {
    async createSubscription(request) {
      const given = request.subscription;
      if (!given) throw DomainError.invalidArgument('subscription is required');
      if (given.id !== '') throw DomainError.invalidArgument('subscription.id is assigned by the service; leave it empty');
      const { subscription, secret } = await subscriptions.create({
        scope: scopeOf(given),
        events: eventsFrom('subscription.events', given.events),
        url: given.url,
        description: given.description,
        enabled: given.enabled ?? true,
        secret: request.secret,
      });
      return { subscription: subscriptionMessage(subscription), secret };
    },

    async getSubscription(request) {
      return { subscription: subscriptionMessage(await subscriptions.get(requireId('id', request.id))) };
    },

    async listSubscriptions(request) {
      const limit = pageSize(request.pageSize);
      const position = decodePageToken(request.pageToken, 'subscriptions');
      const after = position && { createdAt: new Date(positionField(position, 'c', isTimeMs)), id: positionField(position, 'i', isUuid) };
      const page = await subscriptions.list(after, limit + 1);
      const shown = page.slice(0, limit);
      const last = shown[shown.length - 1];
      return {
        subscriptions: shown.map(subscriptionMessage),
        nextPageToken: page.length > limit && last ? encodePageToken({ c: last.createdAt.getTime(), i: last.id }, 'subscriptions') : '',
      };
    },

    async updateSubscription(request) {
      const updated = await subscriptions.update(requireId('id', request.id), {
        ...(request.url !== undefined ? { url: request.url } : {}),
        ...(request.events.length > 0 ? { events: eventsFrom('events', request.events) } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        ...(request.enabled !== undefined ? { enabled: request.enabled } : {}),
      });
      return { subscription: subscriptionMessage(updated) };
    },

    async deleteSubscription(request) {
      await subscriptions.delete(requireId('id', request.id));
      return {};
    },

    async rotateSecret(request) {
      return { secret: await subscriptions.rotateSecret(requireId('id', request.id), request.secret) };
    },

    async listDeliveries(request) {
      const subscriptionId = requireId('subscription_id', request.subscriptionId);
      let status: StoredStatus | undefined;
      if (request.status !== DeliveryStatus.UNSPECIFIED) {
        status = STATUS_FROM_WIRE.get(request.status);
        if (!status) throw DomainError.invalidArgument(`status ${request.status} is not a delivery status`);
      }
      const query = { subscriptionId, status: status ?? null };
      const limit = pageSize(request.pageSize);
      const position = decodePageToken(request.pageToken, query);
      const before = position && { createdAt: new Date(positionField(position, 'c', isTimeMs)), id: positionField(position, 'i', isUuid) };
      const page = await subscriptions.deliveries({ subscriptionId, status, before, limit: limit + 1 });
      const shown = page.slice(0, limit);
      const deliveries = shown.map((delivery) => create(WebhookDeliverySchema, deliveryMessage(delivery)));
      const tokenAfter = (delivery: StoredDelivery | undefined) => (delivery ? encodePageToken({ c: delivery.createdAt.getTime(), i: delivery.id }, query) : '');
      return pageWithin(ListDeliveriesResponseSchema, WebhookDeliverySchema, deliveries, (count) => ({
        deliveries: deliveries.slice(0, count),
        nextPageToken: tokenAfter(continuesAfter(shown, count, page.length > limit ? shown.at(-1) : undefined)),
      }));
    },
  };
}

function scopeOf(subscription: WebhookSubscription): SubscriptionScope {
  const scope = subscription.scope;
  if (scope.case === 'jobId') return { kind: 'job', jobId: requireId('subscription.job_id', scope.value) };
  if (scope.case === 'jobType') {
    requireJobTypes([scope.value], 'subscription.job_type');
    return { kind: 'job_type', jobType: scope.value };
  }
  return { kind: 'global' };
}

function eventsFrom(field: string, events: readonly WebhookEvent[]): WebhookEventKind[] {
  return events.map((event, i) => {
    const kind = EVENT_FROM_WIRE.get(event);
    if (!kind) throw DomainError.invalidArgument(`${field}[${i}] must be one of WEBHOOK_EVENT_SUCCEEDED, _FAILED, _ATTEMPT_FAILED, _CANCELLED or _OVERDUE, got ${event}`);
    return kind;
  });
}

function subscriptionMessage(subscription: StoredSubscription) {
  const { scope } = subscription;
  return {
    id: subscription.id,
    scope: scope.kind === 'job' ? { case: 'jobId' as const, value: scope.jobId } : scope.kind === 'job_type' ? { case: 'jobType' as const, value: scope.jobType } : { case: undefined },
    events: subscription.events.map((kind) => EVENT_TO_WIRE[kind]),
    url: subscription.url,
    description: subscription.description,
    enabled: subscription.enabled,
    createTime: timestamp(subscription.createdAt),
    updateTime: timestamp(subscription.updatedAt),
  } as WebhookSubscription;
}

function deliveryMessage(delivery: StoredDelivery) {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    eventType: delivery.eventType,
    jobId: delivery.jobId ?? '',
    executionId: delivery.executionId ?? '',
    status: STATUS_TO_WIRE[delivery.status],
    attempts: delivery.attempts,
    lastError: delivery.lastError ?? '',
    lastResponseCode: delivery.lastResponseCode ?? 0,
    nextAttemptTime: timestamp(delivery.nextAttemptAt),
    lastAttemptTime: timestamp(delivery.lastAttemptAt),
    createTime: timestamp(delivery.createdAt),
    payload: delivery.payload,
  } as WebhookDelivery;
}
