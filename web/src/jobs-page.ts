import { call, type Json } from './api.js';
import { jobControls } from './actions.js';
import { h, notice, replace } from './dom.js';
import { enumWord, instant, percent, relative, scheduleInWords } from './format.js';

const STATES = ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Typing pauses this long before the search runs, so a word costs one call, not one per key. */
const SEARCH_DEBOUNCE_MS = 300;

/** The table's filters and page, kept while the user visits a job and comes back. */
const view = { state: '', type: '', label: '', search: '', pageSize: 25, tokens: [''] as string[], page: 0 };

export async function jobsPage(root: HTMLElement): Promise<void> {
  const status = h('div', { 'aria-live': 'polite' });
  const table = h('div', { class: 'table-wrap' });
  const form = filters(() => {
    view.tokens = [''];
    view.page = 0;
    void load(table, status);
  });
  replace(root, h('h1', {}, 'Jobs'), form, status, table);
  await load(table, status);
}

function filters(apply: () => void): HTMLElement {
  let pending = 0;
  const input = (name: keyof typeof view, label: string, placeholder: string, live = false) =>
    h('label', {}, label, h('input', { name, value: String(view[name]), placeholder, type: 'search', maxlength: name === 'search' ? 200 : undefined, oninput: (event: Event) => {
      (view as Record<string, unknown>)[name] = (event.target as HTMLInputElement).value;
      if (!live) return;
      window.clearTimeout(pending);
      pending = window.setTimeout(apply, SEARCH_DEBOUNCE_MS);
    } }));
  const state = h('select', { name: 'state', onchange: (event: Event) => ((view.state = (event.target as HTMLSelectElement).value), apply()) }, h('option', { value: '' }, 'any state'), ...STATES.map((name) => h('option', { value: `JOB_STATE_${name}`, selected: view.state === `JOB_STATE_${name}` }, name.toLowerCase())));
  return h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter jobs', onsubmit: (event: Event) => (event.preventDefault(), apply()) },
    input('search', 'Search', 'name or job id', true),
    h('label', {}, 'State', state),
    input('type', 'Type', 'e.g. email.send'),
    input('label', 'Label', 'key=value'),
    h('button', { type: 'submit' }, 'Apply'),
  );
}

/** Only the newest load renders: an answer to an older search that arrives late is dropped. */
let loads = 0;

async function load(table: HTMLElement, status: HTMLElement): Promise<void> {
  const mine = (loads += 1);
  replace(status, notice('Loading…'));
  try {
    const search = view.search.trim();
    // An id goes straight to the job; any other text searches the names on the server.
    if (UUID.test(search)) {
      const { job } = await call('GetJob', { id: search });
      if (mine !== loads) return;
      return render(table, status, [job], 1, undefined);
    }
    const labels: Record<string, string> = {};
    for (const pair of view.label.split(',').map((part) => part.trim()).filter(Boolean)) {
      const [key, ...value] = pair.split('=');
      labels[(key as string).trim()] = value.join('=').trim();
    }
    const response = await call('ListJobs', {
      filter: { states: view.state ? [view.state] : [], type: view.type.trim(), labels, nameContains: search },
      pageSize: view.pageSize,
      pageToken: view.tokens[view.page],
      // The table shows no payloads; a job's own page reads its payload with GetJob.
      view: 'JOB_VIEW_BASIC',
    });
    if (mine !== loads) return;
    render(table, status, (response.jobs ?? []) as Json[], Number(response.totalSize ?? 0), response.nextPageToken || undefined);
  } catch (error) {
    replace(status, notice(`Could not load jobs: ${(error as Error).message}`, 'error'));
  }
}

function render(table: HTMLElement, status: HTMLElement, jobs: Json[], total: number, next: string | undefined): void {
  if (next !== undefined) view.tokens[view.page + 1] = next;
  const first = view.page * view.pageSize + 1;
  replace(status, notice(total === 0 ? 'No jobs match.' : `Jobs ${first}–${first + jobs.length - 1} of ${total}${view.search.trim() && !UUID.test(view.search.trim()) ? ` with "${view.search.trim()}" in the name` : ''}`));
  const rows = jobs.map((job) => {
    const stats = h('td', { class: 'num' }, '…');
    void call('GetJobStats', { jobId: job.id }).then(
      ({ stats: s }) => replace(stats, percent(s.successRate, Number(s.succeeded ?? 0) + Number(s.failed ?? 0) + Number(s.timedOut ?? 0) + Number(s.lost ?? 0))),
      () => replace(stats, '—'),
    );
    return h(
      'tr',
      { 'data-job-id': job.id },
      h('th', { scope: 'row' }, h('a', { href: `#/jobs/${job.id}` }, job.name)),
      h('td', {}, job.type),
      h('td', {}, h('span', { class: `state ${enumWord(job.state, 'JOB_STATE_')}`, 'data-state': job.state }, enumWord(job.state, 'JOB_STATE_'))),
      h('td', {}, scheduleInWords(job.schedule)),
      h('td', { title: instant(job.nextRunAt) }, job.nextRunAt ? relative(job.nextRunAt) : '—'),
      h('td', {}, lastResult(job)),
      stats,
      h('td', {}, jobControls(job, (message, failed) => {
        replace(status, notice(message, failed ? 'error' : 'info'));
        // The table is drawn anew: focus returns to the row's first control that applies now, not to the page's top.
        if (!failed) void load(table, status).then(() => {
          replace(status, notice(message));
          table.querySelector<HTMLButtonElement>(`tr[data-job-id="${job.id}"] [data-action]:not([disabled])`)?.focus();
        });
      })),
    );
  });
  replace(
    table,
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Jobs'),
      h('thead', {}, h('tr', {}, ...['Name', 'Type', 'State', 'Schedule', 'Next run', 'Last result', 'Success rate', 'Actions'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, ...rows),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages of jobs' },
      h('button', { type: 'button', disabled: view.page === 0, onclick: () => ((view.page -= 1), void load(table, status)) }, '← Previous'),
      h('span', {}, `Page ${view.page + 1} of ${Math.max(1, Math.ceil(total / view.pageSize))}`),
      h('button', { type: 'button', disabled: next === undefined, onclick: () => ((view.page += 1), void load(table, status)) }, 'Next →'),
    ),
  );
}

function lastResult(job: Json): string {
  if (!job.lastRunAt) return 'never ran';
  if (Number(job.consecutiveFailures ?? 0) > 0) return `failed ${relative(job.lastRunAt)}${job.lastError ? `: ${job.lastError}` : ''}`;
  if (job.lastSuccessAt) return `succeeded ${relative(job.lastSuccessAt)}`;
  return `ran ${relative(job.lastRunAt)}`;
}
