import type { ManageQuotas } from '../../../application/quotas/manage-quotas.js';
import type { QuotaStatus } from '../../../application/ports/quota-store.js';
import { DomainError } from '../../../domain/errors.js';
import type { Quota, QuotaKey } from '../../../domain/quota/quota.js';
import { QuotaSchema, QuotaStatusSchema, type QuotaKey as WireQuotaKey, type QuotaService, type QuotaStatus as WireQuotaStatus, type Quota as WireQuota } from '../../../gen/jobscheduler/v1/quota_service_pb.js';
import { duration, msFrom, timestamp } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';
import { create } from '@bufbuild/protobuf';

/** The four quota RPCs (admin only, access-policy.ts). */
export function quotaHandlers(quotas: ManageQuotas): ServiceHandlers<typeof QuotaService> {
  return {
    async setQuota(request) {
      const quota = request.quota;
      if (!quota) throw DomainError.invalidArgument('quota is required');
      const rate = quota.rateLimit;
      const periodMs = rate ? msFrom('quota.rate_limit.period', rate.period) : undefined;
      if (rate && periodMs === undefined) throw DomainError.invalidArgument('quota.rate_limit.period is required with a rate limit, for example "60s"');
      const stored = await quotas.set({
        key: keyFrom(quota.key, 'quota.key'),
        maxRunning: quota.maxRunning,
        rateLimit: rate && periodMs !== undefined ? { maxStarts: rate.maxStarts, periodMs } : undefined,
      });
      return { quota: quotaMessage(stored) };
    },
    async getQuota(request) {
      return { status: statusMessage(await quotas.get(keyFrom(request.key, 'key'))) };
    },
    async listQuotas(request) {
      return { quotas: (await quotas.list(request.jobType === '' ? undefined : request.jobType)).map(statusMessage) };
    },
    async deleteQuota(request) {
      await quotas.delete(keyFrom(request.key, 'key'));
      return {};
    },
  };
}

function keyFrom(key: WireQuotaKey | undefined, field: string): QuotaKey {
  if (!key) throw DomainError.invalidArgument(`${field} is required: at least ${field}.job_type`);
  return { jobType: key.jobType, labelKey: key.labelKey, labelValue: key.labelValue };
}

function quotaMessage(quota: Quota): WireQuota {
  return create(QuotaSchema, {
    key: { jobType: quota.key.jobType, labelKey: quota.key.labelKey, labelValue: quota.key.labelValue },
    ...(quota.maxRunning === undefined ? {} : { maxRunning: quota.maxRunning }),
    ...(quota.rateLimit ? { rateLimit: { maxStarts: quota.rateLimit.maxStarts, period: duration(quota.rateLimit.periodMs) } } : {}),
    createTime: timestamp(quota.createdAt),
    updateTime: timestamp(quota.updatedAt),
  });
}

function statusMessage({ quota, usage }: QuotaStatus): WireQuotaStatus {
  return create(QuotaStatusSchema, { quota: quotaMessage(quota), usage: { running: usage.running, recentStarts: usage.recentStarts, waiting: usage.waiting } });
}
