import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { DeliveryStatus, WebhookEvent } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { scrape } from '../../support/prometheus-text.js';
import { codeOf } from '../../support/security.js';
import { WebhookReceiver, webhookPki } from '../../support/webhook-receiver.js';
import { acquire, complete, createJob, fail, once } from '../engine/engine-harness.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { ALL_EVENTS, deliver, deliveriesOf, loadReceiverCheck, newClock, statusName, webhookServer, type WebhookServer } from './webhook-harness.js';

const TYPE = 'engine.test';
const SECONDS = (clock: FakeClock) => clock.now().getTime() / 1000;

describe('webhooks: signed delivery from the outbox to a real HTTPS receiver', function () {
  this.timeout(60_000);
  let pki: Awaited<ReturnType<typeof webhookPki>>;
  let receiver: WebhookReceiver;
  let verify: Awaited<ReturnType<typeof loadReceiverCheck>>;
  let clock: FakeClock;
  let server: WebhookServer;

  before(async () => {
    pki = await webhookPki();
    verify = await loadReceiverCheck();
  });
  after(() => pki.cleanup());
  beforeEach(async () => {
    receiver = await WebhookReceiver.start(pki, '127.0.0.2');
    clock = newClock();
    server = await webhookServer(clock, pki.caFile);
  });
  afterEach(async () => {
    await server.stop();
    await receiver.stop();
  });

  async function subscribe(path: string, events = ALL_EVENTS, scope?: { case: 'jobType' | 'jobId'; value: string }) {
    const created = await server.webhooks.createSubscription({ subscription: { url: `${receiver.origin}${path}`, events, enabled: true, ...(scope ? { scope } : {}) } });
    return { id: created.subscription!.id, secret: created.secret };
  }

  it('sends every event kind from all three outcome paths and the cancel paths, each signed as docs/api.md checks it', async () => {
    const { id, secret } = await subscribe('/all');
    expect(secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const { subscription } = await server.webhooks.getSubscription({ id });
    expect(Object.keys(subscription!)).to.not.include('secret');

    // Unary CompleteExecution: succeeded.
    const ok = await createJob(server, { name: 'ok', schedule: once() });
    // FailExecution with a retry left, then without: attempt_failed, then failed.
    const flaky = await createJob(server, { name: 'flaky', schedule: once(), retryPolicy: { maxRetries: 1, initialBackoff: durationFromMs(1_000) } });
    // CancelExecution of a running execution, and CancelJob of a queued one: cancelled.
    const cancelledRun = await createJob(server, { name: 'cancel run', schedule: once() });
    const cancelledJob = await createJob(server, { name: 'cancel job', schedule: once(), type: 'other.type' });
    // The reaper (an expired lease, no retries): failed.
    const lost = await createJob(server, { name: 'lost', schedule: once(), retryPolicy: { maxRetries: 0 } });
    // The dead-man's switch: overdue.
    await createJob(server, { name: 'watched', schedule: { kind: { case: 'cron', value: { expression: '0 0 1 1 *', timeZone: 'UTC' } } }, expectSuccessWithin: durationFromMs(60_000) });

    const first = new Map((await acquire(server, 10, 5_000)).map((a) => [a.execution!.jobId, a]));
    await complete(server, first.get(ok.id)!);
    await fail(server, first.get(flaky.id)!);
    await server.scheduler.cancelExecution({ id: first.get(cancelledRun.id)!.execution!.id });
    await server.scheduler.cancelJob({ id: cancelledJob.id });
    clock.advance(2_000);
    const [retry] = await acquire(server, 10);
    expect(retry?.execution?.jobId).to.equal(flaky.id);
    await fail(server, retry!);
    clock.advance(120_000);
    await server.useCases.rescue.runOnce();

    // Nothing was sent while the outcomes were recorded: the outbox holds them.
    expect(receiver.received).to.have.length(0);
    await deliver(server);
    const types = receiver.on('/all').map((r) => `${(JSON.parse(r.body) as { type: string; data: { job_id: string } }).type}`);
    expect(types.sort()).to.deep.equal(['execution.attempt_failed', 'execution.cancelled', 'execution.cancelled', 'execution.failed', 'execution.failed', 'execution.succeeded', 'job.overdue']);
    for (const request of receiver.received) {
      expect(verify(secret, request.headers, request.body, SECONDS(clock)), `signature of ${request.body}`).to.equal(true);
      expect(request.headers['webhook-timestamp']).to.equal(String(Math.floor(SECONDS(clock))));
      expect(request.headers['content-type']).to.equal('application/json');
      // The same code refuses a changed body, another secret, and an old timestamp (a replay).
      expect(verify(secret, request.headers, request.body.replace('"', ' "'), SECONDS(clock))).to.equal(false);
      expect(verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, request.headers, request.body, SECONDS(clock))).to.equal(false);
      expect(verify(secret, request.headers, request.body, SECONDS(clock) + 301)).to.equal(false);
    }
    const byType = (type: string) => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> }).filter((b) => b.type === type);
    expect(byType('execution.succeeded')[0]?.data).to.include({ job_id: ok.id, job_type: TYPE, status: 'succeeded', attempt: 1 });
    expect(byType('execution.attempt_failed')[0]?.data).to.include({ job_id: flaky.id, attempt: 1, status: 'failed' });
    expect(byType('execution.failed').map((b) => b.data.job_id).sort()).to.deep.equal([flaky.id, lost.id].sort());
    expect(byType('execution.failed').find((b) => b.data.job_id === lost.id)?.data).to.include({ status: 'lost' });
    expect(byType('execution.cancelled').map((b) => b.data.job_id).sort()).to.deep.equal([cancelledRun.id, cancelledJob.id].sort());
    const log = await deliveriesOf(server, id);
    expect(log.map((d) => statusName(d.status))).to.deep.equal(Array(7).fill('DELIVERED'));
    expect(new Set(log.map((d) => d.id))).to.deep.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])));
  });

  it('sends the events of the Work stream group commit too', async () => {
    await subscribe('/stream', [WebhookEvent.SUCCEEDED]);
    const job = await createJob(server, { name: 'streamed', schedule: once() });
    const { WorkSession } = await import('../../support/work-session.js');
    const session = await WorkSession.open(server.worker, { start: { workerId: 'w1', jobTypes: [TYPE] }, credits: 1 });
    const { eventually } = await import('../../support/eventually.js');
    const leased = await eventually(() => {
      const found = session.received.flatMap((m) => m.executions);
      expect(found).to.have.length(1);
      return found[0]!;
    });
    await session.send({ outcomes: [{ executionId: leased.execution!.id, leaseToken: leased.leaseToken, outcome: { case: 'success', value: {} } }] });
    await eventually(() => expect(session.received.flatMap((m) => m.results)).to.have.length(1));
    await session.close();
    await deliver(server);
    expect(receiver.on('/stream').map((r) => (JSON.parse(r.body) as { data: { job_id: string } }).data.job_id)).to.deep.equal([job.id]);
  });

  it('retries a 500 with backoff under the same webhook-id, and the delivery log shows each attempt', async () => {
    const { id } = await subscribe('/flaky', [WebhookEvent.SUCCEEDED]);
    receiver.answer('/flaky', { status: 500 }, { status: 200 });
    const job = await createJob(server, { name: 'ok', schedule: once() });
    const [run] = await acquire(server);
    await complete(server, run!);

    expect(await deliver(server)).to.equal(1);
    let [delivery] = await deliveriesOf(server, id);
    expect(delivery).to.deep.include({ status: DeliveryStatus.PENDING, attempts: 1, lastError: 'the endpoint answered HTTP 500', lastResponseCode: 500, executionId: run!.execution!.id, jobId: job.id });
    expect(Number(delivery!.nextAttemptTime!.seconds) * 1000).to.equal(clock.now().getTime() + 10_000);
    // Not due yet: nothing is sent before the backoff ends.
    clock.advance(9_000);
    expect(await deliver(server)).to.equal(0);
    clock.advance(1_000);
    expect(await deliver(server)).to.equal(1);
    [delivery] = await deliveriesOf(server, id);
    expect(delivery).to.deep.include({ status: DeliveryStatus.DELIVERED, attempts: 2, lastError: '', lastResponseCode: 200 });
    const [firstTry, secondTry] = receiver.on('/flaky');
    expect(firstTry!.headers['webhook-id']).to.equal(delivery!.id);
    expect(secondTry!.headers['webhook-id']).to.equal(delivery!.id);
    expect(Number(secondTry!.headers['webhook-timestamp']) - Number(firstTry!.headers['webhook-timestamp'])).to.equal(10);
    expect(secondTry!.body).to.equal(firstTry!.body);
  });

  it('doubles the backoff and gives up after WEBHOOK_MAX_ATTEMPTS', async () => {
    const { id } = await subscribe('/down', [WebhookEvent.SUCCEEDED]);
    receiver.answer('/down', { status: 503 });
    const [run] = (await createJob(server, { name: 'ok', schedule: once() }), await acquire(server));
    await complete(server, run!);
    const nextIn: number[] = [];
    for (const wait of [0, 10_000, 20_000]) {
      clock.advance(wait);
      expect(await deliver(server)).to.equal(1);
      const [delivery] = await deliveriesOf(server, id);
      nextIn.push(delivery!.nextAttemptTime ? Number(delivery!.nextAttemptTime.seconds) * 1000 - clock.now().getTime() : -1);
    }
    expect(nextIn).to.deep.equal([10_000, 20_000, -1]);
    const [delivery] = await deliveriesOf(server, id);
    expect(delivery).to.deep.include({ status: DeliveryStatus.FAILED, attempts: 3, lastResponseCode: 503 });
    clock.advance(3_600_000);
    expect(await deliver(server)).to.equal(0);
    expect(receiver.on('/down')).to.have.length(3);
  });

  it('counts attempts by outcome, times them, and publishes the backlog in the metrics', async () => {
    await subscribe('/flaky', [WebhookEvent.SUCCEEDED]);
    await subscribe('/down', [WebhookEvent.SUCCEEDED]);
    receiver.answer('/flaky', { status: 500 }, { status: 200 });
    receiver.answer('/down', { status: 503 });
    const [run] = (await createJob(server, { name: 'ok', schedule: once() }), await acquire(server));
    await complete(server, run!);
    const scrapeNow = async () => {
      await server.observability.parts.refresher.runOnce();
      return scrape(server.observability.metricsAddress ?? '');
    };
    expect((await scrapeNow()).value('jobscheduler_webhook_deliveries_pending')).to.equal(2);

    for (const wait of [0, 10_000, 20_000]) {
      clock.advance(wait);
      await deliver(server);
    }
    const metrics = await scrapeNow();
    expect(metrics.value('jobscheduler_webhook_deliveries_pending')).to.equal(0);
    // /flaky: a failed attempt, then delivered; /down: two failed attempts, then given up.
    const attempts = (outcome: string) => metrics.value('jobscheduler_webhook_delivery_attempts_total', { outcome });
    expect([attempts('delivered'), attempts('failed_attempt'), attempts('given_up')]).to.deep.equal([1, 3, 1]);
    const timed = (outcome: string) => metrics.value('jobscheduler_webhook_delivery_duration_seconds_count', { outcome });
    expect([timed('delivered'), timed('failed_attempt'), timed('given_up')]).to.deep.equal([1, 3, 1]);
    expect(metrics.value('jobscheduler_webhook_delivery_duration_seconds_sum', { outcome: 'delivered' })).to.be.greaterThan(0);
  });

  it('a hanging endpoint holds only its own slots: outcomes are recorded and other endpoints are served meanwhile', async () => {
    const slow = await subscribe('/hang', [WebhookEvent.SUCCEEDED], { case: 'jobType', value: 'slow.type' });
    const fast = await subscribe('/fast', [WebhookEvent.SUCCEEDED], { case: 'jobType', value: TYPE });
    receiver.answer('/hang', 'hang');
    for (let i = 0; i < 5; i += 1) await server.scheduler.createJob({ job: { name: `slow ${i}`, type: 'slow.type', schedule: once() } as never });
    const { executions: slowRuns } = await server.worker.acquireExecutions({ workerId: 'w', jobTypes: ['slow.type'], capacity: 10 });
    for (const run of slowRuns) await complete(server, run);
    // Two of the five are being sent (WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION=2) and hang.
    expect(await server.delivery.runOnce()).to.equal(2);
    const job = await createJob(server, { name: 'fast', schedule: once() });
    const [run] = await acquire(server);
    await complete(server, run!);
    const { execution } = await server.scheduler.getExecution({ id: run!.execution!.id });
    expect(execution!.status).to.equal(ExecutionStatus.SUCCEEDED);
    expect(execution!.jobId).to.equal(job.id);
    // The next pass claims the other endpoint's event (the hanging one has no free slot) and it arrives.
    expect(await server.delivery.runOnce()).to.equal(1);
    const { eventually } = await import('../../support/eventually.js');
    await eventually(() => expect(receiver.on('/fast')).to.have.length(1));
    expect((await deliveriesOf(server, fast.id)).map((d) => statusName(d.status))).to.deep.equal(['DELIVERED']);
    expect((await deliveriesOf(server, slow.id)).map((d) => d.attempts).sort()).to.deep.equal([0, 0, 0, 1, 1]);
    // Let the hanging requests end (the receiver drops them) so the server stops promptly.
    await receiver.stop();
    await server.delivery.settled();
    receiver = await WebhookReceiver.start(pki, '127.0.0.2');
  });

  it('RotateSecret signs later attempts with the new secret; a supplied secret is checked', async () => {
    const mine = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const created = await server.webhooks.createSubscription({ subscription: { url: `${receiver.origin}/rotate`, events: [WebhookEvent.SUCCEEDED], enabled: true }, secret: mine });
    expect(created.secret).to.equal(mine);
    const { secret } = await server.webhooks.rotateSecret({ id: created.subscription!.id });
    expect(secret).to.not.equal(mine);
    const [run] = (await createJob(server, { name: 'ok', schedule: once() }), await acquire(server));
    await complete(server, run!);
    await deliver(server);
    const [request] = receiver.on('/rotate');
    expect(verify(secret, request!.headers, request!.body, SECONDS(clock))).to.equal(true);
    expect(verify(mine, request!.headers, request!.body, SECONDS(clock))).to.equal(false);
    const bad = await codeOf(server.webhooks.rotateSecret({ id: created.subscription!.id, secret: 'hunter2' }));
    expect(bad.code).to.equal(status.INVALID_ARGUMENT);
    expect(bad.details).to.match(/^secret must be "whsec_" followed by the base64 of 24 to 64 random bytes/);
  });

  it('refuses bad subscriptions with messages that say what to fix', async () => {
    const cases: Array<[object, status, RegExp]> = [
      [{ url: 'http://hooks.example.com/x', events: [WebhookEvent.SUCCEEDED] }, status.INVALID_ARGUMENT, /^url must use https \(http only where the service sets WEBHOOK_ALLOW_HTTP=true/],
      [{ url: 'ftp://hooks.example.com/x', events: [WebhookEvent.SUCCEEDED] }, status.INVALID_ARGUMENT, /^url must use https/],
      [{ url: 'hooks.example.com/x', events: [WebhookEvent.SUCCEEDED] }, status.INVALID_ARGUMENT, /is not an absolute URL/],
      [{ url: 'https://user:pw@hooks.example.com/x', events: [WebhookEvent.SUCCEEDED] }, status.INVALID_ARGUMENT, /must not carry a user name or password/],
      [{ url: 'https://hooks.example.com/x', events: [] }, status.INVALID_ARGUMENT, /^events must list at least one event/],
      [{ url: 'https://hooks.example.com/x', events: [WebhookEvent.UNSPECIFIED] }, status.INVALID_ARGUMENT, /^subscription\.events\[0\] must be one of/],
      [{ url: 'https://hooks.example.com/x', events: [WebhookEvent.SUCCEEDED], scope: { case: 'jobId', value: 'nope' } }, status.INVALID_ARGUMENT, /^subscription\.job_id "nope" is not a valid id/],
      [{ url: 'https://hooks.example.com/x', events: [WebhookEvent.SUCCEEDED], scope: { case: 'jobId', value: '162a02ad-3381-4959-a7c6-f8cc48580f7d' } }, status.NOT_FOUND, /^job 162a02ad-3381-4959-a7c6-f8cc48580f7d does not exist/],
      [{ url: 'https://hooks.example.com/x', events: [WebhookEvent.SUCCEEDED], description: 'a\u0000b' }, status.INVALID_ARGUMENT, /^subscription\.description contains the NUL character/],
      [{ url: `https://hooks.example.com/${'x'.repeat(2100)}`, events: [WebhookEvent.SUCCEEDED] }, status.INVALID_ARGUMENT, /^url is \d+ characters long; at most 2048/],
      [{ url: 'https://hooks.example.com/x', events: [WebhookEvent.SUCCEEDED], scope: { case: 'jobType', value: '' } }, status.INVALID_ARGUMENT, /job_type/],
    ];
    const rows = [];
    for (const [subscription, code, message] of cases) {
      const answer = await codeOf(server.webhooks.createSubscription({ subscription: subscription as never }));
      rows.push(`${JSON.stringify(subscription)}: ${status[answer.code]} ${message.test(answer.details) ? 'ok' : answer.details}`);
      expect(answer.code, answer.details).to.equal(code);
    }
    expect(rows.every((row) => row.endsWith(' ok')), rows.join('\n')).to.equal(true);
    expect((await codeOf(server.webhooks.getSubscription({ id: '162a02ad-3381-4959-a7c6-f8cc48580f7d' }))).code).to.equal(status.NOT_FOUND);
    expect((await codeOf(server.webhooks.listDeliveries({ subscriptionId: '162a02ad-3381-4959-a7c6-f8cc48580f7d' }))).code).to.equal(status.NOT_FOUND);
  });

  it('is served over Connect on the HTTP port too', async () => {
    const { connectUnary } = await import('../../support/http-rpc.js');
    const created = await connectUnary(server.httpAddress!, 'CreateSubscription', { subscription: { url: 'https://hooks.example.com/x', events: ['WEBHOOK_EVENT_SUCCEEDED'] } }, {}, 'jobscheduler.v1.WebhookService');
    expect(created.status, JSON.stringify(created.body)).to.equal(200);
    // enabled is optional on create and means true when left out.
    expect((created.body as { subscription: { enabled: boolean } }).subscription.enabled).to.equal(true);
    const listed = await connectUnary(server.httpAddress!, 'ListSubscriptions', {}, {}, 'jobscheduler.v1.WebhookService');
    expect((listed.body as { subscriptions: Array<{ url: string; secret?: string }> }).subscriptions.map((s) => [s.url, s.secret])).to.deep.equal([['https://hooks.example.com/x', undefined]]);
  });

  it('a disabled or deleted subscription records nothing; update and list show the change', async () => {
    const { id } = await subscribe('/off', [WebhookEvent.SUCCEEDED]);
    const { subscription } = await server.webhooks.updateSubscription({ id, enabled: false, description: 'paused' });
    expect(subscription).to.deep.include({ enabled: false, description: 'paused' });
    const [run] = (await createJob(server, { name: 'ok', schedule: once() }), await acquire(server));
    await complete(server, run!);
    expect(await deliveriesOf(server, id)).to.have.length(0);
    const { subscriptions } = await server.webhooks.listSubscriptions({});
    expect(subscriptions.map((s) => [s.id, s.enabled])).to.deep.equal([[id, false]]);
    await server.webhooks.deleteSubscription({ id });
    expect((await codeOf(server.webhooks.getSubscription({ id }))).code).to.equal(status.NOT_FOUND);
  });
});
