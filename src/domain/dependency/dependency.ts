import { DomainError } from '../errors.js';
import type { OccurrenceOutcome } from '../job/job-operations.js';

/** Which outcome of an upstream occurrence counts. A cancelled occurrence never does. */
export type DependencyCondition = 'success' | 'failure' | 'completion';

/** "Run after `jobId` ended an occurrence as `condition` asks." */
export interface Dependency {
  readonly jobId: string;
  readonly condition: DependencyCondition;
}

export const MAX_DEPENDENCIES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks the list a request gives; the message names the field as the API spells it. */
export function dependencies(input: readonly { jobId: string; condition?: DependencyCondition | undefined }[], field = 'job.depends_on'): Dependency[] {
  if (input.length > MAX_DEPENDENCIES) throw DomainError.invalidArgument(`${field} may list at most ${MAX_DEPENDENCIES} jobs, got ${input.length}`);
  const seen = new Map<string, number>();
  return input.map((d, i) => {
    if (d.jobId === '') throw DomainError.invalidArgument(`${field}[${i}].job_id is required`);
    if (!UUID.test(d.jobId)) throw DomainError.invalidArgument(`${field}[${i}].job_id "${d.jobId.slice(0, 64)}" is not a valid id`);
    const jobId = d.jobId.toLowerCase();
    const earlier = seen.get(jobId);
    if (earlier !== undefined) throw DomainError.invalidArgument(`${field}[${i}].job_id repeats ${field}[${earlier}]: list each upstream job once`);
    seen.set(jobId, i);
    return { jobId, condition: d.condition ?? 'success' };
  });
}

/** Whether an upstream occurrence that ended so satisfies the condition. */
export function satisfies(condition: DependencyCondition, outcome: OccurrenceOutcome): boolean {
  if (outcome === 'cancelled') return false;
  return condition === 'completion' || (condition === 'success') === (outcome === 'succeeded');
}

/**
 * The cycle `downstream` → its upstreams would close, as the path of job ids from `downstream`
 * back to itself, or undefined. `upstreamsOf` holds the stored edges reachable from `upstreams`.
 */
export function findCycle(downstream: string, upstreams: readonly string[], upstreamsOf: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const visited = new Set<string>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    if (id === downstream) return path;
    if (visited.has(id)) return undefined;
    visited.add(id);
    for (const next of upstreamsOf.get(id) ?? []) {
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  for (const upstream of upstreams) {
    const found = walk(upstream, [downstream, upstream]);
    if (found) return found;
  }
  return undefined;
}
