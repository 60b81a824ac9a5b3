import type { AcquiredExecution } from './acquire-executions.js';
import type { LeaseBeat, LeaseStatus } from './heartbeat.js';
import type { OutcomeResult, ReportedOutcome } from './report-outcomes.js';

/*
 * A worker's Work session as its stream sees it: what opens one, what it is sent, what it can
 * do. WorkSessions (work-sessions.ts) serves every session of a replica.
 */

export interface WorkStart {
  readonly workerId: string;
  readonly jobTypes: readonly string[];
  readonly leaseDurationMs: number;
  /** Leases the worker still holds from a session whose stream broke. */
  readonly held: readonly LeaseBeat[];
}

/** What a session is sent: the adapter writes each as one message. */
export interface WorkDelivery {
  readonly executions: readonly AcquiredExecution[];
  readonly results: readonly OutcomeResult[];
  readonly lost: readonly LeaseStatus[];
}

/** A worker's side of a session, as its stream drives it. */
export interface WorkSession {
  /** Slots granted but not used yet. */
  readonly credits: number;
  grant(credits: number): void;
  report(outcomes: readonly ReportedOutcome[]): void;
  /** Progress, stored with the next lease extension. */
  progress(beats: readonly LeaseBeat[]): void;
  /** Resolves once every outcome reported so far is answered. */
  settled(): Promise<void>;
  /**
   * The stream ended: nothing more is sent, and its leases are no longer extended. Resolves once
   * whatever was acquired for the session and not sent is back in the queue (or after a few
   * seconds if the database cannot be reached), so an ended stream leaves nothing behind.
   */
  close(): Promise<void>;
}

export interface WorkSessionSettings {
  readonly minLeaseMs: number;
  readonly maxLeaseMs: number;
  readonly defaultLeaseMs: number;
  /** How often to look for work nobody announced (a retry whose backoff ended, a lost NOTIFY). */
  readonly pollIntervalMs: number;
}

/** The most outstanding credits of a session. */
export const MAX_CREDITS = 1_000;
