import { dependencies, type DependencyCondition } from '../dependency/dependency.js';
import { DomainError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { retryPolicy, type RetryPolicyInput } from '../retry/retry-policy.js';
import type { Schedule } from '../schedule/schedule.js';
import type { CatchUpPolicy, JobDefinition, OverlapPolicy } from './job.js';
import { characterCount, quoted, utf8ByteLength } from '../text.js';
import { isJobType } from './job-type.js';
import { executionWindows, type ExecutionWindows, type ExecutionWindowsInput } from '../window/execution-windows.js';

const SECOND = 1_000;
const DAY = 86_400 * SECOND;
const LABEL_KEY_PATTERN = /^[A-Za-z0-9._/-]{1,63}$/;

export { isJobType };

export interface JobDefinitionInput {
  name: string;
  type: string;
  description?: string | undefined;
  payload?: JsonObject | undefined;
  /** Already validated (parseSchedule). */
  schedule: Schedule;
  retryPolicy?: RetryPolicyInput | undefined;
  attemptTimeoutMs?: number | undefined;
  priority?: number | undefined;
  overlapPolicy?: OverlapPolicy | undefined;
  catchUpPolicy?: CatchUpPolicy | undefined;
  catchUpWindowMs?: number | undefined;
  labels?: Record<string, string> | undefined;
  pauseAfterConsecutiveFailures?: number | undefined;
  expectSuccessWithinMs?: number | undefined;
  dependsOn?: readonly { jobId: string; condition?: DependencyCondition | undefined }[] | undefined;
  /** Unvalidated windows, or already validated ones (UpdateJob merges the stored definition). */
  executionWindows?: ExecutionWindowsInput | ExecutionWindows | undefined;
}

export interface DefinitionLimits {
  /** Largest payload, as encoded JSON bytes. */
  readonly maxPayloadBytes: number;
}

/** Fills defaults and checks every field; the message names the field as the API spells it. */
export function jobDefinition(input: JobDefinitionInput, limits: DefinitionLimits): JobDefinition {
  const name = input.name.trim();
  const nameLength = characterCount(name);
  check(nameLength >= 1 && nameLength <= 200, `job.name must be 1 to 200 characters, got ${nameLength}`);
  check(isJobType(input.type), `job.type must be 1 to 100 letters, digits or ". _ : -", got ${quoted(input.type)}`);
  const description = input.description ?? '';
  const descriptionLength = characterCount(description);
  check(descriptionLength <= 2000, `job.description must be at most 2000 characters, got ${descriptionLength}`);
  const payload = input.payload ?? {};
  const payloadBytes = utf8ByteLength(JSON.stringify(payload));
  check(payloadBytes <= limits.maxPayloadBytes, `job.payload is ${payloadBytes} bytes encoded; the limit is ${limits.maxPayloadBytes}`);
  const labels = input.labels ?? {};
  const entries = Object.entries(labels);
  check(entries.length <= 32, `job.labels may hold at most 32 entries, got ${entries.length}`);
  for (const [key, value] of entries) {
    check(LABEL_KEY_PATTERN.test(key), `job.labels key ${quoted(key)} must be 1 to 63 letters, digits or ". _ / -"`);
    const valueLength = characterCount(value);
    check(valueLength <= 255, `job.labels[${quoted(key)}] must be at most 255 characters, got ${valueLength}`);
  }
  const priority = input.priority ?? 0;
  check(Number.isInteger(priority) && priority >= -1000 && priority <= 1000, `job.priority must be a whole number from -1000 to 1000, got ${priority}`);
  const attemptTimeoutMs = optionalDuration('job.attempt_timeout', input.attemptTimeoutMs, SECOND, 7 * DAY);
  const catchUpWindowMs = optionalDuration('job.catch_up_window', input.catchUpWindowMs, SECOND, 7 * DAY) ?? 3_600 * SECOND;
  const expectSuccessWithinMs = optionalDuration('job.expect_success_within', input.expectSuccessWithinMs, SECOND, 365 * DAY);
  const pauseAfter = input.pauseAfterConsecutiveFailures ?? 0;
  check(Number.isInteger(pauseAfter) && pauseAfter >= 0 && pauseAfter <= 1000, `job.pause_after_consecutive_failures must be from 0 to 1000, got ${pauseAfter}`);
  const dependsOn = dependencies(input.dependsOn ?? []);
  check(input.schedule.kind !== 'after_upstream' || dependsOn.length > 0, 'job.schedule.after_upstream needs job.depends_on to list at least one upstream job');
  const windows = input.executionWindows;
  return {
    executionWindows: windows === undefined ? undefined : isValidated(windows) ? windows : executionWindows(windows, 'job.execution_windows'),
    name,
    type: input.type,
    description,
    payload,
    schedule: input.schedule,
    retryPolicy: retryPolicy(input.retryPolicy),
    attemptTimeoutMs,
    priority,
    overlapPolicy: input.overlapPolicy ?? 'skip',
    catchUpPolicy: input.catchUpPolicy ?? 'skip',
    catchUpWindowMs,
    labels,
    pauseAfterConsecutiveFailures: pauseAfter,
    expectSuccessWithinMs,
    dependsOn,
  };
}

function isValidated(windows: ExecutionWindowsInput | ExecutionWindows): windows is ExecutionWindows {
  return windows.windows.length > 0 && windows.windows.every((window) => 'startMinute' in window);
}

function optionalDuration(field: string, ms: number | undefined, min: number, max: number): number | undefined {
  if (ms === undefined) return undefined;
  check(Number.isFinite(ms) && ms >= min && ms <= max, `${field} must be from ${min / SECOND}s to ${max / SECOND}s, got ${Number.isFinite(ms) ? `${ms / SECOND}s` : String(ms)}`);
  return ms;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw DomainError.invalidArgument(message);
}
