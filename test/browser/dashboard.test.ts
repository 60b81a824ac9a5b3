import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations } from '../support/accessibility.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { connectUnary } from '../support/http-rpc.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const FAR = '2999-01-01T00:00:00Z';

/** The dashboard in headless Chromium against a real server: what a person sees and clicks. */
describe('dashboard in a browser', function () {
  this.timeout(60_000);
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const ids: Record<string, string> = {};

  async function create(name: string, type: string, schedule: object, labels: Record<string, string> = {}): Promise<string> {
    const answer = await connectUnary(base, 'CreateJob', { job: { name, type, schedule, labels } });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return (answer.body.job as { id: string }).id;
  }

  before(async () => {
    server = await startTestServer();
    base = server.httpAddress as string;
    browser = await launchChromium();
    ids.nightly = await create('nightly-report', 'report.build', { cron: { expression: '0 3 * * 1-5', timeZone: 'Europe/Berlin' } }, { team: 'billing' });
    ids.sync = await create('sync-crm', 'crm.sync', { interval: { every: 2, unit: 'INTERVAL_UNIT_HOURS' } }, { team: 'sales' });
    ids.once = await create('send-welcome', 'email.send', { once: { at: FAR } }, { team: 'growth' });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    page.on('dialog', (dialog) => void dialog.accept());
  });
  afterEach(async () => page.close());
  after(async () => {
    await browser?.close();
    await server.stop();
  });

  it('lists the jobs created through the API, with their schedule in words, and filters them by type and label', async () => {
    await page.goto(`${base}/`);
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).to.equal(3);
    const nightly = page.locator(`tr[data-job-id="${ids.nightly}"]`);
    expect(await nightly.locator('td').nth(2).textContent()).to.equal('at 03:00 on Monday to Friday (Europe/Berlin)');
    expect(await page.locator(`tr[data-job-id="${ids.sync}"] td`).nth(2).textContent()).to.equal('every 2 hours');
    await eventually(async () => expect(await nightly.locator('td').nth(5).textContent()).to.equal('—'));
    await screenshot(page, 'jobs');
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await page.getByLabel('Type').fill('crm.sync');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(async () => expect(await page.locator('tbody tr').count()).to.equal(1));
    expect(await page.locator('tbody tr th').textContent()).to.equal('sync-crm');

    await page.getByLabel('Type').fill('');
    await page.getByLabel('Label').fill('team=growth');
    await page.getByLabel('Label').press('Enter');
    await eventually(async () => expect(await page.locator('tbody tr th').allTextContents()).to.deep.equal(['send-welcome']));

    // The search runs on the server as the user types (no Apply): the total is the server's count of matches.
    await page.getByLabel('Label').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(async () => expect(await page.locator('tbody tr').count()).to.equal(3));
    await page.getByLabel('Search').pressSequentially('NIGHTLY');
    await eventually(async () => expect(await page.locator('tbody tr th').allTextContents()).to.deep.equal(['nightly-report']));
    await page.getByText('Jobs 1–1 of 1 with "NIGHTLY" in the name').waitFor();
  });

  it('pauses a job from its row, and the API then reports it PAUSED', async () => {
    await page.goto(`${base}/#/jobs`);
    await page.getByRole('button', { name: 'Pause sync-crm' }).click();
    await eventually(async () => {
      const { body } = await connectUnary(base, 'GetJob', { id: ids.sync });
      expect((body.job as { state: string }).state).to.equal('JOB_STATE_PAUSED');
    });
    const state = page.locator(`tr[data-job-id="${ids.sync}"] [data-state]`);
    await eventually(async () => expect(await state.textContent()).to.equal('paused'));
    expect(await page.getByRole('button', { name: 'Resume sync-crm' }).isEnabled()).to.equal(true);
  });

  it('works from the keyboard alone: focus starts on the page heading, search as you type, then pause and resume a job from its row', async () => {
    await page.goto(`${base}/#/jobs`);
    await page.locator('tbody tr').first().waitFor();
    const focused = page.locator(':focus');
    await eventually(async () => expect(await focused.textContent()).to.equal('Jobs'));
    await page.keyboard.press('Tab');
    expect(await focused.getAttribute('name')).to.equal('search');
    await page.keyboard.type('welcome');
    await eventually(async () => expect(await page.locator('tbody tr th').allTextContents()).to.deep.equal(['send-welcome']));
    const tabTo = async (name: string) => {
      for (let i = 0; i < 30 && (await focused.getAttribute('aria-label')) !== name; i += 1) await page.keyboard.press('Tab');
      expect(await focused.getAttribute('aria-label')).to.equal(name);
    };
    await tabTo('Pause send-welcome');
    await page.keyboard.press('Enter');
    await eventually(async () => expect(((await connectUnary(base, 'GetJob', { id: ids.once })).body.job as { state: string }).state).to.equal('JOB_STATE_PAUSED'));
    // The row is drawn anew; focus lands on its first control that applies now, so a key press undoes the pause.
    await eventually(async () => expect(await focused.getAttribute('aria-label')).to.equal('Resume send-welcome'));
    await page.keyboard.press('Space');
    await eventually(async () => expect(((await connectUnary(base, 'GetJob', { id: ids.once })).body.job as { state: string }).state).to.equal('JOB_STATE_SCHEDULED'));
    await eventually(async () => expect(await focused.getAttribute('aria-label')).to.equal('Pause send-welcome'));
  });

  it('opens a job page with its definition, next 10 fire times, statistics, occurrences and execution history, and one execution in full', async () => {
    const run = await connectUnary(base, 'RunJob', { id: ids.nightly });
    expect(run.status).to.equal(200);
    const { executions } = await server.worker.acquireExecutions({ workerId: 'browser-test-worker', jobTypes: ['report.build'], capacity: 1 });
    const acquired = executions[0];
    await server.worker.completeExecution({ executionId: acquired?.execution?.id ?? '', leaseToken: acquired?.leaseToken ?? '', result: { rows: 42 } });
    await connectUnary(base, 'RunJob', { id: ids.nightly });

    await page.goto(`${base}/#/jobs`);
    // By keyboard: the link opens the job page, and focus moves to its heading.
    await page.getByRole('link', { name: 'nightly-report' }).focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { level: 1, name: /nightly-report/ });
    await heading.waitFor();
    await eventually(async () => expect(await heading.evaluate((element) => element === element.ownerDocument.activeElement)).to.equal(true));
    await page.locator('.fire-times li').first().waitFor();
    expect(await page.locator('.fire-times li').count()).to.equal(10);
    // In the job's own zone with the offset of that instant: 03:00 Berlin is 02:00 UTC in winter, 01:00 in summer.
    await page.getByRole('heading', { name: 'Next 10 fire times (Europe/Berlin)' }).waitFor();
    for (const time of await page.locator('.fire-times time').all()) {
      const text = (await time.textContent()) as string;
      const offset = /^\d{4}-\d{2}-\d{2} 03:00 (Mon|Tue|Wed|Thu|Fri) Europe\/Berlin \(UTC\+0([12]):00\)$/.exec(text);
      expect(offset, text).to.not.equal(null);
      expect(new Date((await time.getAttribute('datetime')) as string).getUTCHours(), text).to.equal(3 - Number(offset?.[2]));
    }
    const history = page.locator('section[aria-labelledby="history-heading"] tbody tr');
    await history.first().waitFor();
    expect(await history.count()).to.equal(2);
    const succeeded = page.locator(`tr[data-execution-id="${acquired?.execution?.id}"]`);
    expect(await succeeded.locator('td').nth(0).textContent()).to.equal('succeeded');
    expect(await succeeded.locator('td').nth(3).textContent()).to.equal('browser-test-worker');
    expect(await succeeded.locator('td').nth(7).textContent()).to.equal('{"rows":42}');
    await eventually(async () => expect(await page.locator('[data-testid="stats"]').textContent()).to.include('Success rate100.0 %'));
    expect(await page.getByTestId('windows').textContent()).to.equal('any time (no windows)');
    // Both runs of this test are in the occurrence ledger of the last 24 hours, oldest first.
    const occurrences = page.locator('[data-testid="occurrences"] tbody tr');
    await eventually(async () => expect(await occurrences.count()).to.equal(2));
    expect(await occurrences.locator('td:nth-child(2)').allTextContents()).to.deep.equal(['run by an operator', 'run by an operator']);
    expect(await occurrences.first().locator('td:nth-child(3) a').getAttribute('href')).to.equal(`#/executions/${acquired?.execution?.id}`);
    expect(await occurrences.first().locator('td:nth-child(4)').textContent()).to.equal('succeeded');
    await screenshot(page, 'job');
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await succeeded.locator('th a').click();
    await page.getByRole('heading', { name: /^Execution #1 of report\.build$/ }).waitFor();
    expect(await page.locator('pre').first().textContent()).to.include('"rows": 42');
    await screenshot(page, 'execution');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });

  it('charts the last hour from the server when the live view opens, then shows an execution as it happens', async () => {
    // Finished before the page opens: only the server's history can put it on the charts.
    await connectUnary(base, 'RunJob', { id: ids.once });
    const { executions } = await server.worker.acquireExecutions({ workerId: 'browser-test-worker', jobTypes: ['email.send'], capacity: 1 });
    await server.worker.completeExecution({ executionId: executions[0]?.execution?.id ?? '', leaseToken: executions[0]?.leaseToken ?? '' });
    await page.goto(`${base}/#/live`);
    const throughput = page.locator('figure.chart', { hasText: 'Throughput' });
    await eventually(async () => expect(await throughput.getAttribute('data-points')).to.equal('60'));
    expect(Number(await throughput.getAttribute('data-sum'))).to.be.at.least(1);
    expect(Number(await page.locator('figure.chart', { hasText: 'Success rate' }).getAttribute('data-points'))).to.be.at.least(1);
    await page.getByText('Stream: connected').waitFor();
    // The page subscribes when its stream opens, which the test cannot see: run the job until a row appears.
    const row = page.locator(`[data-testid="live-events"] tr[data-job-id="${ids.once}"]`);
    for (let attempt = 0; attempt < 50 && (await row.count()) === 0; attempt += 1) {
      await connectUnary(base, 'RunJob', { id: ids.once });
      await row.first().waitFor({ timeout: 200 }).catch(() => undefined);
    }
    expect(await row.first().locator('td').nth(2).textContent()).to.equal('email.send');
    await page.locator('figure.chart').first().waitFor();
    expect(await page.locator('figure.chart').count()).to.equal(4);
    await screenshot(page, 'live');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });

  it('shows the webhook subscriptions and, for one, its recent deliveries with their status and error', async () => {
    const WEBHOOKS = 'jobscheduler.v1.WebhookService';
    // Loopback is refused at delivery (no WEBHOOK_ALLOW_CIDRS): the delivery fails at its first attempt, without a network.
    const created = await connectUnary(base, 'CreateSubscription', { subscription: { url: 'https://127.0.0.1:9/hooks', jobType: 'hook.demo', events: ['WEBHOOK_EVENT_CANCELLED'], description: 'demo alerts' } }, {}, WEBHOOKS);
    expect(created.status, JSON.stringify(created.body)).to.equal(200);
    const subscriptionId = (created.body.subscription as { id: string }).id;
    const job = await create('hooked-job', 'hook.demo', { once: { at: FAR } });
    const run = await connectUnary(base, 'RunJob', { id: job });
    await connectUnary(base, 'CancelExecution', { id: (run.body.execution as { id: string }).id });
    await eventually(async () => {
      const { body } = await connectUnary(base, 'ListDeliveries', { subscriptionId }, {}, WEBHOOKS);
      expect((body.deliveries as { status: string }[]).map((d) => d.status)).to.deep.equal(['DELIVERY_STATUS_FAILED']);
    }, 10_000);

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    const row = page.locator(`tr[data-subscription-id="${subscriptionId}"]`);
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).to.include.members(['jobs of type hook.demo', 'cancelled', 'enabled', 'demo alerts']);
    expect(await page.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current')).to.equal('page');
    await screenshot(page, 'webhooks');
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await row.getByRole('link', { name: 'https://127.0.0.1:9/hooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook to https://127.0.0.1:9/hooks' }).waitFor();
    const delivery = page.locator('section[aria-labelledby="deliveries-heading"] tbody tr');
    await delivery.first().waitFor();
    expect(await delivery.count()).to.equal(1);
    expect(await delivery.locator('th').textContent()).to.equal('execution.cancelled');
    expect(await delivery.locator('td').nth(0).textContent()).to.equal('failed');
    expect(await delivery.locator('td').nth(1).textContent()).to.equal('1');
    expect(await delivery.locator('td').nth(5).textContent()).to.match(/127\.0\.0\.1/);
    expect(await page.locator('main').textContent()).to.not.match(/whsec_/);
    await screenshot(page, 'webhook');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });

  it('asks the API only for pages on every page: each list call names a page size, and no call reads a whole table', async () => {
    const calls: { method: string; body: Record<string, unknown> }[] = [];
    page.on('request', (request) => {
      const method = /\/jobscheduler\.v1\.(?:JobSchedulerService|WebhookService)\/(\w+)$/.exec(request.url())?.[1];
      if (method && method !== 'WatchExecutions') calls.push({ method, body: JSON.parse(request.postData() ?? '{}') as Record<string, unknown> });
    });
    await page.goto(`${base}/#/jobs`);
    await page.locator('tbody tr').first().waitFor();
    await page.goto(`${base}/#/jobs/${ids.nightly}`);
    await page.locator('section[aria-labelledby="history-heading"] tbody tr').first().waitFor();
    await page.locator('section[aria-labelledby="history-heading"] tbody tr th a').first().click();
    await page.getByRole('heading', { name: /^Execution #/ }).waitFor();
    await page.goto(`${base}/#/webhooks`);
    await page.locator('tr[data-subscription-id] th a').first().click();
    await page.locator('section[aria-labelledby="deliveries-heading"] tbody tr').first().waitFor();
    await page.goto(`${base}/#/live`);
    await page.locator('figure.chart').first().waitFor();
    await eventually(async () => expect(calls.map((c) => c.method)).to.include('GetMetricsHistory'));
    // Each of these reads one job, one execution, one schedule or a bounded window; the lists are paged.
    const bounded = ['GetJob', 'GetJobStats', 'GetExecution', 'PreviewSchedule', 'GetMetricsHistory', 'ListJobs', 'ListExecutions', 'ListOccurrences', 'GetSubscription', 'ListSubscriptions', 'ListDeliveries'];
    expect(calls.filter((c) => !bounded.includes(c.method)), 'a call the dashboard makes that this test does not know').to.deep.equal([]);
    const lists = calls.filter((c) => c.method.startsWith('List'));
    expect(lists.map((c) => c.method)).to.include.members(['ListJobs', 'ListExecutions', 'ListOccurrences', 'ListSubscriptions', 'ListDeliveries']);
    for (const list of lists) expect(list.body.pageSize, `${list.method} ${JSON.stringify(list.body)}`).to.be.within(1, 50);
    // The jobs table reads no payloads (up to 256 KiB each).
    for (const jobs of calls.filter((c) => c.method === 'ListJobs')) expect(jobs.body.view, JSON.stringify(jobs.body)).to.equal('JOB_VIEW_BASIC');
    // The ledger is read for the last 24 hours, not from the earliest slot kept.
    for (const ledger of calls.filter((c) => c.method === 'ListOccurrences')) expect(Date.now() - Date.parse(String(ledger.body.from)), JSON.stringify(ledger.body)).to.be.within(86_400_000, 86_400_000 + 600_000);
    for (const history of calls.filter((c) => c.method === 'GetMetricsHistory')) expect(history.body.window, JSON.stringify(history.body)).to.be.oneOf(['3600s', '120s']);
  });

  it('resumes the live view from its cursor after a network drop: an execution queued while cut off still appears', async () => {
    const target = new URL(base);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    after(async () => proxy.stop());
    await page.goto(`http://127.0.0.1:${proxy.port}/#/live`);
    await page.getByText('Stream: connected').waitFor();
    const events = page.locator('[data-testid="live-events"] tbody tr');
    // A first event gives the page a cursor to resume from.
    for (let attempt = 0; attempt < 50 && (await events.count()) === 0; attempt += 1) {
      await connectUnary(base, 'RunJob', { id: ids.once });
      await events.first().waitFor({ timeout: 200 }).catch(() => undefined);
    }
    // The execution is queued while the connection is cut; the page learns of it only by resuming after its cursor.
    proxy.cut();
    const missed = await connectUnary(base, 'RunJob', { id: ids.once });
    const missedId = (missed.body.execution as { id: string }).id;
    await page.getByText(/^Stream: reconnecting \(resuming after cursor \S+\)$/).waitFor();
    proxy.restore();
    await page.locator(`[data-testid="live-events"] tr[data-execution-id="${missedId}"]`).first().waitFor({ timeout: 20_000 });
  });
});
