import { call, RpcError, watch, type Json } from './api.js';
import { lineChart, type Point } from './chart.js';
import { h, notice, replace } from './dom.js';
import { duration, enumWord, relative, shortId } from './format.js';

const HOUR = 3_600_000;
const SAMPLE_EVERY_MS = 5_000;
const KEEP_EVENTS = 100;

interface Sample {
  t: number;
  finished: number;
  succeeded: number;
  queued: number;
  lagP50: number;
  lagP95: number;
}

/**
 * The live view's state outlives the page: samples are taken in the background while the
 * dashboard is open, so coming back shows the hour so far, and the watch keeps its cursor.
 */
const state = { samples: [] as Sample[], events: [] as Json[], cursor: '', sampling: 0 as number | 0, connection: 'connecting' };
let redraw: (() => void) | undefined;

function seconds(value: string | undefined): number {
  return value ? Number(value.replace(/s$/, '')) : 0;
}

async function sample(): Promise<void> {
  try {
    const { metrics } = await call('GetSchedulerMetrics');
    const succeeded = Number(metrics.executionsSucceeded ?? 0);
    const failed = Number(metrics.executionsFailed ?? 0);
    state.samples.push({ t: Date.now(), finished: succeeded + failed, succeeded, queued: Number(metrics.executionsQueued ?? 0), lagP50: seconds(metrics.scheduleLagP50), lagP95: seconds(metrics.scheduleLagP95) });
    const from = Date.now() - HOUR;
    while ((state.samples[0]?.t ?? Infinity) < from) state.samples.shift();
    redraw?.();
  } catch {
    // A missed sample leaves a gap; the next one comes in SAMPLE_EVERY_MS.
  }
}

/** Starts sampling once, for as long as the dashboard is open. */
export function startSampling(): void {
  if (state.sampling) return;
  void sample();
  state.sampling = window.setInterval(() => void sample(), SAMPLE_EVERY_MS);
}

/** Differences between samples, per minute: retention may lower the totals, so negative steps count as 0. */
function rates(): { throughput: Point[]; success: Point[] } {
  const throughput: Point[] = [];
  const success: Point[] = [];
  for (let i = 1; i < state.samples.length; i += 1) {
    const [before, after] = [state.samples[i - 1] as Sample, state.samples[i] as Sample];
    const minutes = (after.t - before.t) / 60_000;
    const finished = Math.max(0, after.finished - before.finished);
    throughput.push({ t: after.t, v: finished / minutes });
    if (finished > 0) success.push({ t: after.t, v: Math.min(1, Math.max(0, after.succeeded - before.succeeded) / finished) });
  }
  return { throughput, success };
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
    const { throughput, success } = rates();
    const now = Date.now();
    replace(
      charts,
      lineChart('Throughput (executions finished per minute)', throughput, (v) => v.toFixed(1), HOUR, now),
      lineChart('Success rate', success, (v) => `${(v * 100).toFixed(0)} %`, HOUR, now, 1),
      lineChart('Queue depth (executions queued)', state.samples.map((s) => ({ t: s.t, v: s.queued })), (v) => v.toFixed(0), HOUR, now),
      lineChart('Schedule lag p95', state.samples.map((s) => ({ t: s.t, v: s.lagP95 })), (v) => duration(`${v}s`), HOUR, now),
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
