import type { QuotaStatus, QuotaStore } from '../../application/ports/quota-store.js';
import type { Quota, QuotaDefinition, QuotaKey } from '../../domain/quota/quota.js';
import type { MemoryState } from './memory-state.js';

const keyOf = (key: QuotaKey) => `${key.jobType}|${key.labelKey}|${key.labelValue}`;

/** Quotas in memory: stored and listed only; the memory store neither enforces nor measures them. */
export class MemoryQuotaStore implements QuotaStore {
  constructor(private readonly state: MemoryState) {}

  async set(quota: QuotaDefinition, now: Date): Promise<Quota> {
    const stored: Quota = { ...quota, createdAt: this.state.quotas.get(keyOf(quota.key))?.createdAt ?? now, updatedAt: now };
    this.state.quotas.set(keyOf(quota.key), stored);
    return stored;
  }

  async get(key: QuotaKey): Promise<Quota | undefined> {
    return this.state.quotas.get(keyOf(key));
  }

  async list(jobType: string | undefined): Promise<Quota[]> {
    return [...this.state.quotas.values()].filter((q) => jobType === undefined || q.key.jobType === jobType).sort((a, b) => keyOf(a.key).localeCompare(keyOf(b.key)));
  }

  async delete(key: QuotaKey): Promise<boolean> {
    return this.state.quotas.delete(keyOf(key));
  }

  async usage(quotas: readonly Quota[]): Promise<QuotaStatus[]> {
    return quotas.map((quota) => ({ quota, usage: { running: 0, recentStarts: 0, waiting: 0 } }));
  }

  async lock(): Promise<void> {}

  async limitedTypes(): Promise<string[]> {
    return [...new Set([...this.state.quotas.values()].map((q) => q.key.jobType))].sort();
  }
}
