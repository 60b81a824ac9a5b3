/** IPC messages between the benchmark and its worker and load-generator processes. */

/** What a worker measures per handler start: nothing, now − payload.sentAt, or now − occurrence time. */
export type SampleMode = 'none' | 'payload' | 'occurrence';

export type WorkerCommand =
  | { kind: 'start'; address: string; type: string; concurrency: number; mode: SampleMode; reportEveryMs: number }
  | { kind: 'stop' };

export type WorkerReport =
  | { kind: 'ready' }
  /** marks: in payload mode, [sentAt, handler start] per execution (epoch ms), to split the latency by stage. */
  | { kind: 'progress'; started: number; firstStart: number; lastStart: number; samples: number[]; marks: [number, number][] }
  | { kind: 'stopped' };

/** How the jobs of a batch are scheduled. */
export type JobSchedule =
  | { kind: 'now' }
  /** Interval every `everyHours`, anchored at anchorMs + i × staggerMs for the i-th job. */
  | { kind: 'interval'; everyHours: number; anchorMs: number; staggerMs: number };

/** The scale scenario's RPCs, and `check` (grpc.health.v1 Check, no database): the floor under them. */
export type RpcName = 'createJob' | 'getJob' | 'listExecutions' | 'getJobStats' | 'check';

export type LoadCommand =
  | { kind: 'create'; address: string; type: string; count: number; batchSize: number; inFlight: number; schedule: JobSchedule; payloadBytes?: number }
  | { kind: 'cadence'; address: string; type: string; intervalMs: number; count: number }
  | { kind: 'steady'; address: string; rpc: RpcName; ratePerSecond: number; seconds: number; ids: string[]; type: string };

export type LoadReport =
  | { kind: 'ready' }
  | { kind: 'created'; ms: number; count: number }
  /** Call latencies (ms) and how late, at worst, calls left against their cadence. */
  | { kind: 'done'; latencies: number[]; errors: number; firstError: string; maxSendDelayMs: number; seconds: number }
  | { kind: 'failed'; error: string };
