import type { MessageInitShape } from '@bufbuild/protobuf';
import { DependencyCondition, DependencyConditionSchema, type Job, type JobDependencySchema } from '../../gen/jobscheduler/v1/job_pb.js';
import { enumLabel, enumValue } from '../labels.js';
import type { Values } from './args.js';
import { UsageError } from './errors.js';
import { parsedFlag } from './operands.js';

/** jobs create and jobs update: the jobs this one runs after, and the schedule that waits for them alone. */
export const DEPENDENCY_OPTIONS = {
  'depends-on': { type: 'string', multiple: true },
  'after-upstream': { type: 'boolean' },
} as const;

/** jobs update only: clear the job's upstream jobs. */
export const NO_DEPENDENCIES_OPTION = { 'no-depends-on': { type: 'boolean' } } as const;

type DependencyInit = MessageInitShape<typeof JobDependencySchema>;

/**
 * "--depends-on JOB_ID[:success|failure|completion]" (repeatable, in order) as depends_on;
 * undefined when not given, and an empty list for --no-depends-on (which clears them).
 */
export function dependenciesFrom(values: Values): DependencyInit[] | undefined {
  const given = values['depends-on'] as string[] | undefined;
  if (values['no-depends-on'] === true) {
    if (given !== undefined) throw new UsageError('--no-depends-on clears the upstream jobs; it does not go with --depends-on');
    return [];
  }
  return given?.map(dependency);
}

function dependency(text: string): DependencyInit {
  const at = text.lastIndexOf(':');
  const jobId = (at < 0 ? text : text.slice(0, at)).trim();
  if (jobId === '') throw new UsageError(`--depends-on takes JOB_ID or JOB_ID:CONDITION, got ${JSON.stringify(text)}`);
  if (at < 0) return { jobId };
  return { jobId, condition: parsedFlag('depends-on', () => enumValue(DependencyConditionSchema, text.slice(at + 1))) };
}

/** The upstream jobs as the flag would write them ("9f0c…:failure, 4d2a…"; success is the default). */
export function dependenciesText(job: Pick<Job, 'dependsOn'>): string {
  if (job.dependsOn.length === 0) return '-';
  return job.dependsOn
    .map((d) => (d.condition === DependencyCondition.SUCCESS || d.condition === DependencyCondition.UNSPECIFIED ? d.jobId : `${d.jobId}:${enumLabel(DependencyConditionSchema, d.condition)}`))
    .join(', ');
}
