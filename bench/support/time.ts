/**
 * Milliseconds since the Unix epoch with sub-millisecond resolution. Benchmark processes on one
 * machine compare these across processes (a call's send time in one, a handler's start in another).
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The current instant as a file name takes it: 2026-12-05T02-29-20-662Z. */
export function fileStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
