import { expect } from 'chai';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ExecutionEvent } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import type { WatchExecutionsRequestSchema } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { createJob, LATER, uniqueType } from './helpers.js';
import type { Target } from './target.js';

type WatchRequest = MessageInitShape<typeof WatchExecutionsRequestSchema>;

/** A WatchExecutions call whose events are buffered as they arrive, to be taken with a timeout. */
export class EventStream {
  private readonly buffered: ExecutionEvent[] = [];
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private failure: unknown;
  private ended = false;

  constructor(target: Target, request: WatchRequest) {
    void (async () => {
      try {
        for await (const response of target.scheduler.watchExecutions(request, { signal: this.abort.signal })) {
          if (response.event) this.buffered.push(response.event);
          this.wake?.();
        }
      } catch (error) {
        if (!this.abort.signal.aborted) this.failure = error;
      } finally {
        this.ended = true;
        this.wake?.();
      }
    })();
  }

  /** The next event matching `wanted` (others are dropped), or a failure after `timeoutMs`. */
  async take(wanted: (event: ExecutionEvent) => boolean = () => true, timeoutMs = 5_000): Promise<ExecutionEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.buffered.length > 0) {
        const event = this.buffered.shift() as ExecutionEvent;
        if (wanted(event)) return event;
      }
      if (this.failure) throw this.failure;
      if (this.ended) expect.fail('the stream ended');
      const left = deadline - Date.now();
      if (left <= 0) expect.fail(`no matching event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Events that arrive within `ms` (for checking that nothing else comes). */
  async drain(ms: number): Promise<ExecutionEvent[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.failure) throw this.failure;
    return this.buffered.splice(0);
  }

  /** Waits for the call to fail, and returns the error. */
  async error(timeoutMs = 5_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.failure;
  }

  close(): void {
    this.abort.abort();
  }
}

/**
 * Opens a watch on `types` plus a sentinel type and returns once the stream is known to be
 * reading the log: a watch without cursor starts with the events after the call, and the client
 * cannot see when that is, so a sentinel job is run until its QUEUED event arrives. Returns that
 * event's cursor too: a position before anything the test does next.
 */
export async function liveWatch(target: Target, types: readonly string[]): Promise<{ stream: EventStream; cursor: string; sentinel: string }> {
  const sentinelType = uniqueType();
  const sentinel = await createJob(target, { type: sentinelType, name: 'watch sentinel', schedule: LATER });
  const stream = new EventStream(target, { jobTypes: [...types, sentinelType] });
  for (let attempt = 1; ; attempt += 1) {
    await target.scheduler.runJob({ id: sentinel.id });
    try {
      const event = await stream.take((e) => e.execution?.jobId === sentinel.id, 500);
      return { stream, cursor: event.cursor, sentinel: sentinel.id };
    } catch (error) {
      if (attempt === 10) {
        stream.close();
        throw error;
      }
    }
  }
}
