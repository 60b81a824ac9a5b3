import { createWorker, type Worker } from '../../src/sdk/index.js';
import type { WorkerCommand, WorkerReport } from '../support/protocol.js';
import { epochMs } from '../support/time.js';

/**
 * A benchmark worker: its own process running the worker SDK, as users run workers. It waits for
 * "start" from the benchmark, then acquires executions and records, for each handler start, the
 * time and (per the mode) how late it started against a reference in the execution. It reports
 * progress a few times per second over IPC; its handler does no work, so what is measured is the
 * scheduler's path.
 */
let worker: Worker | undefined;
let started = 0;
let firstStart = Number.NaN;
let lastStart = Number.NaN;
let samples: number[] = [];
let marks: [number, number][] = [];
let timer: NodeJS.Timeout | undefined;
let reported = -1;

function send(report: WorkerReport): void {
  process.send?.(report);
}

function progress(force = false): void {
  if (!force && started === reported && samples.length === 0 && marks.length === 0) return;
  reported = started;
  send({ kind: 'progress', started, firstStart, lastStart, samples, marks });
  samples = [];
  marks = [];
}

process.on('message', (command: WorkerCommand) => {
  if (command.kind === 'start') {
    const reference = command.mode;
    worker = createWorker({
      address: command.address,
      types: [command.type],
      concurrency: command.concurrency,
      handler: async (job) => {
        const now = epochMs();
        started += 1;
        if (Number.isNaN(firstStart)) firstStart = now;
        lastStart = now;
        if (reference === 'payload') {
          samples.push(now - Number(job.payload.sentAt));
          marks.push([Number(job.payload.sentAt), now]);
        }
        else if (reference === 'occurrence') samples.push(now - job.occurrenceAt.getTime());
        return undefined;
      },
    });
    timer = setInterval(() => progress(), command.reportEveryMs);
  } else if (command.kind === 'stop') {
    clearInterval(timer);
    progress(true);
    void (worker?.stop({ timeoutMs: 5_000 }) ?? Promise.resolve()).then(() => {
      send({ kind: 'stopped' });
      process.disconnect();
    });
  }
});

send({ kind: 'ready' });
