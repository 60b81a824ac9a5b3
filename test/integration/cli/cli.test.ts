import { expect } from 'chai';
import { createWorker, NonRetryableError, type Worker } from '../../../src/sdk/index.js';
import { cli, cliOk, spawnCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every command of the jobscheduler CLI, run as its own process (node dist/src/client/cli/main.js,
 * the repository's `npx jobscheduler`) against a real server on a free port.
 */
describe('jobscheduler CLI', function () {
  this.timeout(60_000);
  let server: TestServer;
  let at: string[];

  before(async () => {
    server = await startTestServer();
    at = ['--address', server.address];
  });
  after(async () => {
    await server?.stop();
  });

  const ok = (args: string[], env: Record<string, string> = {}): Promise<string> => cliOk([...args, ...at], env);
  const json = async (args: string[]): Promise<Json> => JSON.parse(await ok([...args, '--json'])) as Json;
  const create = async (name: string, ...flags: string[]): Promise<string> => (await ok(['jobs', 'create', name, '--quiet', ...flags])).trim();

  describe('jobs', () => {
    it('create takes each schedule as people write it, and prints the job', async () => {
      const every = await json(['jobs', 'create', 'every', '--type', 'cli.test', '--every', '1h30m', '--anchor', '2026-01-01T00:00:00Z']);
      expect(every.schedule).to.deep.equal({ interval: { every: 90, unit: 'INTERVAL_UNIT_MINUTES', anchor: '2026-01-01T00:00:00Z' } });
      const daily = await json(['jobs', 'create', 'daily', '--type', 'cli.test', '--every', '2d']);
      expect(daily.schedule).to.deep.equal({ interval: { every: 2, unit: 'INTERVAL_UNIT_DAYS' } });
      const cron = await json(['jobs', 'create', 'cron', '--type', 'cli.test', '--cron', '0 9 * * 1-5', '--tz', 'Europe/Berlin', '--payload', '{"to":"ops@example.com"}', '--label', 'team=ops', '--label', 'tier=1', '--priority=-3', '--attempt-timeout', '5m', '--max-retries', '2', '--overlap', 'allow', '--catch-up', 'run-once', '--description', 'weekday mornings']);
      expect(cron).to.deep.include({ name: 'cron', type: 'cli.test', state: 'JOB_STATE_SCHEDULED', payload: { to: 'ops@example.com' }, labels: { team: 'ops', tier: '1' }, priority: -3, attemptTimeout: '300s', overlapPolicy: 'OVERLAP_POLICY_ALLOW', catchUpPolicy: 'CATCH_UP_POLICY_RUN_ONCE', description: 'weekday mornings' });
      expect(cron.schedule).to.deep.equal({ cron: { expression: '0 9 * * 1-5', timeZone: 'Europe/Berlin' } });
      expect(cron.retryPolicy.maxRetries).to.equal(2);
      const once = await json(['jobs', 'create', 'once', '--type', 'cli.test', '--at', '2099-12-24T18:00Z']);
      expect(once.schedule).to.deep.equal({ once: { at: '2099-12-24T18:00:00Z' } });
      const fromStdin = await cli(['jobs', 'create', 'stdin', '--type', 'cli.now', '--now', '--payload-file', '-', ...at], {}, '{"from":"stdin"}');
      expect(fromStdin.code, fromStdin.stderr).to.equal(0);
      expect(fromStdin.stdout).to.match(/^state: +running$/m);
      expect(fromStdin.stdout).to.match(/^payload: +\{"from":"stdin"\}$/m);
      expect(fromStdin.stdout).to.match(/^schedule: +now$/m);
    });

    it('depends-on: upstream jobs with their conditions, a job that waits for them alone, and clearing them', async () => {
      const extract = await create('extract', '--type', 'cli.deps', '--every', '1h');
      const load = await create('load', '--type', 'cli.deps', '--every', '1h');
      const transform = await json(['jobs', 'create', 'transform', '--type', 'cli.deps', '--after-upstream', '--depends-on', extract, '--depends-on', `${load}:completion`]);
      expect(transform.schedule).to.deep.equal({ afterUpstream: {} });
      expect(transform.dependsOn).to.deep.equal([
        { jobId: extract, condition: 'DEPENDENCY_CONDITION_SUCCESS' },
        { jobId: load, condition: 'DEPENDENCY_CONDITION_COMPLETION' },
      ]);
      const shown = await ok(['jobs', 'get', transform.id]);
      expect(shown).to.match(/^schedule: +after its upstream jobs$/m);
      expect(shown).to.match(new RegExp(`^depends on: +${extract}, ${load}:completion$`, 'm'));
      const alert = await json(['jobs', 'update', transform.id, '--depends-on', `${extract}:failure`]);
      expect(alert.dependsOn).to.deep.equal([{ jobId: extract, condition: 'DEPENDENCY_CONDITION_FAILURE' }]);
      // A clock schedule and upstream jobs together: the job runs on both.
      const both = await json(['jobs', 'update', transform.id, '--every', '1d', '--no-depends-on']);
      expect(both.schedule).to.deep.equal({ interval: { every: 1, unit: 'INTERVAL_UNIT_DAYS' } });
      expect(both.dependsOn ?? []).to.deep.equal([]);
      expect(await ok(['jobs', 'get', transform.id])).to.match(/^depends on: +-$/m);
    });

    it('list: a table by default, ids with --quiet, protobuf JSON with --json, filters, and pages', async () => {
      const a = await create('list-a', '--type', 'cli.list', '--every', '15m', '--label', 'suite=list');
      const b = await create('list-b', '--type', 'cli.list', '--cron', '*/5 * * * *', '--label', 'suite=list');
      const table = await ok(['jobs', 'list', '--type', 'cli.list']);
      const [header, ...rows] = table.trimEnd().split('\n');
      expect(header).to.match(/^ID +NAME +TYPE +STATE +SCHEDULE +NEXT RUN$/);
      expect(rows).to.have.length(2);
      expect(rows[0]).to.match(new RegExp(`^${b} +list-b +cli\\.list +scheduled +cron '\\*/5 \\* \\* \\* \\*' UTC +\\d{4}-`));
      expect(rows[1]).to.match(new RegExp(`^${a} +list-a +cli\\.list +scheduled +every 15m +\\d{4}-`));
      expect((await ok(['jobs', 'list', '--label', 'suite=list', '--quiet'])).trim().split('\n')).to.deep.equal([b, a]);
      expect((await ok(['jobs', 'list', '--type', 'cli.list', '--name-contains', 'ST-B', '--quiet'])).trim()).to.equal(b);
      expect((await json(['jobs', 'list', '--type', 'cli.list'])).items.map((job: Json) => job.name)).to.deep.equal(['list-b', 'list-a']);
      await ok(['jobs', 'pause', a]);
      expect((await ok(['jobs', 'list', '--type', 'cli.list', '--state', 'paused', '--quiet'])).trim()).to.equal(a);

      const page = await cli(['jobs', 'list', '--type', 'cli.list', '--limit', '1', '--quiet', ...at]);
      expect(page.stdout.trim()).to.equal(b);
      const token = /next page: --page-token (\S+)/.exec(page.stderr)?.[1];
      expect(token, page.stderr).to.be.a('string');
      expect((await ok(['jobs', 'list', '--type', 'cli.list', '--limit', '1', '--page-token', token as string, '--quiet'])).trim()).to.equal(a);
      expect((await ok(['jobs', 'list', '--type', 'cli.list', '--limit', '1', '--all', '--quiet'])).trim().split('\n')).to.deep.equal([b, a]);
    });

    it('get, update (only the fields given), pause, resume, cancel and delete', async () => {
      const id = await create('lifecycle', '--type', 'cli.life', '--every', '1h', '--payload', '{"n":1}');
      expect(await ok(['jobs', 'get', id])).to.match(/^name: +lifecycle$/m);
      const updated = await json(['jobs', 'update', id, '--every', '30m', '--name', 'renamed']);
      expect(updated).to.deep.include({ name: 'renamed', payload: { n: 1 }, schedule: { interval: { every: 30, unit: 'INTERVAL_UNIT_MINUTES' } } });
      const stale = await cli(['jobs', 'update', id, '--priority', '5', '--expected-version', '1', ...at]);
      expect(stale.code).to.equal(1);
      expect(stale.stderr).to.match(/^error: ABORTED: .+\n$/);
      expect((await json(['jobs', 'pause', id])).state).to.equal('JOB_STATE_PAUSED');
      expect((await json(['jobs', 'resume', id])).state).to.equal('JOB_STATE_SCHEDULED');
      expect((await json(['jobs', 'cancel', id, '--reason', 'done with it'])).state).to.equal('JOB_STATE_CANCELLED');
      expect(await ok(['jobs', 'delete', id])).to.equal(`deleted ${id}\n`);
      const gone = await cli(['jobs', 'get', id, ...at]);
      expect(gone.code).to.equal(1);
      expect(gone.stderr).to.match(new RegExp(`^error: NOT_FOUND: .*${id}.*\\n$`));
    });

    it('run queues an execution now; retry runs a failed one-shot again', async () => {
      const id = await create('runnable', '--type', 'cli.run', '--every', '1d');
      const execution = (await ok(['jobs', 'run', id, '--quiet'])).trim();
      expect(await ok(['executions', 'get', execution])).to.match(/^status: +queued$/m);
      const ran = await json(['jobs', 'run', id]);
      expect(ran.execution.trigger).to.equal('EXECUTION_TRIGGER_RUN_NOW');

      const refused = await cli(['jobs', 'retry', id, ...at]);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/^error: FAILED_PRECONDITION: .+\n$/);

      const failing = await create('fails', '--type', 'cli.fail', '--now', '--max-retries', '0');
      let attempts = 0;
      const worker: Worker = createWorker({ address: server.address, types: ['cli.fail'], handler: async () => {
        attempts += 1;
        if (attempts === 1) throw new NonRetryableError('first attempt fails');
        return { attempt: attempts };
      } });
      try {
        await eventually(async () => expect((await json(['jobs', 'get', failing])).state).to.equal('JOB_STATE_FAILED'), 20_000);
        const retried = await ok(['jobs', 'retry', failing]);
        expect(retried).to.match(/^trigger: +manual-retry$/m);
        await eventually(async () => expect((await json(['jobs', 'get', failing])).state).to.equal('JOB_STATE_COMPLETED'), 20_000);
      } finally {
        await worker.stop();
      }
    });
  });

  describe('execution windows', () => {
    const windowFlags = ['--window', 'Mon-Fri 09:00-17:00', '--window', 'Sat 10:00-12:00', '--window-zone', 'Europe/Berlin'];

    it('create takes windows as people write them, get shows them, update changes only what is given or clears them', async () => {
      const created = await json(['jobs', 'create', 'windowed', '--type', 'cli.windows', '--cron', '0 * * * *', ...windowFlags, '--outside-window', 'skip', '--at-window-close', 'cancel']);
      const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((day) => `WEEKDAY_${day}`);
      expect(created.executionWindows).to.deep.equal({
        timeZone: 'Europe/Berlin',
        windows: [{ days: weekdays, start: '09:00', end: '17:00' }, { days: ['WEEKDAY_SATURDAY'], start: '10:00', end: '12:00' }],
        outsidePolicy: 'OUTSIDE_WINDOW_POLICY_SKIP',
        endPolicy: 'WINDOW_END_POLICY_CANCEL',
      });
      const id = created.id as string;
      expect(await ok(['jobs', 'get', id])).to.match(/^windows: +Mon-Fri 09:00-17:00, Sat 10:00-12:00 Europe\/Berlin; outside: skip; at close: cancel$/m);

      // A policy alone keeps the windows and the zone; a --window alone replaces the windows and keeps the rest.
      expect((await json(['jobs', 'update', id, '--outside-window', 'defer'])).executionWindows).to.deep.include({ outsidePolicy: 'OUTSIDE_WINDOW_POLICY_DEFER', endPolicy: 'WINDOW_END_POLICY_CANCEL', timeZone: 'Europe/Berlin' });
      await ok(['jobs', 'update', id, '--window', 'Fri-Mon 22:00-06:00']);
      expect(await ok(['jobs', 'get', id])).to.match(/^windows: +Mon,Fri-Sun 22:00-06:00 Europe\/Berlin; outside: defer; at close: cancel$/m);
      expect((await json(['jobs', 'update', id, '--no-windows'])).executionWindows).to.equal(undefined);
      expect(await ok(['jobs', 'get', id])).to.match(/^windows: +-$/m);

      const daily = await json(['jobs', 'create', 'daily-window', '--type', 'cli.windows', '--every', '1h', '--window', 'daily 00:00-00:00', '--window-zone', 'UTC']);
      expect(daily.executionWindows.windows[0].days).to.have.length(7);
      expect(await ok(['jobs', 'get', daily.id as string])).to.match(/^windows: +daily 00:00-00:00 UTC; outside: defer; at close: continue$/m);
    });

    it("passes the server's window errors through as it words them (exit 1)", async () => {
      const refused = async (...flags: string[]) => {
        const result = await cli(['jobs', 'create', 'bad-window', '--type', 'cli.windows', '--every', '1h', ...flags, ...at]);
        expect(result.code, result.stderr).to.equal(1);
        return result.stderr;
      };
      expect(await refused('--window', 'Mon 9:00-17:00', '--window-zone', 'Europe/Berlin')).to.equal('error: INVALID_ARGUMENT: job.execution_windows.windows[0].start must be a time "HH:MM" from 00:00 to 23:59, got "9:00"\n');
      expect(await refused('--window', 'Mon 09:00-17:00', '--window-zone', 'Mars/Olympus')).to.match(/^error: INVALID_ARGUMENT: job\.execution_windows\.time_zone must be an IANA time zone .*"Mars\/Olympus"\n$/);
      expect(await refused('--window', 'Mon 09:00-12:00', '--window', 'Mon 11:00-13:00', '--window-zone', 'UTC')).to.match(/^error: INVALID_ARGUMENT: job\.execution_windows: windows\[0\] \(Monday 09:00-12:00\) overlaps windows\[1\] \(Monday 11:00-13:00\).*\n$/);
      const noWindows = await cli(['jobs', 'update', '00000000-0000-4000-8000-000000000000', '--outside-window', 'skip', ...at]);
      expect(noWindows.code).to.equal(1);
      expect(noWindows.stderr).to.match(/^error: NOT_FOUND: /);
    });

    it('preview shows the fire times after the windows: deferred to the opening, or skipped', async () => {
      const hourly = ['preview', '--cron', '0 * * * *', '--window', 'Mon-Fri 11:00-12:00', '--window-zone', 'Europe/Berlin', '--after', '2026-03-02T08:30:00Z', '--count', '3'];
      // Monday 2 March 2026: 11:00-12:00 Berlin is 10:00-11:00 UTC.
      expect(await ok(hourly)).to.equal('2026-03-02T10:00:00.000Z\n2026-03-02T10:00:00.000Z\n2026-03-03T10:00:00.000Z\n');
      expect(await ok([...hourly, '--outside-window', 'skip'])).to.equal('2026-03-02T10:00:00.000Z\n2026-03-03T10:00:00.000Z\n2026-03-04T10:00:00.000Z\n');
      const closing = await cli([...hourly, '--at-window-close', 'cancel', ...at]);
      expect([closing.code, closing.stderr]).to.deep.equal([2, 'error: preview does not take --at-window-close (see jobscheduler --help)\n']);
    });
  });

  describe('executions', () => {
    it('list, get and cancel', async () => {
      const id = await create('executions', '--type', 'cli.exec', '--every', '1d');
      const first = (await ok(['jobs', 'run', id, '--quiet'])).trim();
      const table = await ok(['executions', 'list', '--job', id]);
      expect(table.split('\n')[0]).to.match(/^ID +JOB +ATTEMPT +STATUS +OCCURRENCE +DURATION +ERROR$/);
      expect(table).to.match(new RegExp(`^${first} +${id} +1 +queued +`, 'm'));
      expect((await ok(['executions', 'list', '--job', id, '--status', 'queued', '--quiet'])).trim()).to.equal(first);
      expect((await ok(['executions', 'list', '--job', id, '--status', 'succeeded', '--quiet'])).trim()).to.equal('');
      expect((await json(['executions', 'get', first])).status).to.equal('EXECUTION_STATUS_QUEUED');
      const cancelled = await ok(['executions', 'cancel', first, '--reason', 'not needed']);
      expect(cancelled).to.match(/^status: +cancelled$/m);
      expect((await json(['executions', 'list', '--job', id])).items.map((e: Json) => e.status)).to.deep.equal(['EXECUTION_STATUS_CANCELLED']);
    });

    it('watch prints events as they happen, stops cleanly on SIGINT with a cursor, and resumes from it', async () => {
      const id = await create('watched', '--type', 'cli.watch', '--every', '1d');
      const watch = spawnCli(['executions', 'watch', '--job', id, ...at]);
      try {
        await eventually(() => expect(watch.stdout()).to.match(/^OCCURRED +EVENT/), 10_000);
        // The stream is open once the server has answered its headers; a run before that would be missed.
        await eventually(async () => {
          const execution = (await ok(['jobs', 'run', id, '--quiet'])).trim();
          await eventually(() => expect(watch.stdout()).to.include(execution), 1_000);
          return execution;
        }, 15_000);
        expect(watch.stdout()).to.match(new RegExp(`\\d{4}-\\S+ +queued +\\S+ +${id} +1 +\\S+$`, 'm'));
        watch.child.kill('SIGINT');
        expect(await watch.exit).to.deep.equal({ code: 0, signal: null });
      } finally {
        watch.child.kill('SIGKILL');
      }
      const cursor = /resume with --cursor (\S+)/.exec(watch.stderr())?.[1];
      expect(cursor, watch.stderr()).to.be.a('string');

      const [missed] = (await ok(['executions', 'list', '--job', id, '--status', 'queued', '--quiet'])).trim().split('\n');
      await ok(['executions', 'cancel', missed as string]);
      const resumed = await cli(['executions', 'watch', '--job', id, '--cursor', cursor as string, '--count', '1', '--json', ...at]);
      expect(resumed.code, resumed.stderr).to.equal(0);
      const event = JSON.parse(resumed.stdout) as Json;
      expect(event).to.deep.include({ kind: 'EXECUTION_EVENT_KIND_CANCELLED' });
      expect(event.execution.id).to.equal(missed);
    });
  });

  describe('webhooks', () => {
    // Loopback is refused at delivery (no WEBHOOK_ALLOW_CIDRS): a delivery fails at once, without a network.
    const URL = 'https://127.0.0.1:9/jobscheduler';
    const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

    it('create (each scope), list, get, delete: tables, fields, --quiet and --json; the secret only in the create answer', async () => {
      const job = await create('hooked', '--type', 'cli.hooks.job', '--every', '1d');
      const created = await ok(['webhooks', 'create', '--url', URL, '--events', 'succeeded,failed', '--events', 'overdue', '--type', 'cli.hooks', '--description', 'ops alerts']);
      expect(created).to.match(/^scope: +type cli\.hooks$/m);
      expect(created).to.match(/^events: +succeeded,failed,overdue$/m);
      expect(created).to.match(/^secret: +whsec_[A-Za-z0-9+/]{43}=$/m);
      const byType = /^id: +(\S+)$/m.exec(created)![1]!;
      const forJob = await json(['webhooks', 'create', '--url', URL, '--events', 'attempt-failed', '--job', job, '--disabled']);
      expect(forJob.subscription).to.deep.include({ jobId: job, events: ['WEBHOOK_EVENT_ATTEMPT_FAILED'], enabled: false });
      expect(forJob.secret).to.match(/^whsec_/);
      const global = (await ok(['webhooks', 'create', '--url', URL, '--events', 'cancelled', '--secret', SECRET, '--quiet'])).trim();

      const [header, ...rows] = (await ok(['webhooks', 'list'])).trimEnd().split('\n');
      expect(header).to.match(/^ID +SCOPE +EVENTS +ENABLED +URL$/);
      expect(rows.find((row) => row.startsWith(byType))).to.match(new RegExp(`^${byType} +type cli\\.hooks +succeeded,failed,overdue +yes +${URL}$`));
      expect(rows.find((row) => row.startsWith(forJob.subscription.id))).to.match(new RegExp(`^\\S+ +job ${job} +attempt-failed +no +`));
      expect(rows.find((row) => row.startsWith(global))).to.match(/ +all jobs +cancelled +yes +/);
      expect((await ok(['webhooks', 'list', '--quiet'])).trim().split('\n')).to.include.members([byType, forJob.subscription.id, global]);
      expect((await json(['webhooks', 'list'])).items.map((s: Json) => s.id)).to.include.members([byType, global]);

      const shown = await ok(['webhooks', 'get', byType]);
      expect(shown).to.match(/^description: +ops alerts$/m);
      expect(shown).to.not.match(/secret/);
      expect(Object.keys(await json(['webhooks', 'get', global]))).to.not.include('secret');

      for (const id of [byType, forJob.subscription.id, global]) expect(await ok(['webhooks', 'delete', id])).to.equal(`deleted ${id}\n`);
      const gone = await cli(['webhooks', 'get', global, ...at]);
      expect(gone.code).to.equal(1);
      expect(gone.stderr).to.match(/^error: NOT_FOUND: webhook subscription \S+ does not exist/);
    });

    it('deliveries: the log of one subscription, filtered by status, or the newest of all', async () => {
      const first = (await ok(['webhooks', 'create', '--url', URL, '--events', 'cancelled', '--type', 'cli.hooks.log', '--secret', SECRET, '--quiet'])).trim();
      const second = (await ok(['webhooks', 'create', '--url', `${URL}/2`, '--events', 'cancelled', '--type', 'cli.hooks.log', '--secret', SECRET, '--quiet'])).trim();
      try {
        const job = await create('logged', '--type', 'cli.hooks.log', '--every', '1d');
        const execution = (await ok(['jobs', 'run', job, '--quiet'])).trim();
        await ok(['executions', 'cancel', execution]);
        // Refused (loopback) at the first attempt: failed for good, with the reason.
        const logOf = async (id: string) => (await json(['webhooks', 'deliveries', '--subscription', id])).items as Json[];
        await eventually(async () => expect((await logOf(first)).map((d) => d.status)).to.deep.equal(['DELIVERY_STATUS_FAILED']), 10_000);
        await eventually(async () => expect((await logOf(second)).map((d) => d.status)).to.deep.equal(['DELIVERY_STATUS_FAILED']), 10_000);
        const [delivery] = await logOf(first);
        expect(delivery).to.deep.include({ subscriptionId: first, eventType: 'execution.cancelled', executionId: execution, attempts: 1 });

        const [header, ...rows] = (await ok(['webhooks', 'deliveries', '--subscription', first, '--status', 'failed'])).trimEnd().split('\n');
        expect(header).to.match(/^ID +SUBSCRIPTION +EVENT +STATUS +ATTEMPTS +CODE +CREATED +NEXT ATTEMPT +ERROR$/);
        expect(rows).to.have.length(1);
        expect(rows[0]).to.match(new RegExp(`^${delivery!.id} +${first} +execution\\.cancelled +failed +1 +- +\\d{4}-\\S+ +- +\\S.*`));
        expect(await ok(['webhooks', 'deliveries', '--subscription', first, '--status', 'pending'])).to.match(/\(none\)\n$/);
        const all = (await json(['webhooks', 'deliveries', '--limit', '2'])).items as Json[];
        expect(all.map((d) => d.subscriptionId).sort()).to.deep.equal([first, second].sort());
        expect((await json(['webhooks', 'deliveries', '--status', 'delivered'])).items).to.deep.equal([]);
      } finally {
        for (const id of [first, second]) await ok(['webhooks', 'delete', id]);
      }
    });
  });

  describe('stats, metrics, preview, health', () => {
    it("stats shows a job's figures; metrics the scheduler's", async () => {
      const id = await create('stats', '--type', 'cli.stats', '--every', '1d');
      await ok(['jobs', 'run', id]);
      const stats = await ok(['stats', id]);
      expect(stats).to.match(new RegExp(`^job: +${id}$`, 'm'));
      expect(stats).to.match(/^queued: +1$/m);
      expect((await json(['stats', id])).jobId).to.equal(id);
      const metrics = await ok(['metrics']);
      expect(metrics).to.match(/^jobs: +\d+ scheduled, /m);
      expect(metrics).to.match(/^schedule lag: +p50 /m);
      expect(Number((await json(['metrics'])).jobsScheduled)).to.be.greaterThan(0);
    });

    it('preview computes fire times on the server for every schedule form', async () => {
      const after = ['--after', '2026-03-27T12:00:00Z', '--count', '3'];
      expect(await ok(['preview', '--cron', '0 9 * * 1-5', '--tz', 'Europe/Berlin', ...after])).to.equal('2026-03-30T07:00:00.000Z\n2026-03-31T07:00:00.000Z\n2026-04-01T07:00:00.000Z\n');
      expect(await ok(['preview', '30 2 * * *', '--tz', 'Europe/Berlin', ...after])).to.equal('2026-03-28T01:30:00.000Z\n2026-03-29T01:00:00.000Z\n2026-03-30T00:30:00.000Z\n');
      expect(await ok(['preview', '--every', '15m', '--anchor', '2026-03-27T12:05:00Z', ...after])).to.equal('2026-03-27T12:05:00.000Z\n2026-03-27T12:20:00.000Z\n2026-03-27T12:35:00.000Z\n');
      expect(await ok(['preview', '--at', '2026-12-24T18:00Z', ...after])).to.equal('2026-12-24T18:00:00.000Z\n');
      expect(await ok(['preview', '--at', '2026-01-01T00:00Z', ...after])).to.equal('(no fire time)\n');
      expect((await json(['preview', '--now', ...after])).fireTimes).to.deep.equal(['2026-03-27T12:00:00Z']);
      const bad = await cli(['preview', '--cron', '61 * * * *', ...at]);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/^error: INVALID_ARGUMENT: .*schedule\.cron.*\n$/);
    });

    it('health says serving (exit 0); an unreachable server is exit 3 naming UNAVAILABLE', async () => {
      expect(await ok(['health'])).to.equal('serving\n');
      expect((await json(['health'])).status).to.equal('SERVING');
      const down = await cli(['health', '--address', '127.0.0.1:1', '--timeout', '2s']);
      expect(down.code).to.equal(3);
      expect(down.stderr).to.match(/^error: (UNAVAILABLE|DEADLINE_EXCEEDED): .+\n$/);
    });
  });

  describe('the command line itself', () => {
    it('takes the address and --json from the environment', async () => {
      const result = await cli(['health'], { JOBSCHEDULER_ADDRESS: server.address, JOBSCHEDULER_JSON: 'true' });
      expect(result.code, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.deep.equal({ status: 'SERVING' });
    });
  });
});
