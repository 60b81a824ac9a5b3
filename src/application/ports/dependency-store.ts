import type { Dependency, DependencyCondition } from '../../domain/dependency/dependency.js';

/** One stored edge: `downstreamId` runs after `upstreamId`. */
export interface StoredDependency {
  readonly downstreamId: string;
  readonly upstreamId: string;
  readonly condition: DependencyCondition;
  /** The latest upstream execution that met the condition since the downstream last fired from its upstreams. */
  readonly satisfiedBy: string | undefined;
}

export interface DependencyMark {
  readonly downstreamId: string;
  readonly upstreamId: string;
  /** undefined clears the mark (the downstream fired). */
  readonly satisfiedBy: string | undefined;
}

/**
 * The dependency graph, inside a transaction. A downstream job's edges are written only by a
 * transaction that holds that job's lock, so reading them under the lock gives the whole truth.
 */
export interface DependencyStore {
  /** Serialises changes of the graph (their cycle checks) until the transaction ends. */
  lockGraph(): Promise<void>;
  /** The stored edges reachable upwards from these jobs: job id → the ids of its upstream jobs. */
  ancestry(jobIds: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Makes `dependsOn` the job's upstream list, in that order. Marks of upstreams kept with the
   * same condition stay; the upstream jobs are flagged as having a downstream job.
   */
  replace(downstreamId: string, dependsOn: readonly Dependency[]): Promise<void>;
  /** The edges whose upstream is one of these jobs. */
  downstreamOf(upstreamIds: readonly string[]): Promise<StoredDependency[]>;
  /** Every edge of these downstream jobs, each job's in its depends_on order. */
  upstreamOf(downstreamIds: readonly string[]): Promise<StoredDependency[]>;
  mark(marks: readonly DependencyMark[], now: Date): Promise<void>;
  /** Takes a job out of every upstream list it is on (it was cancelled); returns the downstream job ids. */
  removeUpstream(upstreamId: string): Promise<string[]>;
}
