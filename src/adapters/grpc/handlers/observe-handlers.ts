import type { MetricsHistory } from '../../../application/queries/metrics-history.js';
import type { SchedulerMetrics } from '../../../application/queries/scheduler-metrics.js';
import type { WatchExecutions } from '../../../application/queries/watch-executions.js';
import type { ExecutionEventKind } from '../../../application/ports/event-store.js';
import { successRate } from '../../../domain/statistics/execution-statistics.js';
import { ExecutionEventKind as WireKind } from '../../../gen/jobscheduler/v1/execution_pb.js';
import type { JobSchedulerService } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { executionMessage } from '../mapping/execution-message.js';
import { duration, msFrom, requireId, requireJobTypes, timestamp } from '../mapping/wire-values.js';
import type { ServiceHandlers } from '../service-binding.js';

type Handlers = ServiceHandlers<typeof JobSchedulerService>;

export interface ObserveUseCases {
  metrics: SchedulerMetrics;
  history: MetricsHistory;
  watch: WatchExecutions;
}

const KIND: Readonly<Record<ExecutionEventKind, WireKind>> = {
  queued: WireKind.QUEUED,
  started: WireKind.STARTED,
  succeeded: WireKind.SUCCEEDED,
  failed: WireKind.FAILED,
  cancelled: WireKind.CANCELLED,
  timed_out: WireKind.TIMED_OUT,
  lost: WireKind.LOST,
};

/** GetSchedulerMetrics, GetMetricsHistory and WatchExecutions. */
export function observeHandlers(useCases: ObserveUseCases): Pick<Handlers, 'getSchedulerMetrics' | 'getMetricsHistory' | 'watchExecutions'> {
  return {
    async getMetricsHistory(request) {
      const history = await useCases.history.execute(msFrom('window', request.window), msFrom('step', request.step));
      return {
        buckets: history.buckets.map((b) => ({
          start: timestamp(b.start),
          succeeded: BigInt(b.succeeded),
          failed: BigInt(b.failed),
          cancelled: BigInt(b.cancelled),
          successRate: successRate(b.succeeded, b.succeeded + b.failed + b.cancelled),
          queueDepth: BigInt(b.queueDepth),
          started: BigInt(b.started),
          scheduleLagP50: duration(b.lagP50Ms),
          scheduleLagP95: duration(b.lagP95Ms),
        })),
        step: duration(history.stepMs),
        computedAt: timestamp(history.computedAt),
      };
    },

    async getSchedulerMetrics() {
      const f = await useCases.metrics.execute();
      const s = f.executionsByStatus;
      const finished = s.succeeded + s.failed + s.cancelled + s.timed_out + s.lost;
      return {
        metrics: {
          jobsPending: BigInt(f.jobsByState.pending),
          jobsScheduled: BigInt(f.jobsByState.scheduled),
          jobsRunning: BigInt(f.jobsByState.running),
          jobsPaused: BigInt(f.jobsByState.paused),
          jobsCompleted: BigInt(f.jobsByState.completed),
          jobsFailed: BigInt(f.jobsByState.failed),
          jobsCancelled: BigInt(f.jobsByState.cancelled),
          executionsTotal: BigInt(Object.values(s).reduce((a, b) => a + b, 0)),
          executionsQueued: BigInt(s.queued),
          executionsRunning: BigInt(s.running),
          executionsSucceeded: BigInt(s.succeeded),
          executionsFailed: BigInt(s.failed + s.timed_out + s.lost),
          executionsCancelled: BigInt(s.cancelled),
          successRate: successRate(s.succeeded, finished),
          averageDuration: duration(f.meanDurationMs),
          p95Duration: duration(f.p95DurationMs),
          scheduleLagP50: duration(f.lagP50Ms),
          scheduleLagP95: duration(f.lagP95Ms),
          executionsOverdue: BigInt(f.executionsOverdue),
          leasesRescued: BigInt(f.leasesRescued),
          jobsOverdue: BigInt(f.jobsOverdue),
          lastCheckAt: timestamp(f.lastCheckAt),
          computedAt: timestamp(f.computedAt),
          window: duration(f.windowMs),
        },
      };
    },

    async watchExecutions(request, send, context) {
      requireJobTypes(request.jobTypes);
      const filter = { ...(request.jobId ? { jobId: requireId('job_id', request.jobId) } : {}), jobTypes: request.jobTypes };
      await useCases.watch.run({ filter, cursor: request.cursor || undefined, signal: context.signal }, async (event, execution) => {
        await send({
          event: {
            cursor: event.cursor,
            kind: KIND[event.kind],
            occurredAt: timestamp(event.occurredAt),
            ...(execution ? { execution: executionMessage(execution) } : {}),
          },
        });
      });
    },
  };
}
