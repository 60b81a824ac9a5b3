import type { JobQueries } from '../../../application/queries/job-queries.js';
import type { OccurrenceOutcome as DomainOutcome } from '../../../domain/occurrence/occurrence.js';
import type { JobSchedulerService } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { OccurrenceOutcome } from '../../../gen/jobscheduler/v1/occurrence_pb.js';
import { DomainError } from '../../../domain/errors.js';
import { STATUS_TO_WIRE } from '../mapping/execution-message.js';
import { decodePageToken, encodePageToken, isTimeMs, pageSize, positionField } from '../mapping/page-token.js';
import { dateFrom, requireId, timestamp } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';

type Handlers = ServiceHandlers<typeof JobSchedulerService>;

const OUTCOME: Readonly<Record<DomainOutcome, OccurrenceOutcome>> = {
  fired: OccurrenceOutcome.FIRED,
  deferred_by_window: OccurrenceOutcome.DEFERRED_BY_WINDOW,
  skipped_by_window: OccurrenceOutcome.SKIPPED_BY_WINDOW,
  skipped_by_overlap: OccurrenceOutcome.SKIPPED_BY_OVERLAP,
  missed_not_caught_up: OccurrenceOutcome.MISSED_NOT_CAUGHT_UP,
  triggered_by_upstream: OccurrenceOutcome.TRIGGERED_BY_UPSTREAM,
  run_by_operator: OccurrenceOutcome.RUN_BY_OPERATOR,
  retried_by_operator: OccurrenceOutcome.RETRIED_BY_OPERATOR,
};

const isKey = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

/** ListOccurrences: the occurrence ledger of one job. */
export function occurrenceHandlers(queries: JobQueries): Pick<Handlers, 'listOccurrences'> {
  return {
    async listOccurrences(request) {
      const jobId = requireId('job_id', request.jobId);
      const from = dateFrom('from', request.from);
      const to = dateFrom('to', request.to);
      if (from && to && to <= from) throw DomainError.invalidArgument(`to (${to.toISOString()}) must be later than from (${from.toISOString()})`);
      const query = { jobId, from: from?.getTime() ?? null, to: to?.getTime() ?? null };
      const position = decodePageToken(request.pageToken, query);
      const after = position && { slotAt: new Date(positionField(position, 's', isTimeMs)), key: positionField(position, 'k', isKey) };
      const page = await queries.occurrences({ jobId, from, to }, after, pageSize(request.pageSize));
      return {
        occurrences: page.occurrences.map((o) => ({
          slotAt: timestamp(o.slotAt),
          lastSlotAt: timestamp(o.lastSlotAt),
          slotCount: BigInt(o.slotCount),
          outcome: OUTCOME[o.outcome],
          executionId: o.execution?.id ?? '',
          ...(o.execution ? { executionStatus: STATUS_TO_WIRE[o.execution.status], attempts: o.execution.attempts } : {}),
          upstreamExecutionIds: [...o.upstreamExecutionIds],
          deferredTo: timestamp(o.deferredTo),
          waitingReason: o.waitingReason,
          recordedAt: timestamp(o.recordedAt),
        })),
        nextPageToken: page.next ? encodePageToken({ s: page.next.slotAt.getTime(), k: page.next.key }, query) : '',
      };
    },
  };
}
