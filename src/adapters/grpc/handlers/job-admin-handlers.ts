import { UPDATABLE_FIELDS, type UpdatableField, type UpdateJob } from '../../../application/jobs/update-job.js';
import type { DeleteJob } from '../../../application/jobs/delete-job.js';
import type { BulkControl, BulkOperation, BulkOutcome, BulkResult, JobSelection } from '../../../application/jobs/bulk-control.js';
import { DomainError } from '../../../domain/errors.js';
import { create } from '@bufbuild/protobuf';
import { JobSchema, type Job } from '../../../gen/jobscheduler/v1/job_pb.js';
import { BulkOutcome as WireBulkOutcome, type JobSchedulerService, type JobSelector } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { definitionInput, STATE_TO_WIRE } from '../mapping/job-message.js';
import { jobMessage } from '../mapping/job-message.js';
import { requireId, withinFieldAsync } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';
import { jobFilter, reason } from './job-handlers.js';
import { quoted } from '../../../domain/text.js';

type Handlers = ServiceHandlers<typeof JobSchedulerService>;

export interface JobAdminUseCases {
  update: UpdateJob;
  delete: DeleteJob;
  bulk: BulkControl;
}

const OUTCOME: Readonly<Record<BulkOutcome, WireBulkOutcome>> = {
  changed: WireBulkOutcome.CHANGED,
  unchanged: WireBulkOutcome.UNCHANGED,
  illegal: WireBulkOutcome.ILLEGAL,
  not_found: WireBulkOutcome.NOT_FOUND,
};
const MAX_IDS = 1000;

/** UpdateJob, DeleteJob and the bulk controls. */
export function jobAdminHandlers(useCases: JobAdminUseCases): Pick<Handlers, 'updateJob' | 'deleteJob' | 'pauseJobs' | 'resumeJobs' | 'cancelJobs'> {
  const bulk = async (operation: BulkOperation, selector: JobSelector | undefined, why = '') => ({
    results: (await useCases.bulk.execute(operation, selection(selector), reason(why))).map(bulkMessage),
  });
  return {
    async updateJob(request) {
      const id = requireId('job.id', request.job?.id ?? '');
      const fields = maskFields(request.updateMask?.paths ?? []);
      const values = definitionInput(fieldsOnly(request.job, fields), 'job');
      const expectedVersion = request.expectedVersion === undefined ? undefined : Number(request.expectedVersion);
      // The merged job is validated as a whole; retry policy messages name the field under job.
      const job = await withinFieldAsync('job.', ['retry_policy', 'schedule'], () => useCases.update.execute({ id, values, fields, expectedVersion }));
      return { job: jobMessage(job) };
    },

    async deleteJob(request) {
      await useCases.delete.execute(requireId('id', request.id), request.force);
      return {};
    },

    pauseJobs: (request) => bulk('pause', request.selector),
    resumeJobs: (request) => bulk('resume', request.selector),
    cancelJobs: (request) => bulk('cancel', request.selector, request.reason),
  };
}

const OUTPUT_ONLY = new Set(['id', 'state', 'next_run_at', 'version', 'execution_count', 'consecutive_failures', 'last_error', 'last_run_at', 'last_success_at', 'created_at', 'updated_at', 'paused_at', 'cancelled_at', 'finished_at']);

function maskFields(paths: readonly string[]): UpdatableField[] {
  if (paths.length === 0) throw DomainError.invalidArgument('update_mask is required: name the fields to change, for example "name,schedule"');
  return [...new Set(paths)].map((path) => {
    if (path in UPDATABLE_FIELDS) return path as UpdatableField;
    if (OUTPUT_ONLY.has(path)) throw DomainError.invalidArgument(`update_mask: ${quoted(path)} is output only and cannot be changed${path === 'state' ? ' (use PauseJob, ResumeJob, CancelJob, RetryJob or RunJob)' : ''}`);
    if (path.includes('.')) throw DomainError.invalidArgument(`update_mask: ${quoted(path)} names a sub-field; give the whole field (${quoted(path.split('.')[0])})`);
    throw DomainError.invalidArgument(`update_mask: ${quoted(path)} is not a field of Job; updatable fields are ${Object.keys(UPDATABLE_FIELDS).join(', ')}`);
  });
}

/**
 * A copy of the wire job holding only the masked fields (AIP-134: fields outside the mask are
 * ignored), so definitionInput() judges only what changes. definitionInput() always parses a
 * schedule, so a stand-in is used when the schedule is not being changed; it is never applied.
 */
function fieldsOnly(job: Job | undefined, fields: readonly UpdatableField[]): Job {
  const subset = create(JobSchema, { name: 'unchanged', type: 'unchanged', schedule: { kind: { case: 'once', value: {} } } }) as unknown as Record<string, unknown>;
  for (const field of fields) {
    const descriptor = JobSchema.fields.find((f) => f.name === field);
    if (descriptor && job) subset[descriptor.localName] = (job as unknown as Record<string, unknown>)[descriptor.localName];
  }
  return subset as unknown as Job;
}

function selection(selector: JobSelector | undefined): JobSelection {
  switch (selector?.selection.case) {
    case 'ids': {
      const ids = selector.selection.value.ids;
      if (ids.length < 1 || ids.length > MAX_IDS) throw DomainError.invalidArgument(`selector.ids must list 1 to ${MAX_IDS} ids, got ${ids.length}`);
      return { ids: ids.map((id, i) => requireId(`selector.ids.ids[${i}]`, id)) };
    }
    case 'filter':
      return { filter: jobFilter(selector.selection.value, 'selector.filter') };
    default:
      throw DomainError.invalidArgument('selector is required: set ids or filter');
  }
}

function bulkMessage(result: BulkResult) {
  return { jobId: result.jobId, outcome: OUTCOME[result.outcome], ...(result.state ? { state: STATE_TO_WIRE[result.state] } : {}), message: result.message };
}
