import { durationFromMs } from '@bufbuild/protobuf/wkt';
import type { WorkerClient } from '../adapters/grpc/client/index.js';
import type { AcquiredExecution } from '../gen/jobscheduler/v1/worker_service_pb.js';
import { Backoff, describeCallError, isTransient, sleep } from './backoff.js';
import type { WorkerLogger } from './logger.js';
import type { Slots } from './slots.js';

const MAX_CAPACITY = 1000;
/** How long a few free slots wait for company before an acquisition asks for them alone. */
const SLOT_PATIENCE_MS = 10;
/** Client deadline beyond the server-side wait, for the network and the server's last query. */
const DEADLINE_MARGIN_MS = 5_000;

export interface AcquireSettings {
  readonly workerId: string;
  readonly types: readonly string[];
  readonly waitMs: number;
  readonly leaseDurationMs: number;
}

/**
 * Long-polls AcquireExecutions for as many executions as there are free slots (never more), and
 * hands each to `start` with its slot taken. Failed calls back off with jitter and retry, so the
 * loop rides out a server restart. Returns once `stopSignal` aborts (cancelling the poll).
 */
export async function acquireLoop(
  client: WorkerClient,
  slots: Slots,
  settings: AcquireSettings,
  start: (acquired: AcquiredExecution, receivedAt: number) => void,
  log: WorkerLogger,
  stopSignal: AbortSignal,
): Promise<void> {
  const backoff = new Backoff(100, 5_000);
  const batch = Math.max(1, Math.ceil(slots.size / 4));
  const request = { workerId: settings.workerId, jobTypes: [...settings.types], wait: durationFromMs(settings.waitMs), leaseDuration: durationFromMs(settings.leaseDurationMs) };
  while (!stopSignal.aborted) {
    await slots.whenFree(Math.min(batch, MAX_CAPACITY), SLOT_PATIENCE_MS, stopSignal);
    if (stopSignal.aborted) return;
    try {
      const capacity = Math.min(slots.free, MAX_CAPACITY);
      const { executions } = await client.acquireExecutions({ ...request, capacity }, { deadline: settings.waitMs + DEADLINE_MARGIN_MS, signal: stopSignal });
      backoff.reset();
      const receivedAt = Date.now();
      slots.take(executions.length);
      for (const acquired of executions) start(acquired, receivedAt);
    } catch (error) {
      if (stopSignal.aborted) return;
      const delay = backoff.next();
      log(isTransient(error) ? 'warn' : 'error', `AcquireExecutions failed; retrying in ${delay} ms`, describeCallError(error));
      await sleep(delay, stopSignal);
    }
  }
}
