import { expect } from 'chai';
import { lookup } from 'node:dns/promises';
import { DeliveryStatus, WebhookEvent } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { WebhookReceiver, webhookPki } from '../../support/webhook-receiver.js';
import { acquire, complete, createJob, once } from '../engine/engine-harness.js';
import { deliver, deliveriesOf, newClock, webhookServer, type WebhookServer } from './webhook-harness.js';

/**
 * Server-side request forgery: where a subscription's URL leads is checked at delivery, after
 * DNS, against every address, on every redirect; only 127.0.0.2 is allowed (WEBHOOK_ALLOW_CIDRS).
 */
describe('webhooks: no server-side request forgery', function () {
  this.timeout(60_000);
  let pki: Awaited<ReturnType<typeof webhookPki>>;
  let allowed: WebhookReceiver;
  let loopback: WebhookReceiver;
  let clock: FakeClock;
  let server: WebhookServer;
  /** Names the test answers itself; others go to the system resolver. */
  const names = new Map<string, () => Array<{ address: string; family: number }>>();
  const resolved: string[] = [];

  before(async () => {
    pki = await webhookPki();
    allowed = await WebhookReceiver.start(pki, '127.0.0.2');
    loopback = await WebhookReceiver.start(pki, '127.0.0.1');
    clock = newClock();
    server = await webhookServer(clock, pki.caFile, {
      resolve: async (hostname) => {
        resolved.push(hostname);
        return names.get(hostname)?.() ?? (await lookup(hostname, { all: true }));
      },
    });
  });
  after(async () => {
    await server.stop();
    await allowed.stop();
    await loopback.stop();
    pki.cleanup();
  });
  afterEach(async () => {
    names.clear();
    resolved.length = 0;
    for (const { id } of (await server.webhooks.listSubscriptions({ pageSize: 500 })).subscriptions) await server.webhooks.deleteSubscription({ id });
  });

  /** Subscribes each URL to successes, records one success, delivers; returns each URL's delivery log. */
  async function deliverTo(urls: readonly string[]) {
    const ids = [];
    for (const url of urls) ids.push((await server.webhooks.createSubscription({ subscription: { url, events: [WebhookEvent.SUCCEEDED], enabled: true } })).subscription!.id);
    await createJob(server, { name: 'ok', schedule: once() });
    const [run] = await acquire(server);
    await complete(server, run!);
    await deliver(server);
    return Promise.all(ids.map(async (id) => (await deliveriesOf(server, id))[0]!));
  }

  it('refuses loopback without the allow-list, metadata, private, ULA, mapped and privately resolving names, at the first attempt', async () => {
    names.set('internal.example', () => [{ address: '10.1.2.3', family: 4 }]);
    names.set('mixed.example', () => [{ address: '93.184.216.34', family: 4 }, { address: '192.168.1.5', family: 4 }]);
    const port = new URL(loopback.origin).port;
    const urls = [
      `https://127.0.0.1:${port}/direct`,
      `https://localhost:${port}/by-name`,
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/hook',
      'https://[fd00:ec2::254]/latest/meta-data/',
      `https://[::ffff:127.0.0.1]:${port}/mapped`,
      'https://internal.example/hook',
      'https://mixed.example/hook',
    ];
    const log = await deliverTo(urls);
    const rows = log.map((d, i) => `${urls[i]} ${DeliveryStatus[d.status]} ${d.attempts} ${/^destination refused: .* (is a loopback, private, link-local, metadata or otherwise internal address|resolves to)/.test(d.lastError) ? 'refused' : d.lastError}`);
    expect(rows).to.deep.equal(urls.map((url) => `${url} FAILED 1 refused`));
    expect(log[6]!.lastError).to.include('internal.example resolves to 10.1.2.3');
    expect(loopback.received).to.have.length(0);
  });

  it('connects to the address it checked: a name that resolves elsewhere the second time is not asked again', async () => {
    let calls = 0;
    names.set('localhost', () => [{ address: calls++ === 0 ? '127.0.0.2' : '127.0.0.1', family: 4 }]);
    const [delivery] = await deliverTo([`https://localhost:${new URL(allowed.origin).port}/rebind`]);
    expect(delivery!.status, delivery!.lastError).to.equal(DeliveryStatus.DELIVERED);
    expect(allowed.on('/rebind')).to.have.length(1);
    expect(resolved.filter((name) => name === 'localhost')).to.have.length(1);
    expect(loopback.received).to.have.length(0);
  });

  it('checks every redirect: one to a loopback address is refused, one to an allowed address is followed', async () => {
    allowed.answer('/to-loopback', { status: 302, headers: { location: `${loopback.origin}/stolen` } });
    allowed.answer('/to-allowed', { status: 307, headers: { location: '/final' } });
    const [refused, followed] = await deliverTo([`${allowed.origin}/to-loopback`, `${allowed.origin}/to-allowed`]);
    expect(refused).to.deep.include({ status: DeliveryStatus.FAILED, attempts: 1 });
    expect(refused!.lastError).to.match(/^destination refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1 is a loopback/);
    expect(loopback.received).to.have.length(0);
    expect(followed).to.deep.include({ status: DeliveryStatus.DELIVERED, attempts: 1, lastResponseCode: 200 });
    expect(allowed.on('/final')).to.have.length(1);
  });
});
