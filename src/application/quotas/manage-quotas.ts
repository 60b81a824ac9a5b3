import { DomainError } from '../../domain/errors.js';
import { describeQuotaKey, describeUsage, headroom, validateQuota, validateQuotaKey, type Quota, type QuotaDefinition, type QuotaKey } from '../../domain/quota/quota.js';
import type { Clock } from '../ports/clock.js';
import type { QuotaStatus } from '../ports/quota-store.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';

/** SetQuota, GetQuota, ListQuotas, DeleteQuota. */
export class ManageQuotas {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly wakeUps: WakeUps,
  ) {}

  async set(definition: QuotaDefinition): Promise<Quota> {
    validateQuota(definition);
    const quota = await this.store.transaction((tx) => tx.quotas.set(definition, this.clock.now()));
    this.changed(quota.key);
    return quota;
  }

  async get(key: QuotaKey): Promise<QuotaStatus> {
    validateQuotaKey(key, 'key');
    const now = this.clock.now();
    return this.store.transaction(
      async (tx) => {
        const quota = await tx.quotas.get(key);
        if (!quota) throw DomainError.notFound(`${describeQuotaKey(key)} not found; ListQuotas shows the quotas that exist`);
        const [status] = await tx.quotas.usage([quota], now);
        return status!;
      },
      { readOnly: true },
    );
  }

  async list(jobType: string | undefined): Promise<QuotaStatus[]> {
    if (jobType !== undefined) validateQuotaKey({ jobType, labelKey: '', labelValue: '' }, 'request');
    const now = this.clock.now();
    return this.store.transaction(async (tx) => tx.quotas.usage(await tx.quotas.list(jobType), now), { readOnly: true });
  }

  async delete(key: QuotaKey): Promise<void> {
    validateQuotaKey(key, 'key');
    const deleted = await this.store.transaction((tx) => tx.quotas.delete(key), { singleStatement: true });
    if (!deleted) throw DomainError.notFound(`${describeQuotaKey(key)} not found; ListQuotas shows the quotas that exist`);
    this.changed(key);
  }

  /** Every replica reloads its quota'd types; workers of the type look again (a raised or removed limit frees executions). */
  private changed(key: QuotaKey): void {
    this.wakeUps.quotasChanged();
    this.wakeUps.executionsQueued([key.jobType]);
  }
}

/** The first full quota among these, described with its usage: why a due execution waits. */
export function waitingReason(statuses: readonly QuotaStatus[]): string {
  const full = statuses.find(({ quota, usage }) => headroom(quota, usage) === 0);
  return full ? describeUsage(full.quota, full.usage) : '';
}
