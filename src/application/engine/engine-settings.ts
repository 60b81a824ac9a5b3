/** The engine's tunables (configuration; all durations in milliseconds). */
export interface EngineSettings {
  /** Fallback poll interval of the dispatcher when no wake-up arrives. */
  readonly pollIntervalMs: number;
  /** Jobs claimed per dispatcher transaction. */
  readonly dispatchBatchSize: number;
  /** Dispatcher passes in flight at once while a backlog of due jobs lasts (each claims other jobs). */
  readonly dispatchConcurrency: number;
  /**
   * How far ahead of its slot an occurrence is fired: its execution is written this long before
   * and waits in the queue until the slot, so the slot's work is only handing it out.
   */
  readonly dispatchLookaheadMs: number;
  /** Occurrences later than this are "missed" and follow the catch-up policy. */
  readonly misfireGraceMs: number;
  /** Lease length when a worker does not ask for one. */
  readonly defaultLeaseMs: number;
  readonly minLeaseMs: number;
  readonly maxLeaseMs: number;
  /** How often the reaper looks for expired leases and passed deadlines. */
  readonly reaperIntervalMs: number;
  readonly reaperBatchSize: number;
  /** Longest AcquireExecutions long poll. */
  readonly maxAcquireWaitMs: number;
  readonly retentionIntervalMs: number;
  readonly retentionKeepPerJob: number;
  readonly retentionKeepForMs: number;
  readonly eventsKeepForMs: number;
  /** How often an idle WatchExecutions stream looks for new events. */
  readonly watchPollIntervalMs: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  pollIntervalMs: 1_000,
  dispatchBatchSize: 500,
  dispatchConcurrency: 2,
  dispatchLookaheadMs: 1_000,
  misfireGraceMs: 60_000,
  defaultLeaseMs: 30_000,
  minLeaseMs: 5_000,
  maxLeaseMs: 3_600_000,
  reaperIntervalMs: 1_000,
  reaperBatchSize: 500,
  maxAcquireWaitMs: 60_000,
  retentionIntervalMs: 60_000,
  retentionKeepPerJob: 100,
  retentionKeepForMs: 30 * 86_400_000,
  eventsKeepForMs: 86_400_000,
  watchPollIntervalMs: 200,
};
