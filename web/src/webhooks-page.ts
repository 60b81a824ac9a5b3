import { call, RpcError, type Json } from './api.js';
import { h, notice, replace } from './dom.js';
import { enumWord, instant, relative } from './format.js';
import { showPagedTable, type PagedTable } from './paged-table.js';

const WEBHOOKS = 'jobscheduler.v1.WebhookService';
const SUBSCRIPTIONS_PAGE = 50;
const DELIVERIES_PAGE = 25;

/** WebhookService is the admin's: a reader or operator sees why the page is empty, not a bare code. */
function failure(what: string, error: unknown): HTMLElement {
  const denied = error instanceof RpcError && error.code === 'permission_denied';
  return notice(denied ? `${what}: webhook subscriptions are shown to the admin role only.` : `${what}: ${(error as Error).message}`, 'error');
}

function scopeInWords(subscription: Json): string {
  if (subscription.jobType) return `jobs of type ${subscription.jobType}`;
  if (subscription.jobId) return `job ${subscription.jobId}`;
  return 'every job';
}

function eventsInWords(subscription: Json): string {
  return ((subscription.events ?? []) as string[]).map((event) => enumWord(event, 'WEBHOOK_EVENT_')).join(', ');
}

const enabled = (subscription: Json) => (subscription.enabled === false ? 'disabled' : 'enabled');

/** The subscriptions, read-only (they are changed through the API or `jobscheduler webhooks`). */
export async function webhooksPage(root: HTMLElement, tokens: string[] = [''], page = 0): Promise<void> {
  replace(root, h('h1', {}, 'Webhooks'), notice('Loading…'));
  let response: Json;
  try {
    response = await call('ListSubscriptions', { pageSize: SUBSCRIPTIONS_PAGE, pageToken: tokens[page] }, WEBHOOKS);
  } catch (error) {
    replace(root, h('h1', {}, 'Webhooks'), failure('Could not load webhook subscriptions', error));
    return;
  }
  const subscriptions = (response.subscriptions ?? []) as Json[];
  if (response.nextPageToken) tokens[page + 1] = response.nextPageToken;
  replace(
    root,
    h('h1', {}, 'Webhooks'),
    h('p', { class: 'muted' }, 'Subscriptions POST signed events to their URL. Open one for its recent deliveries.'),
    subscriptions.length === 0
      ? notice('No webhook subscriptions.')
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h('caption', { class: 'visually-hidden' }, 'Webhook subscriptions'),
            h('thead', {}, h('tr', {}, ...['URL', 'Scope', 'Events', 'State', 'Description', 'Created'].map((name) => h('th', { scope: 'col' }, name)))),
            h(
              'tbody',
              {},
              ...subscriptions.map((subscription) =>
                h(
                  'tr',
                  { 'data-subscription-id': subscription.id },
                  h('th', { scope: 'row' }, h('a', { href: `#/webhooks/${subscription.id}` }, subscription.url)),
                  h('td', {}, scopeInWords(subscription)),
                  h('td', {}, eventsInWords(subscription)),
                  h('td', {}, h('span', { class: `state ${subscription.enabled === false ? 'paused' : 'scheduled'}` }, enabled(subscription))),
                  h('td', { class: 'clip' }, subscription.description ?? ''),
                  h('td', { title: instant(subscription.createTime) }, relative(subscription.createTime)),
                ),
              ),
            ),
          ),
        ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages of subscriptions' },
      h('button', { type: 'button', disabled: page === 0, onclick: () => void webhooksPage(root, tokens, page - 1) }, '← Previous'),
      h('span', {}, `Page ${page + 1}`),
      h('button', { type: 'button', disabled: !response.nextPageToken, onclick: () => void webhooksPage(root, tokens, page + 1) }, 'Next →'),
    ),
  );
}

/** One subscription (never its secret) and its delivery log, newest first. */
export async function subscriptionPage(root: HTMLElement, id: string): Promise<void> {
  replace(root, notice('Loading…'));
  let subscription: Json;
  try {
    ({ subscription } = await call('GetSubscription', { id }, WEBHOOKS));
  } catch (error) {
    replace(root, h('h1', {}, 'Webhook subscription'), failure(`Could not load subscription ${id}`, error), h('a', { href: '#/webhooks' }, '← All webhooks'));
    return;
  }
  const rows: Array<[string, string]> = [
    ['Id', subscription.id],
    ['URL', subscription.url],
    ['Scope', scopeInWords(subscription)],
    ['Events', eventsInWords(subscription)],
    ['State', enabled(subscription)],
    ['Description', subscription.description || '—'],
    ['Created', instant(subscription.createTime)],
    ['Updated', instant(subscription.updateTime)],
  ];
  const log = h('section', { 'aria-labelledby': 'deliveries-heading' }, h('h2', { id: 'deliveries-heading' }, 'Recent deliveries'));
  replace(
    root,
    h('p', {}, h('a', { href: '#/webhooks' }, '← All webhooks')),
    h('h1', {}, `Webhook to ${subscription.url}`),
    h('dl', { class: 'pairs' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
    log,
  );
  await showPagedTable(log, deliveriesTable(id));
}

function deliveriesTable(subscriptionId: string): PagedTable {
  return {
    read: (pageToken) => call('ListDeliveries', { subscriptionId, pageSize: DELIVERIES_PAGE, pageToken }, WEBHOOKS),
    items: 'deliveries',
    columns: ['Event', 'Status', 'Attempts', 'Response', 'Recorded', 'Next attempt', 'Last error', 'Execution'],
    row: deliveryRow,
    empty: 'No deliveries yet.',
    failed: (error) => failure('Could not load deliveries', error),
    pager: { label: 'Pages of deliveries', back: '← Newer', forward: 'Older →' },
  };
}

function deliveryRow(delivery: Json): HTMLElement {
  const status = enumWord(delivery.status, 'DELIVERY_STATUS_');
  return h(
    'tr',
    { 'data-delivery-id': delivery.id },
    h('th', { scope: 'row' }, delivery.eventType),
    h('td', {}, h('span', { class: `status ${status === 'delivered' ? 'succeeded' : status === 'pending' ? 'queued' : 'failed'}` }, status)),
    h('td', { class: 'num' }, String(delivery.attempts ?? 0)),
    h('td', { class: 'num' }, delivery.lastResponseCode ? `HTTP ${delivery.lastResponseCode}` : '—'),
    h('td', { title: instant(delivery.createTime) }, relative(delivery.createTime)),
    h('td', { title: instant(delivery.nextAttemptTime) }, delivery.nextAttemptTime ? relative(delivery.nextAttemptTime) : '—'),
    h('td', { class: 'clip', title: delivery.lastError ?? '' }, delivery.lastError ?? ''),
    h('td', {}, delivery.executionId ? h('a', { href: `#/executions/${delivery.executionId}` }, delivery.executionId.slice(0, 8)) : '—'),
  );
}
