import { call, type Json } from './api.js';
import { jobControls } from './actions.js';
import { h, notice, replace } from './dom.js';
import { duration, enumWord, inZone, instant, jobZone, percent, relative, scheduleInWords, shortId, windowInWords, windowPolicies } from './format.js';
import { occurrencesPanel } from './occurrences-panel.js';
import { showPagedTable, type PagedTable } from './paged-table.js';

const HISTORY_PAGE = 20;

/** One job: its definition and windows, next fire times, statistics, occurrence ledger and execution history (paged). */
export async function jobPage(root: HTMLElement, id: string): Promise<void> {
  replace(root, notice('Loading…'));
  let job: Json;
  try {
    ({ job } = await call('GetJob', { id }));
  } catch (error) {
    replace(root, h('h1', {}, 'Job'), notice(`Could not load job ${id}: ${(error as Error).message}`, 'error'), h('a', { href: '#/jobs' }, '← All jobs'));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const stats = h('section', { 'aria-labelledby': 'stats-heading' }, h('h2', { id: 'stats-heading' }, 'Statistics'), notice('Loading…'));
  const zone = jobZone(job);
  const windowed = (job.executionWindows?.windows ?? []).length > 0;
  const fireTimes = h('section', { 'aria-labelledby': 'fire-heading' }, h('h2', { id: 'fire-heading' }, `Next 10 fire times${windowed ? ' after the windows' : ''} (${zone})`), notice('Loading…'));
  const history = h('section', { 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, 'Execution history'));
  replace(
    root,
    h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')),
    h('h1', {}, job.name, ' ', h('span', { class: `state ${enumWord(job.state, 'JOB_STATE_')}`, 'data-state': job.state }, enumWord(job.state, 'JOB_STATE_'))),
    jobControls(job, (message, failed) => {
      replace(status, notice(message, failed ? 'error' : 'info'));
      if (!failed) void jobPage(root, id).then(() => replace(root.querySelector('[aria-live]') as HTMLElement, notice(message)));
    }),
    status,
    h('div', { class: 'columns' }, definition(job), h('div', {}, stats, fireTimes)),
    occurrencesPanel(id, zone),
    history,
  );
  void call('GetJobStats', { jobId: id }).then((response) => replace(stats, stats.firstChild as Node, statistics(response.stats)), (error: Error) => replace(stats, stats.firstChild as Node, notice(error.message, 'error')));
  // With the job's windows, so a deferred fire time shows at the opening it waits for.
  void call('PreviewSchedule', { schedule: job.schedule, count: 10, ...(windowed ? { executionWindows: job.executionWindows } : {}) }).then(
    (response) => replace(fireTimes, fireTimes.firstChild as Node, h('ol', { class: 'fire-times' }, ...sameTimes((response.fireTimes ?? []) as string[]).map(([time, count]) => h('li', {}, h('time', { datetime: time, title: instant(time) }, inZone(time, zone)), ` (${relative(time)})`, count > 1 ? `: ${count} fire times deferred to this opening` : null)))),
    (error: Error) => replace(fireTimes, fireTimes.firstChild as Node, notice(error.message, 'error')),
  );
  await showPagedTable(history, executionsTable(id));
}

/** Fire times deferred to one window opening share it: one line for them, with how many. */
function sameTimes(times: string[]): Array<[string, number]> {
  const runs: Array<[string, number]> = [];
  for (const time of times) {
    const last = runs[runs.length - 1];
    if (last && last[0] === time) last[1] += 1;
    else runs.push([time, 1]);
  }
  return runs;
}

function definition(job: Json): HTMLElement {
  const rows: Array<[string, string]> = [
    ['Id', job.id],
    ['Type', job.type],
    ['Schedule', scheduleInWords(job.schedule)],
    ['Next run', job.nextRunAt ? `${inZone(job.nextRunAt, jobZone(job))} (${relative(job.nextRunAt)})` : '—'],
    ['Labels', Object.entries(job.labels ?? {}).map(([key, value]) => `${key}=${value}`).join(', ') || '—'],
    ['Priority', String(job.priority ?? 0)],
    ['Retries', job.retryPolicy?.maxRetries !== undefined ? `up to ${job.retryPolicy.maxRetries}` : 'default'],
    ['Attempt timeout', duration(job.attemptTimeout)],
    ['Overlap', enumWord(job.overlapPolicy, 'OVERLAP_POLICY_')],
    ['Catch-up', enumWord(job.catchUpPolicy, 'CATCH_UP_POLICY_')],
    ['Expect success within', duration(job.expectSuccessWithin)],
    ['Executions', String(job.executionCount ?? 0)],
    ['Created', instant(job.createdAt)],
    ['Version', String(job.version ?? '')],
  ];
  return h(
    'section',
    { 'aria-labelledby': 'definition-heading' },
    h('h2', { id: 'definition-heading' }, 'Definition'),
    job.description ? h('p', {}, job.description) : null,
    h('dl', { class: 'pairs' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]), h('dt', {}, 'Execution windows'), h('dd', { 'data-testid': 'windows' }, ...windowsInWords(job.executionWindows))),
    h('details', {}, h('summary', {}, 'Payload'), h('pre', {}, JSON.stringify(job.payload ?? {}, null, 2))),
  );
}

/** The weekly windows in their own zone, one per line, and what happens outside them; "any time" without. */
function windowsInWords(windows: Json): Array<Node | string> {
  const list = (windows?.windows ?? []) as Json[];
  if (list.length === 0) return ['any time (no windows)'];
  return [h('ul', { class: 'windows' }, ...list.map((window) => h('li', {}, `${windowInWords(window)} ${windows.timeZone}`))), h('span', { class: 'muted' }, windowPolicies(windows))];
}

function statistics(stats: Json): HTMLElement {
  const finished = ['succeeded', 'failed', 'timedOut', 'lost'].reduce((sum, key) => sum + Number(stats[key] ?? 0), 0);
  const rows: Array<[string, string]> = [
    ['Success rate', percent(stats.successRate, finished)],
    ['Executions', `${stats.totalExecutions ?? 0} (${stats.succeeded ?? 0} succeeded, ${stats.failed ?? 0} failed, ${stats.timedOut ?? 0} timed out, ${stats.lost ?? 0} lost, ${stats.cancelled ?? 0} cancelled)`],
    ['Now', `${stats.queued ?? 0} queued, ${stats.running ?? 0} running`],
    ['Duration p50 / p95', `${duration(stats.p50Duration)} / ${duration(stats.p95Duration)}`],
    ['Last success', stats.lastSuccessAt ? relative(stats.lastSuccessAt) : '—'],
    ['Last failure', stats.lastFailureAt ? relative(stats.lastFailureAt) : '—'],
    ['Dead-man\'s switch', stats.successExpectedBy ? `${stats.overdue ? 'OVERDUE: ' : ''}success expected by ${instant(stats.successExpectedBy)}` : 'not set'],
  ];
  return h('dl', { class: 'pairs', 'data-testid': 'stats' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', { class: name === "Dead-man's switch" && stats.overdue ? 'overdue' : undefined }, value)]));
}

/** A job's executions, newest first, a page at a time. */
function executionsTable(jobId: string): PagedTable {
  return {
    read: (pageToken) => call('ListExecutions', { jobId, pageSize: HISTORY_PAGE, pageToken }),
    items: 'executions',
    columns: ['Execution', 'Status', 'Attempt', 'Trigger', 'Worker', 'Started', 'Duration', 'Error', 'Result', 'Progress'],
    row: executionRow,
    empty: 'No executions yet.',
    failed: (error) => notice((error as Error).message, 'error'),
    pager: { label: 'Pages of executions', back: '← Newer', forward: 'Older →' },
  };
}

export function executionRow(execution: Json): HTMLElement {
  const status = enumWord(execution.status, 'EXECUTION_STATUS_');
  return h(
    'tr',
    { 'data-execution-id': execution.id },
    h('th', { scope: 'row' }, h('a', { href: `#/executions/${execution.id}` }, `#${execution.number ?? '?'} ${shortId(execution.id)}`)),
    h('td', {}, h('span', { class: `status ${status.replace(/ /g, '-')}` }, status)),
    h('td', { class: 'num' }, String(execution.attempt ?? 1)),
    h('td', {}, enumWord(execution.trigger, 'EXECUTION_TRIGGER_')),
    h('td', {}, execution.workerId ?? '—'),
    h('td', { title: instant(execution.startedAt) }, execution.startedAt ? relative(execution.startedAt) : '—'),
    h('td', { class: 'num' }, duration(execution.duration)),
    h('td', { class: 'clip' }, execution.error?.message ?? ''),
    h('td', { class: 'clip' }, execution.result ? JSON.stringify(execution.result) : ''),
    h('td', { class: 'clip' }, execution.progress ? JSON.stringify(execution.progress) : ''),
  );
}

/** One execution in full. */
export async function executionPage(root: HTMLElement, id: string): Promise<void> {
  replace(root, notice('Loading…'));
  try {
    const { execution } = await call('GetExecution', { id });
    const rows: Array<[string, string]> = [
      ['Id', execution.id],
      ['Job', execution.jobId],
      ['Type', execution.jobType],
      ['Number', String(execution.number ?? '')],
      ['Status', enumWord(execution.status, 'EXECUTION_STATUS_')],
      ['Attempt', String(execution.attempt ?? 1)],
      ['Trigger', enumWord(execution.trigger, 'EXECUTION_TRIGGER_')],
      ['Worker', execution.workerId ?? '—'],
      ['Occurrence', instant(execution.occurrenceAt)],
      ['Scheduled', instant(execution.scheduledAt)],
      ['Queued', instant(execution.queuedAt)],
      ['Started', instant(execution.startedAt)],
      ['Finished', instant(execution.finishedAt)],
      ['Duration', duration(execution.duration)],
      ['Lease expires', instant(execution.leaseExpiresAt)],
      ['Deadline', instant(execution.deadlineAt)],
      ['Cancel requested', execution.cancelRequested ? 'yes' : 'no'],
      ['Error', execution.error ? `${execution.error.message}${execution.error.retryable ? ' (retryable)' : ''}` : '—'],
    ];
    replace(
      root,
      h('p', {}, h('a', { href: `#/jobs/${execution.jobId}` }, '← The job')),
      h('h1', {}, `Execution #${execution.number ?? '?'} of ${execution.jobType}`),
      h('dl', { class: 'pairs' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
      ...(['result', 'progress'] as const).map((key) => h('section', {}, h('h2', {}, key === 'result' ? 'Result' : 'Progress'), h('pre', {}, execution[key] ? JSON.stringify(execution[key], null, 2) : '—'))),
      execution.error?.details ? h('section', {}, h('h2', {}, 'Error details'), h('pre', {}, JSON.stringify(execution.error.details, null, 2))) : null,
    );
  } catch (error) {
    replace(root, h('h1', {}, 'Execution'), notice(`Could not load execution ${id}: ${(error as Error).message}`, 'error'));
  }
}
