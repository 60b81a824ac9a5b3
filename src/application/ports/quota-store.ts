import type { Quota, QuotaDefinition, QuotaKey, QuotaUsage } from '../../domain/quota/quota.js';

/** A quota's usage, with the due executions it applies to that wait. */
export interface QuotaStatus {
  readonly quota: Quota;
  readonly usage: QuotaUsage & { readonly waiting: number };
}

/** Quotas, inside a transaction. */
export interface QuotaStore {
  /** Creates or replaces the quota of its key; returns it as stored. */
  set(quota: QuotaDefinition, now: Date): Promise<Quota>;
  get(key: QuotaKey): Promise<Quota | undefined>;
  /** Every quota (of one type if given), by job type, label key, label value. */
  list(jobType: string | undefined): Promise<Quota[]>;
  /** false when the key had no quota. */
  delete(key: QuotaKey): Promise<boolean>;
  /** Usage of each quota at `now`, in the order given. */
  usage(quotas: readonly Quota[], now: Date): Promise<QuotaStatus[]>;
  /** Locks the quota rows of the types, in id order (claims take them the same way). */
  lock(jobTypes: readonly string[]): Promise<void>;
  /** The job types that have at least one quota. */
  limitedTypes(): Promise<string[]>;
}
