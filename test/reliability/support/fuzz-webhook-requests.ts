import fc from 'fast-check';
import type { Fixtures } from './fuzz-lane.js';
import { fixtureValues, jobType, text, uint32 } from './fuzz-primitives.js';

/** WebhookService: URLs of every shape (schemes, hosts, credentials, lengths), events out of range, secrets almost right. */
export function webhookRequests(f: Fixtures): Record<string, fc.Arbitrary<object>> {
  const { anyId, jobId, pageToken } = fixtureValues(f);
  const url = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('https://hooks.example.com/fuzz', 'http://hooks.example.com/x', 'ftp://x', 'https://', 'https://[::1', '//x', 'https://u:p@h.example.com', 'javascript:alert(1)', 'https://169.254.169.254/', `https://h.example.com/${'a'.repeat(3000)}`) },
    { weight: 2, arbitrary: fc.webUrl() },
    { weight: 1, arbitrary: text },
  );
  const events = fc.array(fc.integer({ min: -2, max: 7 }), { maxLength: 6 });
  const secret = fc.oneof(fc.constant(''), fc.constantFrom(`whsec_${Buffer.alloc(32, 3).toString('base64')}`, 'whsec_', `whsec_${'A'.repeat(200)}`, `whsec_${Buffer.alloc(16).toString('base64')}`), text);
  const scope = fc.oneof(
    fc.constant({ case: undefined }),
    fc.record({ case: fc.constant('jobType' as const), value: fc.oneof(jobType, text) }),
    fc.record({ case: fc.constant('jobId' as const), value: jobId }),
  );
  const subscription = fc.record({ url, events, scope, description: text, enabled: fc.option(fc.boolean(), { nil: undefined }), id: fc.oneof(fc.constant(''), anyId) }, { requiredKeys: [] });
  return {
    'WebhookService/CreateSubscription': fc.record({ subscription: fc.option(subscription, { nil: undefined }), secret }, { requiredKeys: [] }),
    'WebhookService/GetSubscription': fc.record({ id: anyId }),
    'WebhookService/ListSubscriptions': fc.record({ pageSize: uint32, pageToken }, { requiredKeys: [] }),
    'WebhookService/UpdateSubscription': fc.record({ id: anyId, url: fc.option(url, { nil: undefined }), events, description: fc.option(text, { nil: undefined }), enabled: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] }),
    'WebhookService/DeleteSubscription': fc.record({ id: anyId }),
    'WebhookService/RotateSecret': fc.record({ id: anyId, secret }, { requiredKeys: [] }),
    'WebhookService/ListDeliveries': fc.record({ subscriptionId: anyId, status: fc.integer({ min: -1, max: 5 }), pageSize: uint32, pageToken }, { requiredKeys: [] }),
  };
}

/** Its RPCs that only read: they run many cases at once, and must leave the database as it was whatever they answer. */
export const WEBHOOK_READ_ONLY = [
  'WebhookService/GetSubscription',
  'WebhookService/ListSubscriptions',
  'WebhookService/ListDeliveries',
];
