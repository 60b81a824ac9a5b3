import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { DeliveryStatus, WebhookEvent } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { codeOf } from '../../support/security.js';
import { acquire, complete, createJob, once } from '../engine/engine-harness.js';
import { deliver, deliveriesOf, replicaSuite } from './webhook-harness.js';

/** The outbox: written in the outcome's transaction, delivered at least once, across crashes and replicas. */
describe('webhooks: the outbox', function () {
  this.timeout(90_000);
  const suite = replicaSuite([WebhookEvent.SUCCEEDED]);
  const { replica, subscribe } = suite;

  async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const pool = suite.database.pool(1);
    try {
      return (await pool.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await pool.end();
    }
  }

  it('an outcome whose transaction rolls back at commit leaves no outbox row, and the retried outcome leaves one', async () => {
    const server = await replica();
    const id = await subscribe(server, '/atomic');
    await createJob(server, { name: 'ok', schedule: once() });
    const [run] = await acquire(server);
    // Fails the outcome's transaction at COMMIT, after every statement (the outbox insert included) ran.
    await rows(`CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected commit failure'; END $$;
                CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON execution_event_batches DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()`);
    const refused = await codeOf(complete(server, run!));
    expect(refused.code).to.not.equal(status.OK);
    expect(await rows('SELECT id FROM webhook_deliveries')).to.have.length(0);
    expect((await server.scheduler.getExecution({ id: run!.execution!.id })).execution!.status).to.equal(ExecutionStatus.RUNNING);

    await rows('DROP TRIGGER refuse_commit ON execution_event_batches');
    await complete(server, run!);
    await deliver(server);
    expect((await deliveriesOf(server, id)).map((d) => [d.executionId, DeliveryStatus[d.status]])).to.deep.equal([[run!.execution!.id, 'DELIVERED']]);
  });

  it('a replica that stops after the outcome commits, or dies holding a claim, leaves the event to be delivered by another', async () => {
    const first = await replica();
    const id = await subscribe(first, '/survive');
    await createJob(first, { name: 'a', schedule: once() });
    await createJob(first, { name: 'b', schedule: once() });
    const runs = await acquire(first);
    for (const run of runs) await complete(first, run);
    // A claim made by a replica that then died: counted as an attempt, due again after the claim.
    const [claimed] = await rows(`UPDATE webhook_deliveries SET attempts = 1, next_attempt_at = $1::timestamptz + interval '10 seconds'
                                  WHERE id = (SELECT id FROM webhook_deliveries ORDER BY id LIMIT 1) RETURNING id`, [suite.clock.now()]);
    await suite.stop(first);

    const second = await replica();
    expect(await deliver(second)).to.equal(1);
    suite.clock.advance(10_000);
    expect(await deliver(second)).to.equal(1);
    const log = await deliveriesOf(second, id);
    expect(log.map((d) => DeliveryStatus[d.status])).to.deep.equal(['DELIVERED', 'DELIVERED']);
    expect(log.find((d) => d.id === claimed!.id)?.attempts).to.equal(2);
    expect(new Set(suite.receiver.on('/survive').map((r) => r.headers['webhook-id']))).to.deep.equal(new Set(log.map((d) => d.id)));
  });

  it('two replicas delivering at once send each event once', async () => {
    const [a, b] = [await replica({ WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '50' }), await replica({ WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '50' })];
    const id = await subscribe(a!, '/shared');
    for (let i = 0; i < 30; i += 1) await createJob(a!, { name: `job ${i}`, schedule: once() });
    for (const run of await acquire(a!, 30)) await complete(b!, run);
    await Promise.all([deliver(a!), deliver(b!)]);
    const ids = suite.receiver.on('/shared').map((r) => r.headers['webhook-id']);
    expect(ids).to.have.length(30);
    expect(new Set(ids).size).to.equal(30);
    expect((await deliveriesOf(a!, id)).every((d) => d.status === DeliveryStatus.DELIVERED && d.attempts === 1)).to.equal(true);
  });

  it("the dead-man's switch is announced once per overdue episode, whichever replicas scan", async () => {
    const [a, b] = [await replica(), await replica()];
    const id = await subscribe(a!, '/overdue', [WebhookEvent.OVERDUE]);
    await b!.useCases.webhooks.subscriptions.reload();
    const job = await createJob(a!, { name: 'nightly', schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: 'UTC' } } }, expectSuccessWithin: durationFromMs(60_000) });
    suite.clock.advance(61_000);
    await Promise.all([deliver(a!), deliver(b!)]);
    suite.clock.advance(30_000); // past WEBHOOK_SCAN_INTERVAL: both scan again, the episode is the same
    await Promise.all([deliver(a!), deliver(b!)]);
    expect(suite.receiver.on('/overdue').map((r) => (JSON.parse(r.body) as { type: string; data: { job_id: string } }).data.job_id)).to.deep.equal([job.id]);

    // A success sets a new deadline; missing that one too is a new episode.
    await a!.scheduler.runJob({ id: job.id });
    const [run] = await a!.worker.acquireExecutions({ workerId: 'w', jobTypes: ['engine.test'], capacity: 1 }).then((r) => r.executions);
    await complete(a!, run!);
    suite.clock.advance(61_000);
    await Promise.all([deliver(a!), deliver(b!)]);
    const bodies = suite.receiver.on('/overdue').map((r) => JSON.parse(r.body) as { data: { expected_by: string } });
    expect(bodies).to.have.length(2);
    expect(bodies[1]!.data.expected_by > bodies[0]!.data.expected_by).to.equal(true);
    expect((await deliveriesOf(a!, id)).map((d) => d.eventType)).to.deep.equal(['job.overdue', 'job.overdue']);
  });
});
