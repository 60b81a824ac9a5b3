import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createWebhookClient, type WebhookClient } from '../../../src/adapters/grpc/client/index.js';
import type { Resolve } from '../../../src/adapters/webhooks/https-sender.js';
import type { DeliverWebhooks } from '../../../src/application/webhooks/deliver-webhooks.js';
import { DeliveryStatus, WebhookEvent, type WebhookDelivery } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { TestDatabase } from '../../support/test-database.js';
import { documentedReceiverCheck, WebhookReceiver, webhookPki } from '../../support/webhook-receiver.js';

export const ALL_EVENTS = [WebhookEvent.SUCCEEDED, WebhookEvent.ATTEMPT_FAILED, WebhookEvent.CANCELLED, WebhookEvent.OVERDUE];

export interface WebhookServer extends TestServer {
  webhooks: WebhookClient;
  delivery: DeliverWebhooks;
}

/**
 * A server on a fake clock whose engine loops (and delivery loop) run only when the test calls
 * them; WEBHOOK_CA_FILE trusts the test's CA, and the receivers' address 127.0.0.2 is allowed.
 */
export async function webhookServer(clock: FakeClock, caFile: string, options: { env?: Record<string, string>; database?: TestDatabase; resolve?: Resolve } = {}): Promise<WebhookServer> {
  const server = await startTestServer({
    clock,
    ...(options.database ? { database: options.database } : {}),
    ...(options.resolve ? { webhookResolve: options.resolve } : {}),
    env: {
      SCHEDULER_ENABLED: 'false',
      WEBHOOK_CA_FILE: caFile,
      WEBHOOK_ALLOW_CIDRS: '127.0.0.2/32',
      WEBHOOK_TIMEOUT: '5s',
      WEBHOOK_RETRY_INITIAL: '10s',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '2',
      ...options.env,
    },
  });
  const webhooks = createWebhookClient(server.address);
  const stop = server.stop.bind(server);
  return Object.assign(server, {
    webhooks,
    delivery: server.useCases.webhooks.delivery!,
    async stop() {
      webhooks.close();
      await stop();
    },
  });
}

export function newClock(): FakeClock {
  return new FakeClock('2026-03-02T08:00:00Z');
}

/** Delivery passes until one claims nothing, each waiting until the requests it started are recorded; returns how many were claimed. */
export async function deliver(server: WebhookServer): Promise<number> {
  let total = 0;
  for (;;) {
    const claimed = await server.delivery.runOnce();
    await server.delivery.settled();
    if (claimed === 0) return total;
    total += claimed;
  }
}

export async function deliveriesOf(server: WebhookServer, subscriptionId: string): Promise<WebhookDelivery[]> {
  const { deliveries } = await server.webhooks.listDeliveries({ subscriptionId, pageSize: 500 });
  return [...deliveries].reverse();
}

export const statusName = (status: DeliveryStatus): string => DeliveryStatus[status];

export function loadReceiverCheck() {
  return documentedReceiverCheck(readFileSync('docs/api.md', 'utf8'), tmpdir());
}

/** What a suite of replicas on one database, with one HTTPS receiver, gives each test (fresh per test). */
export interface ReplicaSuite {
  readonly receiver: WebhookReceiver;
  readonly clock: FakeClock;
  readonly database: TestDatabase;
  /** Another replica on the suite's database and clock, stopped after the test. */
  replica(env?: Record<string, string>): Promise<WebhookServer>;
  /** Stops one replica before the test ends (as a crash or a shutdown would). */
  stop(server: WebhookServer): Promise<void>;
  /** A subscription to the receiver's `path`; its id. */
  subscribe(server: WebhookServer, path: string, events?: WebhookEvent[]): Promise<string>;
}

/** Registers the mocha hooks of such a suite: the test CA once, and per test a receiver, a clock and a database. */
export function replicaSuite(defaultEvents: WebhookEvent[]): ReplicaSuite {
  let pki: Awaited<ReturnType<typeof webhookPki>>;
  let current: { receiver: WebhookReceiver; clock: FakeClock; database: TestDatabase; servers: WebhookServer[] } | undefined;
  const now = () => {
    if (!current) throw new Error('replicaSuite: used outside a test');
    return current;
  };
  before(async () => {
    pki = await webhookPki();
  });
  after(() => pki.cleanup());
  beforeEach(async () => {
    current = { receiver: await WebhookReceiver.start(pki, '127.0.0.2'), clock: newClock(), database: await TestDatabase.create(), servers: [] };
  });
  afterEach(async () => {
    const { servers, receiver, database } = now();
    for (const server of servers) await server.stop();
    await receiver.stop();
    await database.drop();
    current = undefined;
  });
  return {
    get receiver() {
      return now().receiver;
    },
    get clock() {
      return now().clock;
    },
    get database() {
      return now().database;
    },
    async replica(env = {}) {
      const server = await webhookServer(now().clock, pki.caFile, { database: now().database, env });
      now().servers.push(server);
      return server;
    },
    async stop(server) {
      now().servers = now().servers.filter((other) => other !== server);
      await server.stop();
    },
    async subscribe(server, path, events = defaultEvents) {
      return (await server.webhooks.createSubscription({ subscription: { url: `${now().receiver.origin}${path}`, events, enabled: true } })).subscription!.id;
    },
  };
}
