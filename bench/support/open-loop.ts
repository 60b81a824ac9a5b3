import { sleep } from './time.js';

export interface OpenLoopRun {
  /** Latencies (ms) of the calls that succeeded. */
  latencies: number[];
  errors: number;
  firstError: string;
  /** How late, at worst, a call left against its timetable. */
  maxSendDelayMs: number;
  seconds: number;
}

/**
 * Calls `call(i)` at a steady rate, open loop: each call leaves on its timetable whether or not
 * earlier ones answered, and everything due by now leaves now (timers are too coarse for 1 ms
 * spacing). Resolves when every call has ended.
 */
export async function openLoop(ratePerSecond: number, seconds: number, call: (i: number) => Promise<unknown>): Promise<OpenLoopRun> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  let maxSendDelayMs = 0;
  const total = Math.round(ratePerSecond * seconds);
  const intervalMs = 1000 / ratePerSecond;
  const calls: Promise<void>[] = [];
  const origin = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && origin + sent * intervalMs <= now) {
      maxSendDelayMs = Math.max(maxSendDelayMs, now - (origin + sent * intervalMs));
      const callStarted = performance.now();
      calls.push(
        call(sent).then(
          () => void latencies.push(performance.now() - callStarted),
          (error: unknown) => {
            errors += 1;
            firstError ||= String(error);
          },
        ),
      );
      sent += 1;
    }
    await sleep(origin + sent * intervalMs - performance.now());
  }
  await Promise.all(calls);
  return { latencies, errors, firstError, maxSendDelayMs, seconds: (performance.now() - origin) / 1000 };
}
