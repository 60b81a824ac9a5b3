/**
 * What each --size runs. "default" is the figures and finishes within 10 minutes on a
 * 2-core machine; "quick" is the CI smoke run (every scenario, tiny, well under 20 s of work);
 * "small" is for trying a change quickly; "large" adds the 100,000-job burst and the full-size
 * scale data.
 */
export interface Size {
  roundtrip: { calls: number; concurrency: number; seconds: number };
  /** Burst sizes (jobs), each run at every concurrency below. */
  burst: number[];
  burstConcurrency: number[];
  /** Replica counts for the replicas scenario, and its burst size. */
  replicas: number[];
  replicaJobs: number;
  latency: { count: number; intervalMs: number; idleMs: number };
  aligned: number[];
  staggered: { jobs: number; spreadMs: number };
  scale: { jobs: number; executions: number; ratePerSecond: number; seconds: number };
  /** Jobs, executions (of which bigHistory belong to one job), and how often each page's calls are timed. */
  dashboard: { jobs: number; executions: number; bigHistory: number; repeats: number };
}

export const SIZES = {
  quick: {
    roundtrip: { calls: 200, concurrency: 8, seconds: 1 },
    burst: [500],
    burstConcurrency: [10],
    replicas: [2],
    replicaJobs: 200,
    latency: { count: 25, intervalMs: 20, idleMs: 200 },
    aligned: [100],
    staggered: { jobs: 100, spreadMs: 1_000 },
    scale: { jobs: 2_000, executions: 2_000, ratePerSecond: 200, seconds: 0.3 },
    dashboard: { jobs: 200, executions: 4_000, bigHistory: 2_000, repeats: 2 },
  },
  small: {
    roundtrip: { calls: 2000, concurrency: 64, seconds: 3 },
    burst: [20_000],
    burstConcurrency: [10],
    replicas: [1, 3],
    replicaJobs: 10_000,
    latency: { count: 500, intervalMs: 20, idleMs: 2_000 },
    aligned: [1_000],
    staggered: { jobs: 1_000, spreadMs: 10_000 },
    scale: { jobs: 100_000, executions: 100_000, ratePerSecond: 1_000, seconds: 5 },
    dashboard: { jobs: 10_000, executions: 100_000, bigHistory: 50_000, repeats: 10 },
  },
  default: {
    roundtrip: { calls: 5000, concurrency: 64, seconds: 5 },
    burst: [20_000],
    burstConcurrency: [10, 100],
    replicas: [1, 3],
    replicaJobs: 20_000,
    latency: { count: 500, intervalMs: 20, idleMs: 2_000 },
    aligned: [1_000, 10_000],
    staggered: { jobs: 10_000, spreadMs: 60_000 },
    scale: { jobs: 1_000_000, executions: 1_000_000, ratePerSecond: 1_000, seconds: 10 },
    dashboard: { jobs: 10_000, executions: 1_000_000, bigHistory: 500_000, repeats: 20 },
  },
  large: {
    roundtrip: { calls: 5000, concurrency: 64, seconds: 5 },
    burst: [20_000, 100_000],
    burstConcurrency: [10, 100],
    replicas: [1, 3],
    replicaJobs: 20_000,
    latency: { count: 500, intervalMs: 20, idleMs: 2_000 },
    aligned: [1_000, 10_000],
    staggered: { jobs: 10_000, spreadMs: 60_000 },
    scale: { jobs: 1_000_000, executions: 1_000_000, ratePerSecond: 1_000, seconds: 30 },
    dashboard: { jobs: 10_000, executions: 1_000_000, bigHistory: 500_000, repeats: 50 },
  },
} satisfies Record<string, Size>;

export type SizeName = keyof typeof SIZES;
