import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations } from '../support/accessibility.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { connectUnary } from '../support/http-rpc.js';
import { authEnv, bearer, mintToken } from '../support/security.js';
import { SecuredServer } from '../integration/security/secured-server.js';

/** With authentication on: the dashboard asks for a token, and a reader's controls are disabled. */
describe('dashboard in a browser, with authentication on', function () {
  this.timeout(60_000);
  let server: SecuredServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let jobId: string;
  let reader: string;

  before(async () => {
    server = await SecuredServer.start(authEnv({ METRICS_PORT: '0' }));
    base = server.runtime.httpAddress as string;
    const operator = await mintToken({ sub: 'ops', roles: ['operator'] });
    reader = await mintToken({ sub: 'auditor', roles: ['reader'] });
    const created = await connectUnary(base, 'CreateJob', { job: { name: 'guarded', type: 'auth.test', schedule: { interval: { every: 1, unit: 'INTERVAL_UNIT_HOURS' } } } }, bearer(operator));
    jobId = (created.body.job as { id: string }).id;
    browser = await launchChromium();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  });
  afterEach(async () => page.close());
  after(async () => {
    await browser?.close();
    await server.stop();
  });

  it('asks for a token, and refuses one the server does not accept', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.getByLabel('Bearer token').fill('not-a-jwt');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.match(/^Not signed in: /);
  });

  it('signs a reader in: the jobs show, every control is disabled, and the server refuses the call anyway', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Bearer token').fill(reader);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.waitFor();
    expect(await page.locator('#account').textContent()).to.include('auditor (reader)');
    const buttons = row.locator('[data-action]');
    expect(await buttons.count()).to.equal(4);
    for (const button of await buttons.all()) expect(await button.isDisabled(), await button.textContent() ?? '').to.equal(true);
    expect(await row.getByRole('button', { name: 'Pause guarded' }).getAttribute('title')).to.match(/operator or admin/);
    await screenshot(page, 'jobs-reader');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    // What a page would get if it sent the call regardless: the role table's refusal.
    const answer = await page.evaluate(async ({ id, token }) => {
      const response = await fetch('/jobscheduler.v1.JobSchedulerService/PauseJob', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ id }),
      });
      return { status: response.status, body: (await response.json()) as { code: string } };
    }, { id: jobId, token: reader });
    expect([answer.status, answer.body.code]).to.deep.equal([403, 'permission_denied']);

    // Webhook subscriptions are the admin's: the reader is told so, not shown a bare status code.
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.equal('Could not load webhook subscriptions: webhook subscriptions are shown to the admin role only.');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });
});
