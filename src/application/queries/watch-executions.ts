import type { Execution } from '../../domain/execution/execution.js';
import type { Clock } from '../ports/clock.js';
import type { EventFilter, StoredExecutionEvent } from '../ports/event-store.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { WakeLatch } from '../engine/wake-latch.js';

export interface WatchCommand {
  readonly filter: EventFilter;
  /** Resume after this cursor; undefined starts with what happens after the call. */
  readonly cursor: string | undefined;
  readonly signal: AbortSignal;
}

export interface WatchSettings {
  /** How often the log is read when nothing wakes the watcher. */
  readonly pollIntervalMs: number;
  readonly batchSize: number;
}

/** One delivered event and the execution as stored when it is delivered. */
export type Delivery = (event: StoredExecutionEvent, execution: Execution | undefined) => Promise<void>;

/** Polls only read: no transaction block needed (each statement has its own snapshot either way). */
const READ = { readOnly: true } as const;

/**
 * WatchExecutions: follows the cluster-wide event log from a cursor, so a watcher connected to
 * any replica sees the executions of every replica, and a reconnecting one resumes without gap or
 * duplicate. deliver() waits while the client is slow, so at most one batch is buffered per
 * watcher: a slow consumer slows its own stream, never the server.
 */
export class WatchExecutions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wakeUps: WakeUps,
    private readonly settings: WatchSettings,
  ) {}

  async run(command: WatchCommand, deliver: Delivery): Promise<void> {
    let cursor = command.cursor ?? (await this.store.transaction((tx) => tx.events.readAfter(undefined, command.filter, 1), READ)).cursor;
    const latch = new WakeLatch(command.signal);
    const unsubscribe = this.wakeUps.onExecutionsQueued(() => latch.wake());
    try {
      while (!command.signal.aborted) {
        const woken = latch.arm();
        const page = await this.store.transaction(async (tx) => {
          const read = await tx.events.readAfter(cursor, command.filter, this.settings.batchSize);
          const executions = new Map((await tx.executions.getMany(read.events.map((event) => event.executionId))).map((e) => [e.id, e]));
          return { ...read, executions };
        }, READ);
        for (const event of page.events) {
          if (command.signal.aborted) return;
          await deliver(event, page.executions.get(event.executionId));
          cursor = event.cursor;
        }
        cursor = page.cursor;
        if (!page.more) await this.clock.sleep(this.settings.pollIntervalMs, woken);
      }
    } finally {
      unsubscribe();
      latch.close();
    }
  }
}
