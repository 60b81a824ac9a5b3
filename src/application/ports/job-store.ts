import type { Job, JobWithoutPayload } from '../../domain/job/job.js';
import type { JobState } from '../../domain/job/job-state.js';

/** The part of a job its executions are handed out with. */
export type JobRunInput = Pick<Job, 'name' | 'payload'>;

export interface JobFilter {
  readonly states?: readonly JobState[];
  readonly type?: string;
  /** Every label must match. */
  readonly labels?: Readonly<Record<string, string>>;
  /** A substring of the name, ignoring case; taken literally (no wildcards). */
  readonly nameContains?: string;
}

/** Keyset position: the last row of the previous page, newest first. */
export interface JobCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export interface JobPage<J extends JobWithoutPayload = Job> {
  readonly jobs: readonly J[];
  /** Set when more rows follow. */
  readonly next: JobCursor | undefined;
  readonly total: number;
}

/**
 * A job to write if its version is still `expectedVersion`. Scope 'state': only what the
 * scheduler keeps changed (state, next run, counters, times, version); the definition (payload,
 * schedule, policies, …) is as read, and the store writes the state alone, so the job may have
 * been read without its payload. Firing, settling and control operations say so; their writes
 * then do not carry the payload back and forth. Default 'all' (UpdateJob): the whole job.
 */
export type JobChange =
  | { readonly job: JobWithoutPayload; readonly expectedVersion: number; readonly scope: 'state' }
  | { readonly job: Job; readonly expectedVersion: number; readonly scope?: 'all' };

export interface Idempotency {
  readonly requestId: string;
  /** A digest of the request, so a reused id with a different request can be told apart. */
  readonly fingerprint: string;
}

/**
 * Jobs, inside a transaction. Every write of an existing job is a compare-and-set on the version
 * it read (a version changes with every change, state included) and reports whether it won.
 */
export interface JobStore {
  get(id: string): Promise<Job | undefined>;
  /** Reads jobs by id without locking, in id order; missing ids are left out. */
  getMany(ids: readonly string[]): Promise<Job[]>;
  /** What a worker is sent of each job to run its executions, by job id, without locking; missing ids are left out. */
  runInputs(ids: readonly string[]): Promise<Map<string, JobRunInput>>;
  /** Reads and locks these jobs until the transaction ends; missing ids are left out. */
  lock(ids: readonly string[]): Promise<Job[]>;
  /** As lock(), without the payloads: for settling, which never reads them. */
  lockWithoutPayload(ids: readonly string[]): Promise<JobWithoutPayload[]>;
  /**
   * Locks up to `limit` jobs that no other transaction holds, earliest due first: those due by
   * `now`, and those due by `until` (firing ahead) unless their overlap policy may still skip
   * the occurrence (SKIP with an occurrence active), which is decided when it is due.
   */
  claimDue(now: Date, limit: number, until?: Date): Promise<Job[]>;
  /** How many jobs can fire by `until` (held back or not), counting at most `cap`. */
  countDue(until: Date, cap: number): Promise<number>;
  /** The earliest next_run_at of a job that can fire, for the dispatcher's sleep. */
  nextDueAt(): Promise<Date | undefined>;
  /** Inserts new jobs (all or none). A request id already stored fails the transaction with AlreadyExists. */
  insert(jobs: readonly Job[], idempotency?: readonly (Idempotency | undefined)[]): Promise<void>;
  findByRequestId(requestId: string): Promise<{ job: Job; fingerprint: string } | undefined>;
  /** Writes the changes that still match their expected version; returns the ids written. */
  update(changes: readonly JobChange[]): Promise<Set<string>>;
  /** Deletes the job (and its executions) if its version is still the expected one. */
  delete(id: string, expectedVersion: number): Promise<boolean>;
  list(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage>;
  /** As list(), without the payloads: for pages that do not show them. */
  listWithoutPayload(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage<JobWithoutPayload>>;
  /** Ids of jobs matching a filter, for bulk operations, up to `limit`. */
  ids(filter: JobFilter, limit: number): Promise<string[]>;
  countByState(): Promise<Record<JobState, number>>;
}
