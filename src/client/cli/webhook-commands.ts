import { timestampDate } from '@bufbuild/protobuf/wkt';
import { toJson } from '@bufbuild/protobuf';
import { createWebhookClient, type WebhookClient } from '../../adapters/grpc/client/index.js';
import {
  DeliveryStatusSchema,
  WebhookDeliverySchema,
  WebhookEventSchema,
  WebhookSubscriptionSchema,
  type WebhookDelivery,
  type WebhookSubscription,
} from '../../gen/jobscheduler/v1/webhook_service_pb.js';
import { enumLabel, enumValue } from '../labels.js';
import type { Values } from './args.js';
import type { Command, Context } from './context.js';
import { UsageError } from './errors.js';
import { noOperands, operand, wholeNumber } from './operands.js';
import { printFields, printJson, printJsonArray, printTable, time } from './output.js';

/** WebhookService is a client of its own, closed when the command ends. */
async function withWebhooks<T>(context: Context, work: (client: WebhookClient) => Promise<T>): Promise<T> {
  const client = context.connect(createWebhookClient);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

function scopeText(subscription: WebhookSubscription): string {
  const { scope } = subscription;
  if (scope.case === 'jobType') return `type ${scope.value}`;
  if (scope.case === 'jobId') return `job ${scope.value}`;
  return 'all jobs';
}

const eventsText = (subscription: WebhookSubscription) => subscription.events.map((event) => enumLabel(WebhookEventSchema, event)).join(',');

function subscriptionFields(subscription: WebhookSubscription): Array<[string, string]> {
  return [
    ['id', subscription.id],
    ['scope', scopeText(subscription)],
    ['events', eventsText(subscription)],
    ['url', subscription.url],
    ['enabled', subscription.enabled === false ? 'no' : 'yes'],
    ['description', subscription.description || '-'],
    ['created', time(subscription.createTime)],
    ['updated', time(subscription.updateTime)],
  ];
}

/** "--events succeeded,failed --events overdue" as the enum values, each once. */
function eventsFrom(values: Values): number[] {
  const given = ((values.events as string[] | undefined) ?? []).flatMap((text) => text.split(',')).map((text) => text.trim()).filter((text) => text !== '');
  if (given.length === 0) throw new UsageError('--events is missing: one or more of succeeded, failed, attempt-failed, cancelled, overdue (comma-separated or repeated)');
  return [...new Set(given.map((label) => enumValue(WebhookEventSchema, label)))];
}

/** Newest first; the id breaks ties the way the server orders one subscription's log. */
function newestFirst(a: WebhookDelivery, b: WebhookDelivery): number {
  const at = (d: WebhookDelivery) => (d.createTime ? timestampDate(d.createTime).getTime() : 0);
  return at(b) - at(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

async function allSubscriptions(client: WebhookClient, context: Context): Promise<WebhookSubscription[]> {
  const subscriptions: WebhookSubscription[] = [];
  let pageToken = '';
  do {
    const page = await client.listSubscriptions({ pageSize: 500, pageToken }, context.call);
    subscriptions.push(...page.subscriptions);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return subscriptions;
}

export const WEBHOOK_COMMANDS: Command[] = [
  {
    name: 'webhooks list',
    usage: '[--quiet]',
    summary: 'list webhook subscriptions (admin)',
    options: { quiet: { type: 'boolean', short: 'q' } },
    async run(context) {
      noOperands(context);
      const subscriptions = await withWebhooks(context, (client) => allSubscriptions(client, context));
      if (context.values.quiet === true) {
        for (const subscription of subscriptions) context.out.write(`${subscription.id}\n`);
      } else if (context.json) {
        printJsonArray(context.out, WebhookSubscriptionSchema, subscriptions);
      } else {
        printTable(
          context.out,
          ['ID', 'SCOPE', 'EVENTS', 'ENABLED', 'URL'],
          subscriptions.map((s) => [s.id, scopeText(s), eventsText(s), s.enabled === false ? 'no' : 'yes', s.url]),
        );
      }
      return 0;
    },
  },
  {
    name: 'webhooks get',
    usage: 'SUBSCRIPTION_ID',
    summary: 'show a webhook subscription (never its secret)',
    options: {},
    async run(context) {
      const id = operand(context, 'SUBSCRIPTION_ID');
      const { subscription } = await withWebhooks(context, (client) => client.getSubscription({ id }, context.call));
      if (subscription === undefined) return 0;
      if (context.json) printJson(context.out, WebhookSubscriptionSchema, subscription);
      else printFields(context.out, subscriptionFields(subscription));
      return 0;
    },
  },
  {
    name: 'webhooks deliveries',
    usage: '[--subscription SUBSCRIPTION_ID] [--status pending|delivered|failed] [--limit N] [--page-token TOKEN]',
    summary: 'the delivery log, newest first: of one subscription, or the latest of all of them',
    options: { subscription: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, 'page-token': { type: 'string' } },
    async run(context) {
      noOperands(context);
      const { values } = context;
      const subscriptionId = values.subscription as string | undefined;
      const statusText = values.status as string | undefined;
      const status = statusText === undefined ? undefined : enumValue(DeliveryStatusSchema, statusText);
      const limit = wholeNumber(values.limit as string | undefined, 'limit', 1, 500) ?? 50;
      const pageToken = (values['page-token'] as string | undefined) ?? '';
      if (subscriptionId === undefined && pageToken !== '') throw new UsageError('--page-token pages one subscription\'s log: give --subscription too');
      const { deliveries, nextPageToken } = await withWebhooks(context, async (client) => {
        const page = (id: string, token: string) => client.listDeliveries({ subscriptionId: id, pageSize: limit, pageToken: token, ...(status !== undefined ? { status } : {}) }, context.call);
        if (subscriptionId !== undefined) return page(subscriptionId, pageToken);
        // Every subscription's newest `limit`, merged: the newest `limit` of all.
        const logs = await Promise.all((await allSubscriptions(client, context)).map((s) => page(s.id, '')));
        return { deliveries: logs.flatMap((log) => log.deliveries).sort(newestFirst).slice(0, limit), nextPageToken: '' };
      });
      if (nextPageToken !== '' && !context.json) context.err.write(`next page: --page-token ${nextPageToken}\n`);
      if (context.json) {
        printJsonArray(context.out, WebhookDeliverySchema, deliveries, { nextPageToken });
        return 0;
      }
      printTable(
        context.out,
        ['ID', 'SUBSCRIPTION', 'EVENT', 'STATUS', 'ATTEMPTS', 'CODE', 'CREATED', 'NEXT ATTEMPT', 'ERROR'],
        deliveries.map((d) => [
          d.id,
          d.subscriptionId,
          d.eventType,
          enumLabel(DeliveryStatusSchema, d.status),
          String(d.attempts),
          d.lastResponseCode === 0 ? '-' : String(d.lastResponseCode),
          time(d.createTime),
          time(d.nextAttemptTime),
          d.lastError,
        ]),
      );
      return 0;
    },
  },
  {
    name: 'webhooks create',
    usage: '--url URL --events EVENT[,EVENT]… [--job JOB_ID | --type TYPE] [--description TEXT] [--secret whsec_… [--quiet]] [--disabled]',
    summary: 'subscribe an https URL to events of every job, one type or one job; prints the signing secret once',
    options: {
      url: { type: 'string' },
      events: { type: 'string', multiple: true },
      job: { type: 'string' },
      type: { type: 'string' },
      description: { type: 'string' },
      secret: { type: 'string' },
      disabled: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    async run(context) {
      noOperands(context);
      const { values } = context;
      const url = values.url as string | undefined;
      if (url === undefined) throw new UsageError('--url is missing');
      const events = eventsFrom(values);
      const jobId = values.job as string | undefined;
      const jobType = values.type as string | undefined;
      if (jobId !== undefined && jobType !== undefined) throw new UsageError('give --job or --type, not both (neither: every job)');
      // A generated secret is shown in this answer only: printing just the id would lose it.
      if (values.quiet === true && values.secret === undefined) throw new UsageError('--quiet prints only the id, so it needs --secret (else the generated secret would be lost)');
      const scope = jobId !== undefined ? { case: 'jobId' as const, value: jobId } : jobType !== undefined ? { case: 'jobType' as const, value: jobType } : { case: undefined };
      const created = await withWebhooks(context, (client) =>
        client.createSubscription(
          {
            subscription: { url, events, scope, description: (values.description as string | undefined) ?? '', enabled: values.disabled !== true },
            secret: (values.secret as string | undefined) ?? '',
          },
          context.call,
        ),
      );
      if (created.subscription === undefined) return 0;
      if (values.quiet === true) {
        context.out.write(`${created.subscription.id}\n`);
      } else if (context.json) {
        context.out.write(`${JSON.stringify({ subscription: toJson(WebhookSubscriptionSchema, created.subscription), secret: created.secret })}\n`);
      } else {
        printFields(context.out, [...subscriptionFields(created.subscription), ['secret', created.secret]]);
      }
      return 0;
    },
  },
  {
    name: 'webhooks delete',
    usage: 'SUBSCRIPTION_ID',
    summary: 'delete a webhook subscription and its delivery log',
    options: {},
    async run(context) {
      const id = operand(context, 'SUBSCRIPTION_ID');
      await withWebhooks(context, (client) => client.deleteSubscription({ id }, context.call));
      context.out.write(context.json ? `${JSON.stringify({ deleted: id })}\n` : `deleted ${id}\n`);
      return 0;
    },
  },
];
