import { DomainError } from '../errors.js';
import { isJobType } from '../job/job-type.js';
import { characterCount, quoted } from '../text.js';

const LABEL_KEY_PATTERN = /^[A-Za-z0-9._/-]{1,63}$/;
export const MAX_LIMIT = 1_000_000;
export const MIN_PERIOD_MS = 1_000;
export const MAX_PERIOD_MS = 86_400_000;

/** What a quota applies to: a job type, or the jobs of that type carrying one label. */
export interface QuotaKey {
  readonly jobType: string;
  /** Both empty: the whole type. */
  readonly labelKey: string;
  readonly labelValue: string;
}

export interface RateLimit {
  readonly maxStarts: number;
  readonly periodMs: number;
}

export interface Quota {
  readonly key: QuotaKey;
  readonly maxRunning: number | undefined;
  readonly rateLimit: RateLimit | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** How much of a quota is taken at one instant. */
export interface QuotaUsage {
  readonly running: number;
  /** Starts in (now - period, now]; 0 without a rate limit. */
  readonly recentStarts: number;
}

export type QuotaDefinition = Pick<Quota, 'key' | 'maxRunning' | 'rateLimit'>;

/** Checks a key; the messages name the field under `field`. */
export function validateQuotaKey(key: QuotaKey, field: string): QuotaKey {
  if (key.jobType === '') throw DomainError.invalidArgument(`${field}.job_type is required`);
  if (!isJobType(key.jobType)) throw DomainError.invalidArgument(`${field}.job_type ${quoted(key.jobType)} must be 1 to 100 letters, digits or ". _ : -"`);
  if ((key.labelKey === '') !== (key.labelValue === '')) {
    throw DomainError.invalidArgument(`${field}.label_key and ${field}.label_value go together: set both for a per-label quota, or neither for the whole type`);
  }
  if (key.labelKey !== '' && !LABEL_KEY_PATTERN.test(key.labelKey)) {
    throw DomainError.invalidArgument(`${field}.label_key ${quoted(key.labelKey)} must be 1 to 63 letters, digits or ". _ / -"`);
  }
  if (characterCount(key.labelValue) > 255) throw DomainError.invalidArgument(`${field}.label_value must be at most 255 characters`);
  return key;
}

/** Checks a quota to be set. */
export function validateQuota(quota: QuotaDefinition): QuotaDefinition {
  validateQuotaKey(quota.key, 'quota.key');
  if (quota.maxRunning === undefined && quota.rateLimit === undefined) {
    throw DomainError.invalidArgument('quota needs max_running, rate_limit or both');
  }
  if (quota.maxRunning !== undefined && !(Number.isInteger(quota.maxRunning) && quota.maxRunning >= 1 && quota.maxRunning <= MAX_LIMIT)) {
    throw DomainError.invalidArgument(`quota.max_running must be from 1 to ${MAX_LIMIT}, got ${quota.maxRunning}; leave it unset for no concurrency limit`);
  }
  const rate = quota.rateLimit;
  if (rate) {
    if (!(Number.isInteger(rate.maxStarts) && rate.maxStarts >= 1 && rate.maxStarts <= MAX_LIMIT)) {
      throw DomainError.invalidArgument(`quota.rate_limit.max_starts must be from 1 to ${MAX_LIMIT}, got ${rate.maxStarts}`);
    }
    if (!(Number.isInteger(rate.periodMs) && rate.periodMs >= MIN_PERIOD_MS && rate.periodMs <= MAX_PERIOD_MS)) {
      throw DomainError.invalidArgument(`quota.rate_limit.period must be whole milliseconds from 1s to 24h, got ${rate.periodMs / 1000}s`);
    }
  }
  return quota;
}

/** How many more executions the quota lets start now: the smaller of what each limit leaves. */
export function headroom(quota: Pick<Quota, 'maxRunning' | 'rateLimit'>, usage: QuotaUsage): number {
  let room = Number.POSITIVE_INFINITY;
  if (quota.maxRunning !== undefined) room = Math.min(room, quota.maxRunning - usage.running);
  if (quota.rateLimit) room = Math.min(room, quota.rateLimit.maxStarts - usage.recentStarts);
  return Math.max(0, room);
}

/** Whether the quota applies to an execution of a job of this type with these labels. */
export function appliesTo(key: QuotaKey, jobType: string, labels: Readonly<Record<string, string>>): boolean {
  return key.jobType === jobType && (key.labelKey === '' || labels[key.labelKey] === key.labelValue);
}

export interface Candidate {
  readonly id: string;
  readonly jobType: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Picks, in the candidates' order (the queue order), up to `capacity` of them such that no quota
 * is exceeded: a candidate is taken when every quota that applies to it has room left, and then
 * uses one unit of each; otherwise it is passed over (it waits) and later candidates, which other
 * quotas may allow, are still considered. `rooms` holds each quota's headroom, and is used up.
 */
export function pickWithinQuotas<C extends Candidate>(
  candidates: readonly C[],
  quotas: ReadonlyArray<{ readonly key: QuotaKey }>,
  rooms: number[],
  capacity: number,
): C[] {
  const picked: C[] = [];
  for (const candidate of candidates) {
    if (picked.length >= capacity) break;
    const applying = quotas.flatMap((quota, i) => (appliesTo(quota.key, candidate.jobType, candidate.labels) ? [i] : []));
    if (applying.some((i) => (rooms[i] ?? 0) <= 0)) continue;
    for (const i of applying) rooms[i] = (rooms[i] ?? 0) - 1;
    picked.push(candidate);
  }
  return picked;
}

/** "quota job_type="email" label tenant="acme"" */
export function describeQuotaKey(key: QuotaKey): string {
  return `quota job_type=${quoted(key.jobType)}${key.labelKey === '' ? '' : ` label ${key.labelKey}=${quoted(key.labelValue)}`}`;
}

/** Why a quota holds executions back, naming the limit that is reached and its usage. */
export function describeUsage(quota: Pick<Quota, 'key' | 'maxRunning' | 'rateLimit'>, usage: QuotaUsage): string {
  const parts: string[] = [];
  if (quota.maxRunning !== undefined) parts.push(`${usage.running} of max_running ${quota.maxRunning} running`);
  if (quota.rateLimit) parts.push(`${usage.recentStarts} of ${quota.rateLimit.maxStarts} starts in the last ${quota.rateLimit.periodMs / 1000}s`);
  return `${describeQuotaKey(quota.key)}: ${parts.join(', ')}`;
}
