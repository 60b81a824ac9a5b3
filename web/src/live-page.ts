import { call, RpcError, watch, type Json } from './api.js';
import { lineChart, type Point } from './chart.js';
import { h, notice, replace } from './dom.js';
import { duration, enumWord, relative, shortId } from './format.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const REFRESH_EVERY_MS = 10_000;
const KEEP_EVENTS = 100;

/** One minute of GetMetricsHistory, keyed by its start. */
interface Bucket {
  start: number;
  finished: number;
  successRate: number;
  queueDepth: number;
  started: number;
  lagP95: number;
}

/**
 * The live view's state outlives the page: the last hour is loaded from the server once
 * (GetMetricsHistory, computed from the stored executions), then its newest minutes are
 * refreshed in the background while the dashboard is open; the watch keeps its cursor.
 */
const state = { buckets: new Map<number, Bucket>(), events: [] as Json[], cursor: '', refreshing: 0 as number | 0, connection: 'connecting' };
let redraw: (() => void) | undefined;

function seconds(value: string | undefined): number {
  return value ? Number(value.replace(/s$/, '')) : 0;
}

/** Loads `window` of history by minute and merges it: a bucket still filling is replaced by its fresher figures. */
async function loadHistory(window: string): Promise<void> {
  try {
    const { buckets } = await call('GetMetricsHistory', { window, step: '60s' });
    for (const b of (buckets ?? []) as Json[]) {
      const start = Date.parse(b.start);
      const finished = Number(b.succeeded ?? 0) + Number(b.failed ?? 0) + Number(b.cancelled ?? 0);
      state.buckets.set(start, { start, finished, successRate: Number(b.successRate ?? 0), queueDepth: Number(b.queueDepth ?? 0), started: Number(b.started ?? 0), lagP95: seconds(b.scheduleLagP95) });
    }
    for (const start of state.buckets.keys()) if (start < Date.now() - HOUR) state.buckets.delete(start);
    redraw?.();
  } catch {
    // A missed refresh leaves the charts as they were; the next one comes in REFRESH_EVERY_MS.
  }
}

/** Loads the last hour once, then refreshes the newest two minutes, for as long as the dashboard is open. */
export function startSampling(): void {
  if (state.refreshing) return;
  void loadHistory('3600s');
  state.refreshing = window.setInterval(() => void loadHistory('120s'), REFRESH_EVERY_MS);
}

/** A bucket's point sits at its end (now, for the minute still filling). */
function series(value: (b: Bucket) => number | undefined): Point[] {
  const now = Date.now();
  return [...state.buckets.values()]
    .sort((a, b) => a.start - b.start)
    .flatMap((b) => {
      const v = value(b);
      return v === undefined ? [] : [{ t: Math.min(b.start + MINUTE, now), v }];
    });
}

let watching: AbortController | undefined;

/** Watches every job's executions, reconnecting after a drop and resuming from the last cursor. */
function startWatching(): void {
  if (watching) return;
  watching = new AbortController();
  const signal = watching.signal;
  void (async () => {
    let delay = 500;
    while (!signal.aborted) {
      try {
        state.connection = 'connected';
        redraw?.();
        await watch({ cursor: state.cursor }, (event) => {
          state.cursor = event.cursor;
          state.events.unshift(event);
          state.events.length = Math.min(state.events.length, KEEP_EVENTS);
          delay = 500;
          redraw?.();
        }, signal);
      } catch (error) {
        if (signal.aborted) return;
        // A cursor past the event log's retention: start again from now rather than fail forever.
        if (error instanceof RpcError && error.code === 'out_of_range') state.cursor = '';
        if (error instanceof RpcError && (error.code === 'unauthenticated' || error.code === 'permission_denied')) {
          state.connection = `refused: ${error.message}`;
          redraw?.();
          watching = undefined;
          return;
        }
      }
      state.connection = `reconnecting (resuming after cursor ${state.cursor || 'now'})`;
      redraw?.();
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  })();
}

/** Stops the watch (on sign-out, so it restarts with the new token). */
export function stopWatching(): void {
  watching?.abort();
  watching = undefined;
}

export function livePage(root: HTMLElement): void {
  startSampling();
  startWatching();
  const connection = h('p', { class: 'connection', role: 'status' });
  const charts = h('div', { class: 'charts' });
  const events = h('div', { class: 'table-wrap' });
  replace(root, h('h1', {}, 'Live'), connection, h('h2', {}, 'The last hour'), charts, h('h2', {}, 'Executions as they happen'), events);
  redraw = () => {
    if (!root.isConnected || !root.contains(charts)) return;
    replace(connection, `Stream: ${state.connection}`);
    const now = Date.now();
    replace(
      charts,
      lineChart('Throughput (executions finished per minute)', series((b) => b.finished), (v) => v.toFixed(0), HOUR, now),
      lineChart('Success rate', series((b) => (b.finished > 0 ? b.successRate : undefined)), (v) => `${(v * 100).toFixed(0)} %`, HOUR, now, 1),
      lineChart('Queue depth (executions due, waiting for a worker)', series((b) => b.queueDepth), (v) => v.toFixed(0), HOUR, now),
      lineChart('Schedule lag p95', series((b) => (b.started > 0 ? b.lagP95 : undefined)), (v) => duration(`${v}s`), HOUR, now),
    );
    replace(
      events,
      state.events.length === 0
        ? notice('Waiting for executions…')
        : h(
            'table',
            { 'data-testid': 'live-events' },
            h('thead', {}, h('tr', {}, ...['When', 'Event', 'Job type', 'Execution', 'Attempt', 'Worker'].map((name) => h('th', { scope: 'col' }, name)))),
            h(
              'tbody',
              {},
              ...state.events.map((event) =>
                h(
                  'tr',
                  { 'data-execution-id': event.execution?.id, 'data-job-id': event.execution?.jobId },
                  h('td', {}, relative(event.occurredAt)),
                  h('td', {}, h('span', { class: `status ${enumWord(event.kind, 'EXECUTION_EVENT_KIND_').replace(/ /g, '-')}` }, enumWord(event.kind, 'EXECUTION_EVENT_KIND_'))),
                  h('td', {}, h('a', { href: `#/jobs/${event.execution?.jobId}` }, event.execution?.jobType ?? '')),
                  h('td', {}, h('a', { href: `#/executions/${event.execution?.id}` }, shortId(event.execution?.id ?? ''))),
                  h('td', { class: 'num' }, String(event.execution?.attempt ?? 1)),
                  h('td', {}, event.execution?.workerId ?? '—'),
                ),
              ),
            ),
          ),
    );
  };
  redraw();
}
