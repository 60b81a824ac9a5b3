import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations } from '../support/accessibility.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { FakeClock } from '../support/fake-clock.js';
import { connectUnary } from '../support/http-rpc.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const HOUR = 3_600_000;
const hh = (ms: number) => String(new Date(ms).getUTCHours()).padStart(2, '0');

/**
 * The job page's windows and occurrence ledger in headless Chromium, against a server whose clock
 * the test moves: it starts six hours before the browser's now (so the slots fall in the page's
 * last 24 hours) and its dispatcher runs only when the test ticks.
 */
describe('dashboard in a browser: execution windows and the occurrence ledger', function () {
  this.timeout(60_000);
  const start = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
  let clock: FakeClock;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const ids: { deferring?: string; skipping?: string; held?: string; busy?: string } = {};

  async function create(name: string, type: string, job: object): Promise<string> {
    const answer = await connectUnary(base, 'CreateJob', { job: { name, type, schedule: { cron: { expression: '0 * * * *' } }, ...job } });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return (answer.body.job as { id: string }).id;
  }
  const tick = async (ms: number) => {
    clock.advance(ms);
    await server.useCases.dispatch.runUntilIdle();
  };
  // Every day from the second slot's hour for one hour (UTC): the first slot falls before it.
  const windows = (extra: object = {}) => ({ timeZone: 'UTC', windows: [{ days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'].map((d) => `WEEKDAY_${d}`), start: `${hh(start + 2 * HOUR)}:00`, end: `${hh(start + 3 * HOUR)}:00` }], ...extra });

  before(async () => {
    clock = new FakeClock(new Date(start));
    server = await startTestServer({ clock, env: { SCHEDULER_ENABLED: 'false', POLL_INTERVAL: '1s', REAPER_INTERVAL: '1s' } });
    base = server.httpAddress as string;
    browser = await launchChromium();
    ids.deferring = await create('deferring-report', 'dash.deferring', { executionWindows: windows({ endPolicy: 'WINDOW_END_POLICY_CANCEL' }) });
    ids.skipping = await create('skipping-report', 'dash.skipping', { overlapPolicy: 'OVERLAP_POLICY_ALLOW', executionWindows: windows({ outsidePolicy: 'OUTSIDE_WINDOW_POLICY_SKIP' }) });
    for (let hour = 1; hour <= 3; hour += 1) await tick(HOUR); // the slots at start+1h, +2h (in the window), +3h
    // A quota of one running execution holds the second of two operator runs back.
    await server.quotas.setQuota({ quota: { key: { jobType: 'dash.held', labelKey: '', labelValue: '' }, maxRunning: 1 } });
    ids.held = await create('held-by-quota', 'dash.held', { schedule: { interval: { every: 1, unit: 'INTERVAL_UNIT_DAYS' } } });
    await connectUnary(base, 'RunJob', { id: ids.held });
    await server.worker.acquireExecutions({ workerId: 'browser-test-worker', jobTypes: ['dash.held'], capacity: 1 });
    await connectUnary(base, 'RunJob', { id: ids.held });
    // 25 operator runs: more than one page of the panel.
    ids.busy = await create('busy', 'dash.busy', { schedule: { interval: { every: 1, unit: 'INTERVAL_UNIT_DAYS' } } });
    for (let run = 0; run < 25; run += 1) {
      clock.advance(1_000);
      await server.scheduler.runJob({ id: ids.busy });
    }
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  });
  afterEach(async () => page.close());
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const rows = () => page.locator('[data-testid="occurrences"] tbody tr');
  async function open(id: string | undefined): Promise<void> {
    await page.goto(`${base}/#/jobs/${id}`);
    await rows().first().waitFor();
  }
  const slot = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)} ${hh(ms)}:00`;

  it("shows the job's windows in their zone, and its slots deferred by the window and then skipped by the overlap policy, as a person reads them", async () => {
    await open(ids.deferring);
    // A window that opens at 23:00 closes at 00:00 the next day.
    const overnight = hh(start + 3 * HOUR) === '00' ? ' (into the next day)' : '';
    expect(await page.getByTestId('windows').textContent()).to.equal(`every day ${hh(start + 2 * HOUR)}:00–${hh(start + 3 * HOUR)}:00${overnight} UTCFire times outside them are deferred to the next opening; a run still going when its window closes is cancelled.`);
    await page.getByRole('heading', { name: 'Next 10 fire times after the windows (UTC)' }).waitFor();
    // Every next slot waits for the next opening: the ten fire times are one line.
    await page.locator('.fire-times li').first().waitFor();
    const fires = await page.locator('.fire-times li').allTextContents();
    expect(fires).to.have.length(1);
    expect(fires[0]).to.match(new RegExp(`^${slot(start + 26 * HOUR)} ${dayOf(start + 26 * HOUR)} UTC \\(UTC\\+00:00\\) \\(in \\d+ h\\): 10 fire times deferred to this opening$`));
    await page.getByRole('heading', { name: 'Occurrences in the last 24 hours (UTC)' }).waitFor();
    expect(await rows().locator('th').allTextContents()).to.deep.equal([`${slot(start + HOUR)} ${dayOf(start + HOUR)}`, `${slot(start + 2 * HOUR)} ${dayOf(start + 2 * HOUR)} – ${slot(start + 3 * HOUR)} ${dayOf(start + 3 * HOUR)} (2 slots)`]);
    expect(await rows().locator('td:nth-child(2)').allTextContents()).to.deep.equal([deferredText(start + HOUR, start + 2 * HOUR), 'skipped: overlap (an earlier run was still active)']);
    expect(await rows().first().locator('td:nth-child(4)').textContent()).to.equal('queued');
    expect(await rows().nth(1).locator('td:nth-child(3)').textContent()).to.equal('—');
    await screenshot(page, 'job-windows');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });

  it('words a slot skipped by the window, a fired one, and an operator run held back by a full quota', async () => {
    await open(ids.skipping);
    expect(await rows().locator('td:nth-child(2)').allTextContents()).to.deep.equal(['skipped: outside every window', 'fired', 'skipped: outside every window']);
    await open(ids.held);
    await eventually(async () => expect(await rows().count()).to.equal(2));
    expect(await rows().locator('td:nth-child(2)').allTextContents()).to.deep.equal(['run by an operator', 'run by an operator; held by quota job_type="dash.held": 1 of max_running 1 running']);
    expect(await rows().locator('td:nth-child(4)').allTextContents()).to.deep.equal(['running', 'queued']);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });

  it('pages through the ledger, 20 entries a page, asking the server for each page with its token', async () => {
    const asked: Array<Record<string, unknown>> = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/ListOccurrences')) asked.push(JSON.parse(request.postData() ?? '{}') as Record<string, unknown>);
    });
    await open(ids.busy);
    expect(await rows().count()).to.equal(20);
    const pager = page.getByRole('navigation', { name: 'Pages of occurrences' });
    await pager.getByRole('button', { name: 'Later →' }).click();
    await eventually(async () => expect(await rows().count()).to.equal(5));
    expect(await pager.getByText('Page 2').count()).to.equal(1);
    expect(await pager.getByRole('button', { name: 'Later →' }).isDisabled()).to.equal(true);
    await pager.getByRole('button', { name: '← Earlier' }).click();
    await eventually(async () => expect(await rows().count()).to.equal(20));
    expect(asked.map((body) => [body.pageSize, Boolean(body.pageToken)])).to.deep.equal([[20, false], [20, true], [20, false]]);
    expect(new Set(asked.map((body) => body.from)).size, 'one range for every page').to.equal(1);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });
});

function dayOf(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' });
}

/** "deferred by window to 09:00", with the date when the opening is on another day. */
function deferredText(slotMs: number, openingMs: number): string {
  const sameDay = new Date(slotMs).toISOString().slice(0, 10) === new Date(openingMs).toISOString().slice(0, 10);
  return `deferred by window to ${sameDay ? `${hh(openingMs)}:00` : `${dayOf(openingMs)} ${new Date(openingMs).toISOString().slice(0, 10)} ${hh(openingMs)}:00`}`;
}
