import { expect } from 'chai';
import { cli, cliOk } from '../../support/cli.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('jobscheduler CLI: jobs occurrences, on a server whose clock the test moves', function () {
  this.timeout(60_000);
  const HOUR = 3_600_000;
  let clock: FakeClock;
  let ledgerServer: TestServer;
  let on: string[];
  const run = (args: string[]) => cliOk([...args, ...on]);
  const tick = async (ms: number) => {
    clock.advance(ms);
    await ledgerServer.useCases.dispatch.runUntilIdle();
  };

  before(async () => {
    // Monday 2026-03-02 08:00 UTC; the dispatcher runs only when the test ticks.
    clock = new FakeClock('2026-03-02T08:00:00Z');
    ledgerServer = await startTestServer({ clock, env: { SCHEDULER_ENABLED: 'false', POLL_INTERVAL: '1s', REAPER_INTERVAL: '1s' } });
    on = ['--address', ledgerServer.address];
  });
  after(async () => ledgerServer?.stop());

  it('prints one line per slot or run of slots: outcome, execution and status, what it was deferred to, --json, ranges and pages', async () => {
    const window = ['--window', 'Mon-Fri 11:00-12:00', '--window-zone', 'Europe/Berlin'];
    const skipping = (await run(['jobs', 'create', 'skipping', '--type', 'cli.ledger', '--cron', '0 * * * *', '--overlap', 'allow', ...window, '--outside-window', 'skip', '--quiet'])).trim();
    const deferring = (await run(['jobs', 'create', 'deferring', '--type', 'cli.ledger', '--cron', '0 * * * *', ...window, '--quiet'])).trim();
    for (let hour = 0; hour < 4; hour += 1) await tick(HOUR); // 09:00 … 12:00 UTC; the window is 10:00-11:00 UTC
    clock.advance(HOUR / 2);
    const operatorRun = (await run(['jobs', 'run', skipping, '--quiet'])).trim();

    const table = (await run(['jobs', 'occurrences', skipping])).trimEnd().split('\n');
    expect(table[0]).to.match(/^SLOT +SLOTS +OUTCOME +EXECUTION +STATUS +ATTEMPTS +DETAIL$/);
    const fired = (JSON.parse(await run(['executions', 'list', '--job', skipping, '--status', 'queued', '--json'])) as Json).items.map((e: Json) => e.id).filter((id: string) => id !== operatorRun);
    expect(fired).to.have.length(1);
    const rows = table.slice(1).map((row) => row.split(/ {2,}/));
    expect(rows).to.deep.equal([
      ['2026-03-02T09:00:00.000Z', '1', 'skipped-by-window', '-', '-', '-'],
      ['2026-03-02T10:00:00.000Z', '1', 'fired', fired[0], 'queued', '1'],
      ['2026-03-02T11:00:00.000Z', '2', 'skipped-by-window', '-', '-', '-', 'through 2026-03-02T12:00:00.000Z'],
      ['2026-03-02T12:30:00.000Z', '1', 'run-by-operator', operatorRun, 'queued', '1'],
    ]);

    const deferred = (await run(['jobs', 'occurrences', deferring])).trimEnd().split('\n').slice(1);
    expect(deferred[0]).to.match(/^2026-03-02T09:00:00\.000Z +1 +deferred-by-window +\S+ +queued +1 +deferred to 2026-03-02T10:00:00\.000Z$/);
    // The deferred occurrence is queued (active) through 12:00, so the later slots are skipped by the overlap policy, as one run.
    expect(deferred[1]).to.match(/^2026-03-02T10:00:00\.000Z +3 +skipped-by-overlap +- +- +- +through 2026-03-02T12:00:00\.000Z$/);
    expect(deferred).to.have.length(2);

    const asJson = JSON.parse(await run(['jobs', 'occurrences', deferring, '--json'])) as Json;
    expect(asJson.items[0]).to.deep.include({ slotAt: '2026-03-02T09:00:00Z', outcome: 'OCCURRENCE_OUTCOME_DEFERRED_BY_WINDOW', deferredTo: '2026-03-02T10:00:00Z', executionStatus: 'EXECUTION_STATUS_QUEUED' });
    expect(asJson.nextPageToken).to.equal('');

    const range = (await run(['jobs', 'occurrences', skipping, '--from', '2026-03-02T10:00:00Z', '--to', '2026-03-02T11:00:00Z'])).trimEnd().split('\n').slice(1);
    expect(range.map((row) => row.split(/ {2,}/)[2])).to.deep.equal(['fired']);

    const firstPage = await cli(['jobs', 'occurrences', skipping, '--limit', '1', ...on]);
    expect(firstPage.code, firstPage.stderr).to.equal(0);
    expect(firstPage.stdout.trimEnd().split('\n')).to.have.length(2);
    const token = /next page: --page-token (\S+) \(or --all\)/.exec(firstPage.stderr)?.[1];
    expect(token, firstPage.stderr).to.be.a('string');
    const secondPage = await cli(['jobs', 'occurrences', skipping, '--limit', '1', '--page-token', token as string, ...on]);
    expect(secondPage.stdout.split('\n')[1]).to.match(/^2026-03-02T10:00:00\.000Z +1 +fired /);
    expect((await run(['jobs', 'occurrences', skipping, '--limit', '1', '--all'])).trimEnd().split('\n')).to.have.length(5);
  });

  it('names the upstream executions that fired an occurrence, and the quota a due one waits for', async () => {
    const upstream = (await run(['jobs', 'create', 'upstream', '--type', 'cli.upstream', '--now', '--quiet'])).trim();
    const { job: downstream } = await ledgerServer.scheduler.createJob({ job: { name: 'downstream', type: 'cli.held', schedule: { kind: { case: 'afterUpstream', value: {} } }, dependsOn: [{ jobId: upstream }] } });
    await ledgerServer.quotas.setQuota({ quota: { key: { jobType: 'cli.held', labelKey: '', labelValue: '' }, maxRunning: 1 } });
    const holder = (await run(['jobs', 'create', 'holder', '--type', 'cli.held', '--every', '1d', '--quiet'])).trim();
    await run(['jobs', 'run', holder]);
    const [held] = (await ledgerServer.worker.acquireExecutions({ workerId: 'cli-test', jobTypes: ['cli.held'], capacity: 1 })).executions;
    expect(held?.execution?.jobId).to.equal(holder);
    const [a] = (await ledgerServer.worker.acquireExecutions({ workerId: 'cli-test', jobTypes: ['cli.upstream'], capacity: 1 })).executions;
    await ledgerServer.worker.completeExecution({ executionId: a?.execution?.id ?? '', leaseToken: a?.leaseToken ?? '' });

    const [row, ...rest] = (await run(['jobs', 'occurrences', downstream?.id as string])).trimEnd().split('\n').slice(1);
    expect(rest).to.deep.equal([]);
    expect(row).to.match(new RegExp(`^\\S+ +1 +triggered-by-upstream +\\S+ +queued +1 +upstream ${a?.execution?.id}; waiting: quota job_type="cli\\.held": 1 of max_running 1 running$`));
  });
});
