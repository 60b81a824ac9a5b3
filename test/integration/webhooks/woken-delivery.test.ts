import { expect } from 'chai';
import pg from 'pg';
import { DeliveryStatus, WebhookEvent } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { eventually } from '../../support/eventually.js';
import { acquire, complete, createJob, once } from '../engine/engine-harness.js';
import { deliveriesOf, replicaSuite } from './webhook-harness.js';

/**
 * The delivery loop is woken by the commit that wrote outbox rows, here and on other replicas:
 * the fake clock never moves, so the 1 s poll can never be what delivers. A retry's backoff is
 * left to the poll.
 */
describe('webhooks: delivery woken by the outcome, not only polled', function () {
  this.timeout(60_000);
  const suite = replicaSuite([WebhookEvent.SUCCEEDED, WebhookEvent.CANCELLED]);
  const { replica, subscribe } = suite;

  const typesOn = (path: string) => suite.receiver.on(path).map((r) => (JSON.parse(r.body) as { type: string }).type);

  it('an outcome, a cancelled execution and a cancelled job are each sent at once by this replica', async () => {
    const server = await replica();
    const id = await subscribe(server, '/here');
    const done = await createJob(server, { name: 'done', schedule: once() });
    await createJob(server, { name: 'stopped', schedule: once() });
    const [first, second] = await acquire(server);
    server.delivery.start();

    await complete(server, [first, second].find((a) => a!.execution!.jobId === done.id)!);
    await eventually(() => expect(typesOn('/here')).to.deep.equal(['execution.succeeded']));
    await server.scheduler.cancelExecution({ id: [first, second].find((a) => a!.execution!.jobId !== done.id)!.execution!.id });
    await eventually(() => expect(typesOn('/here')).to.deep.equal(['execution.succeeded', 'execution.cancelled']));
    const queued = await createJob(server, { name: 'never run', schedule: once() });
    await server.scheduler.cancelJob({ id: queued.id });
    await eventually(() => expect(typesOn('/here')).to.deep.equal(['execution.succeeded', 'execution.cancelled', 'execution.cancelled']));
    await eventually(async () => expect((await deliveriesOf(server, id)).map((d) => DeliveryStatus[d.status])).to.deep.equal(['DELIVERED', 'DELIVERED', 'DELIVERED']));
  });

  it("a retry's backoff is left to the poll", async () => {
    const server = await replica();
    suite.receiver.answer('/later', { status: 500 }, { status: 200 });
    const id = await subscribe(server, '/later');
    await createJob(server, { name: 'ok', schedule: once() });
    const [run] = await acquire(server);
    server.delivery.start();
    await complete(server, run!);
    await eventually(async () => expect((await deliveriesOf(server, id))[0]?.lastResponseCode).to.equal(500));
    suite.clock.advance(10_000); // WEBHOOK_RETRY_INITIAL
    await eventually(async () => expect((await deliveriesOf(server, id)).map((d) => [DeliveryStatus[d.status], d.attempts])).to.deep.equal([['DELIVERED', 2]]));
  });

  it('an outcome recorded on another replica wakes this one through NOTIFY', async () => {
    const [delivering, recording] = [await replica(), await replica()];
    await subscribe(delivering, '/there');
    await recording.useCases.webhooks.subscriptions.reload();
    await createJob(recording, { name: 'elsewhere', schedule: once() });
    const [run] = await acquire(recording);
    delivering.delivery.start();
    await complete(recording, run!);
    await eventually(() => expect(typesOn('/there')).to.deep.equal(['execution.succeeded']));
  });

  it('sends no delivery wake-up for a commit that wrote no outbox row', async () => {
    const server = await replica();
    const heard: Record<string, unknown>[] = [];
    const listener = new pg.Client({ connectionString: suite.database.url });
    await listener.connect();
    try {
      listener.on('notification', (n) => heard.push(JSON.parse(n.payload ?? '{}') as Record<string, unknown>));
      await listener.query('LISTEN jobscheduler_wakeups');
      await createJob(server, { name: 'unwatched', schedule: once() });
      await complete(server, (await acquire(server))[0]!);
      // A subscription's own wake-up comes after the outcome's: once it is heard, so is everything before.
      await subscribe(server, '/watched');
      await eventually(() => expect(heard.some((m) => m.webhooks === true)).to.equal(true));
      expect(heard.filter((m) => m.deliveries !== undefined)).to.deep.equal([]);

      await createJob(server, { name: 'watched', schedule: once() });
      await complete(server, (await acquire(server))[0]!);
      await eventually(() => expect(heard.filter((m) => m.deliveries === true)).to.have.length(1));
    } finally {
      await listener.end();
    }
  });
});
