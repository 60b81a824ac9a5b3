import type { CancelExecution } from '../../../application/jobs/cancel-execution.js';
import type { JobQueries } from '../../../application/queries/job-queries.js';
import type { PreviewSchedule } from '../../../application/schedules/preview-schedule.js';
import { ListExecutionsResponseSchema, type JobSchedulerService } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { ExecutionSchema } from '../../../gen/jobscheduler/v1/execution_pb.js';
import { continuesAfter, pageWithin } from '../mapping/message-bytes.js';
import { executionMessage, statusFromWire } from '../mapping/execution-message.js';
import { decodePageToken, encodePageToken, isCount, isTimeMs, pageSize, positionField } from '../mapping/page-token.js';
import { scheduleInput } from '../mapping/schedule-message.js';
import { windowsInput } from '../mapping/window-message.js';
import { dateFrom, duration, isUuid, requireId, timestamp } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';
import { reason } from './job-handlers.js';

type Handlers = ServiceHandlers<typeof JobSchedulerService>;

export interface ExecutionUseCases {
  queries: JobQueries;
  cancelExecution: CancelExecution;
  preview: PreviewSchedule;
}

/** Execution history, statistics, execution cancel and schedule preview. */
export function executionHandlers(useCases: ExecutionUseCases): Pick<Handlers, 'cancelExecution' | 'listExecutions' | 'getExecution' | 'getJobStats' | 'previewSchedule'> {
  return {
    async cancelExecution(request) {
      return { execution: executionMessage(await useCases.cancelExecution.execute(requireId('id', request.id), reason(request.reason))) };
    },

    async getExecution(request) {
      return { execution: executionMessage(await useCases.queries.execution(requireId('id', request.id))) };
    },

    async listExecutions(request) {
      const filter = {
        ...(request.jobId ? { jobId: requireId('job_id', request.jobId) } : {}),
        statuses: request.statuses.map((status, i) => statusFromWire(`statuses[${i}]`, status)),
        ...(request.jobType ? { jobType: request.jobType } : {}),
      };
      const limit = pageSize(request.pageSize);
      const position = decodePageToken(request.pageToken, filter);
      const after = position && { queuedAt: new Date(positionField(position, 'q', isTimeMs)), number: positionField(position, 'n', isCount), id: positionField(position, 'i', isUuid) };
      const page = await useCases.queries.executions(filter, after, limit);
      const executions = page.executions.map(executionMessage);
      const tokenAfter = (execution: { queuedAt: Date; number: number; id: string } | undefined) => (execution ? encodePageToken({ q: execution.queuedAt.getTime(), n: execution.number, i: execution.id }, filter) : '');
      return pageWithin(ListExecutionsResponseSchema, ExecutionSchema, executions, (count) => ({
        executions: executions.slice(0, count),
        nextPageToken: tokenAfter(continuesAfter(page.executions, count, page.next)),
      }));
    },

    async getJobStats(request) {
      const { job, statistics, lastExecution, expectation, waitingReason } = await useCases.queries.statistics(requireId('job_id', request.jobId));
      const s = statistics.byStatus;
      return {
        stats: {
          jobId: job.id,
          totalExecutions: BigInt(statistics.total),
          succeeded: BigInt(s.succeeded),
          failed: BigInt(s.failed),
          cancelled: BigInt(s.cancelled),
          timedOut: BigInt(s.timed_out),
          lost: BigInt(s.lost),
          queued: BigInt(s.queued),
          running: BigInt(s.running),
          successRate: statistics.successRate,
          averageDuration: duration(statistics.meanDurationMs),
          p50Duration: duration(statistics.p50DurationMs),
          p95Duration: duration(statistics.p95DurationMs),
          ...(lastExecution ? { lastExecution: executionMessage(lastExecution) } : {}),
          lastSuccessAt: timestamp(statistics.lastSuccessAt ?? job.lastSuccessAt),
          lastFailureAt: timestamp(statistics.lastFailureAt),
          nextRunAt: timestamp(job.nextRunAt),
          consecutiveFailures: job.consecutiveFailures,
          successExpectedBy: timestamp(expectation?.expectedBy),
          overdue: expectation?.overdue ?? false,
          waitingReason,
        },
      };
    },

    async previewSchedule(request) {
      const windows = windowsInput(request.executionWindows, 'execution_windows');
      const times = useCases.preview.execute(scheduleInput(request.schedule), request.count, dateFrom('after', request.after), windows);
      return { fireTimes: times.map((time) => timestamp(time)).filter((t) => t !== undefined) };
    },
  };
}
