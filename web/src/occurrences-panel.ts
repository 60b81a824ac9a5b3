import { call, type Json } from './api.js';
import { h, notice } from './dom.js';
import { enumWord, inZone, instant, shortId, wallClock } from './format.js';
import { showPagedTable, type PagedTable } from './paged-table.js';

const PAGE = 20;
const DAY_MS = 86_400_000;

/**
 * The occurrence ledger of the last 24 hours (and what is already decided beyond), a page at a
 * time: each slot of the schedule and what became of it, worded for a person.
 */
export function occurrencesPanel(jobId: string, zone: string): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'occurrences-heading', 'data-testid': 'occurrences' }, h('h2', { id: 'occurrences-heading' }, `Occurrences in the last 24 hours (${zone})`), notice('Loading…'));
  // One range for every page: a page token is valid only with the range it was issued for.
  const from = new Date(Date.now() - DAY_MS).toISOString();
  void showPagedTable(section, occurrencesTable({ jobId, from, zone }));
  return section;
}

interface Query {
  jobId: string;
  from: string;
  zone: string;
}

function occurrencesTable(query: Query): PagedTable {
  return {
    read: (pageToken) => call('ListOccurrences', { jobId: query.jobId, from: query.from, pageSize: PAGE, pageToken }),
    items: 'occurrences',
    columns: ['Slot', 'What happened', 'Execution', 'Status'],
    row: (occurrence) => row(occurrence, query.zone),
    empty: 'No slot in the last 24 hours.',
    failed: (error) => notice((error as Error).message, 'error'),
    pager: { label: 'Pages of occurrences', back: '← Earlier', forward: 'Later →', onlyWhenPaged: true },
  };
}

function row(occurrence: Json, zone: string): HTMLElement {
  const count = Number(occurrence.slotCount ?? 1);
  const slot = h('time', { datetime: occurrence.slotAt, title: `${inZone(occurrence.slotAt, zone)}, ${instant(occurrence.slotAt)}` }, wallClock(occurrence.slotAt, zone));
  const last = count > 1 ? h('time', { datetime: occurrence.lastSlotAt, title: instant(occurrence.lastSlotAt) }, wallClock(occurrence.lastSlotAt, zone)) : null;
  const status = occurrence.executionStatus ? enumWord(occurrence.executionStatus, 'EXECUTION_STATUS_') : '';
  const attempts = Number(occurrence.attempts ?? 0);
  return h(
    'tr',
    { 'data-outcome': occurrence.outcome },
    h('th', { scope: 'row' }, slot, last ? ' – ' : null, last, count > 1 ? ` (${count} slots)` : null),
    h('td', {}, outcomeInWords(occurrence, zone), ...upstreamLinks(occurrence)),
    h('td', {}, occurrence.executionId ? h('a', { href: `#/executions/${occurrence.executionId}` }, shortId(occurrence.executionId)) : '—'),
    h('td', {}, status ? h('span', { class: `status ${status.replace(/ /g, '-')}` }, status) : '—', attempts > 1 ? ` (${attempts} attempts)` : null),
  );
}

/** "deferred by window to 09:00", "skipped: overlap …", with why a due execution still waits. */
export function outcomeInWords(occurrence: Json, zone: string): string {
  const words = ((): string => {
    switch (occurrence.outcome) {
      case 'OCCURRENCE_OUTCOME_FIRED':
        return 'fired';
      case 'OCCURRENCE_OUTCOME_DEFERRED_BY_WINDOW':
        return `deferred by window to ${opening(occurrence.slotAt, occurrence.deferredTo, zone)}`;
      case 'OCCURRENCE_OUTCOME_SKIPPED_BY_WINDOW':
        return 'skipped: outside every window';
      case 'OCCURRENCE_OUTCOME_SKIPPED_BY_OVERLAP':
        return 'skipped: overlap (an earlier run was still active)';
      case 'OCCURRENCE_OUTCOME_MISSED_NOT_CAUGHT_UP':
        return 'missed: the job was paused or the scheduler down, and catch-up did not run it';
      case 'OCCURRENCE_OUTCOME_TRIGGERED_BY_UPSTREAM':
        return occurrence.deferredTo ? `triggered by upstream jobs, deferred by window to ${opening(occurrence.slotAt, occurrence.deferredTo, zone)}` : 'triggered by upstream jobs';
      case 'OCCURRENCE_OUTCOME_RUN_BY_OPERATOR':
        return 'run by an operator';
      case 'OCCURRENCE_OUTCOME_RETRIED_BY_OPERATOR':
        return 'retried by an operator';
      default:
        return enumWord(occurrence.outcome, 'OCCURRENCE_OUTCOME_');
    }
  })();
  return occurrence.waitingReason ? `${words}; held by ${occurrence.waitingReason}` : words;
}

/** The time a deferral waits for: "09:00" on the slot's own day, else with its date. */
function opening(slotAt: string, deferredTo: string | undefined, zone: string): string {
  if (!deferredTo) return 'the next opening';
  const [slotDay] = wallClock(slotAt, zone).split(' ');
  const [day, clock, weekday] = wallClock(deferredTo, zone).split(' ');
  return day === slotDay ? (clock ?? '') : `${weekday} ${day} ${clock}`;
}

function upstreamLinks(occurrence: Json): Array<Node | string> {
  const ids = (occurrence.upstreamExecutionIds ?? []) as string[];
  return ids.flatMap((id, i) => [i === 0 ? ' (' : ', ', h('a', { href: `#/executions/${id}`, title: `upstream execution ${id}` }, shortId(id)), i === ids.length - 1 ? ')' : '']);
}
