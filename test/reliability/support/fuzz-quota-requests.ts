import fc from 'fast-check';
import { duration, jobType, text, uint32 } from './fuzz-primitives.js';

/** QuotaService: keys half-given, label pairs split, limits of zero, huge and absent, periods out of range. */
export function quotaRequests(): Record<string, fc.Arbitrary<object>> {
  const key = fc.record(
    { jobType: fc.oneof(jobType, text), labelKey: fc.oneof(fc.constant('tenant'), text), labelValue: fc.oneof(fc.constant('acme'), text) },
    { requiredKeys: [] },
  );
  const rateLimit = fc.option(fc.record({ maxStarts: uint32, period: duration }, { requiredKeys: [] }), { nil: undefined });
  const quota = fc.record({ key: fc.option(key, { nil: undefined }), maxRunning: fc.option(uint32, { nil: undefined }), rateLimit }, { requiredKeys: [] });
  return {
    'QuotaService/SetQuota': fc.record({ quota: fc.option(quota, { nil: undefined }) }, { requiredKeys: [] }),
    'QuotaService/GetQuota': fc.record({ key: fc.option(key, { nil: undefined }) }, { requiredKeys: [] }),
    'QuotaService/ListQuotas': fc.record({ jobType: fc.oneof(jobType, text) }, { requiredKeys: [] }),
    'QuotaService/DeleteQuota': fc.record({ key: fc.option(key, { nil: undefined }) }, { requiredKeys: [] }),
  };
}

/** Its RPCs that only read: they run many cases at once, and must leave the database as it was whatever they answer. */
export const QUOTA_READ_ONLY = [
  'QuotaService/GetQuota',
  'QuotaService/ListQuotas',
];
