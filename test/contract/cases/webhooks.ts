import { expect } from 'chai';
import { DeliveryStatus, WebhookEvent, type WebhookSubscription } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { fails, ok, type AreaCases } from '../support/contract.js';
import type { Target } from '../support/target.js';
import { rejects, status, unknownId } from '../support/helpers.js';

/** A subscription to a host that never answers in tests; deleted again by `withSubscription`. */
async function withSubscription(t: Target, use: (subscription: WebhookSubscription, secret: string) => Promise<void>): Promise<void> {
  const { subscription, secret } = await t.webhooks.createSubscription({
    subscription: { url: 'https://hooks.example.com/contract', events: [WebhookEvent.FAILED], enabled: false, description: 'contract suite' },
  });
  try {
    await use(subscription!, secret);
  } finally {
    await t.webhooks.deleteSubscription({ id: subscription!.id }).catch(() => undefined);
  }
}

const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export const webhookCases: AreaCases = {
  webhooks: {
    createSubscription: [
      ok('returns the subscription as stored and its secret, which no read returns again', (t) =>
        withSubscription(t, async (subscription, secret) => {
          expect(subscription).to.deep.include({ url: 'https://hooks.example.com/contract', enabled: false, description: 'contract suite' });
          expect(subscription.events).to.deep.equal([WebhookEvent.FAILED]);
          expect(subscription.scope.case).to.equal(undefined);
          expect(secret).to.match(SECRET);
          const { subscription: read } = await t.webhooks.getSubscription({ id: subscription.id });
          expect(JSON.stringify(read, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).to.not.include(secret.slice(6));
        }),
      ),
      fails('INVALID_ARGUMENT', 'no subscription, a plain http or relative URL, no events, a made-up secret', async (t) => {
        await rejects(t.webhooks.createSubscription({}), status.INVALID_ARGUMENT, /^subscription is required$/);
        await rejects(t.webhooks.createSubscription({ subscription: { url: 'http://hooks.example.com/x', events: [WebhookEvent.FAILED] } }), status.INVALID_ARGUMENT, /^url must use https/);
        await rejects(t.webhooks.createSubscription({ subscription: { url: '/hooks', events: [WebhookEvent.FAILED] } }), status.INVALID_ARGUMENT, /is not an absolute URL/);
        await rejects(t.webhooks.createSubscription({ subscription: { url: 'https://hooks.example.com/x' } }), status.INVALID_ARGUMENT, /^events must list at least one event/);
        await rejects(
          t.webhooks.createSubscription({ subscription: { url: 'https://hooks.example.com/x', events: [WebhookEvent.FAILED] }, secret: 'swordfish' }),
          status.INVALID_ARGUMENT,
          /^secret must be "whsec_"/,
        );
      }),
    ],
    getSubscription: [
      ok('reads a subscription by id', (t) =>
        withSubscription(t, async (subscription) => {
          expect((await t.webhooks.getSubscription({ id: subscription.id })).subscription?.id).to.equal(subscription.id);
        }),
      ),
      fails('INVALID_ARGUMENT', 'an id that is not a UUID', async (t) => {
        await rejects(t.webhooks.getSubscription({ id: 'x' }), status.INVALID_ARGUMENT, /^id "x" is not a valid id/);
      }),
      fails('NOT_FOUND', 'an unknown id', async (t) => {
        const id = unknownId();
        await rejects(t.webhooks.getSubscription({ id }), status.NOT_FOUND, new RegExp(`^webhook subscription ${id} does not exist$`));
      }),
    ],
    listSubscriptions: [
      ok('lists subscriptions a page at a time', (t) =>
        withSubscription(t, async (subscription) => {
          const seen: string[] = [];
          let pageToken = '';
          do {
            const page = await t.webhooks.listSubscriptions({ pageSize: 1, pageToken });
            expect(page.subscriptions.length).to.be.at.most(1);
            seen.push(...page.subscriptions.map((s) => s.id));
            pageToken = page.nextPageToken;
          } while (pageToken !== '');
          expect(seen).to.include(subscription.id);
        }),
      ),
      fails('INVALID_ARGUMENT', 'a page token it did not issue, a page size over 500', async (t) => {
        await rejects(t.webhooks.listSubscriptions({ pageToken: 'bogus' }), status.INVALID_ARGUMENT, /^page_token is not a token this service issued$/);
        await rejects(t.webhooks.listSubscriptions({ pageSize: 501 }), status.INVALID_ARGUMENT, /^page_size must be at most 500/);
      }),
    ],
    updateSubscription: [
      ok('changes only the fields given', (t) =>
        withSubscription(t, async (subscription) => {
          const { subscription: updated } = await t.webhooks.updateSubscription({ id: subscription.id, events: [WebhookEvent.SUCCEEDED, WebhookEvent.OVERDUE], description: 'changed' });
          expect(updated).to.deep.include({ url: subscription.url, enabled: false, description: 'changed' });
          expect(updated?.events).to.deep.equal([WebhookEvent.SUCCEEDED, WebhookEvent.OVERDUE]);
        }),
      ),
      fails('INVALID_ARGUMENT', 'a URL that is not https', (t) =>
        withSubscription(t, async (subscription) => {
          await rejects(t.webhooks.updateSubscription({ id: subscription.id, url: 'ftp://x.example.com' }), status.INVALID_ARGUMENT, /^url must use https/);
        }),
      ),
      fails('NOT_FOUND', 'an unknown id', async (t) => {
        await rejects(t.webhooks.updateSubscription({ id: unknownId(), enabled: true }), status.NOT_FOUND, /^webhook subscription .* does not exist$/);
      }),
    ],
    deleteSubscription: [
      ok('deletes it; it is gone', (t) =>
        withSubscription(t, async (subscription) => {
          await t.webhooks.deleteSubscription({ id: subscription.id });
          await rejects(t.webhooks.getSubscription({ id: subscription.id }), status.NOT_FOUND);
        }),
      ),
      fails('INVALID_ARGUMENT', 'no id', async (t) => {
        await rejects(t.webhooks.deleteSubscription({}), status.INVALID_ARGUMENT, /^id is required$/);
      }),
      fails('NOT_FOUND', 'an unknown id', async (t) => {
        await rejects(t.webhooks.deleteSubscription({ id: unknownId() }), status.NOT_FOUND, /^webhook subscription .* does not exist$/);
      }),
    ],
    rotateSecret: [
      ok('returns a new secret', (t) =>
        withSubscription(t, async (subscription, secret) => {
          const rotated = await t.webhooks.rotateSecret({ id: subscription.id });
          expect(rotated.secret).to.match(SECRET).and.not.equal(secret);
        }),
      ),
      fails('INVALID_ARGUMENT', 'a secret not in the whsec_ form', (t) =>
        withSubscription(t, async (subscription) => {
          await rejects(t.webhooks.rotateSecret({ id: subscription.id, secret: 'whsec_short' }), status.INVALID_ARGUMENT, /^secret must be "whsec_"/);
        }),
      ),
      fails('NOT_FOUND', 'an unknown id', async (t) => {
        await rejects(t.webhooks.rotateSecret({ id: unknownId() }), status.NOT_FOUND, /^webhook subscription .* does not exist$/);
      }),
    ],
    listDeliveries: [
      ok('a new subscription has an empty delivery log', (t) =>
        withSubscription(t, async (subscription) => {
          const page = await t.webhooks.listDeliveries({ subscriptionId: subscription.id, status: DeliveryStatus.PENDING });
          expect(page.deliveries).to.deep.equal([]);
          expect(page.nextPageToken).to.equal('');
        }),
      ),
      fails('INVALID_ARGUMENT', 'no subscription id', async (t) => {
        await rejects(t.webhooks.listDeliveries({}), status.INVALID_ARGUMENT, /^subscription_id is required$/);
      }),
      fails('NOT_FOUND', 'an unknown subscription', async (t) => {
        await rejects(t.webhooks.listDeliveries({ subscriptionId: unknownId() }), status.NOT_FOUND, /^webhook subscription .* does not exist$/);
      }),
    ],
  },
};
