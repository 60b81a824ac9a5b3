import { timestampDate } from '@bufbuild/protobuf/wkt';
import { createServiceClient } from '../../adapters/grpc/client/typed-client.js';
import { Health, HealthCheckResponse_ServingStatus, HealthCheckResponse_ServingStatusSchema, HealthCheckResponseSchema } from '../../gen/health/v1/health_pb.js';
import { JobStatsSchema, SchedulerMetricsSchema } from '../../gen/jobscheduler/v1/stats_pb.js';
import { PreviewScheduleResponseSchema } from '../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { cron } from '../schedules.js';
import { timestamp } from '../time.js';
import { enumLabel } from '../labels.js';
import type { Command } from './context.js';
import { EXIT, UsageError } from './errors.js';
import { operand, wholeNumber } from './operands.js';
import { printFields, printJson, percent, span, time } from './output.js';
import { SCHEDULE_OPTIONS, scheduleFrom } from './schedule-flags.js';
import { WINDOW_OPTIONS, windowsFrom } from './window-flags.js';

// What an execution does when its window closes does not move a fire time.
const { 'at-window-close': _atClose, ...PREVIEW_WINDOW_OPTIONS } = WINDOW_OPTIONS;

export const SERVICE_COMMANDS: Command[] = [
  {
    name: 'stats',
    usage: 'JOB_ID',
    summary: "a job's execution statistics",
    options: {},
    async run(context) {
      const { stats } = await context.scheduler().getJobStats({ jobId: operand(context, 'JOB_ID') }, context.call);
      if (!stats) return 0;
      if (context.json) return printJson(context.out, JobStatsSchema, stats), 0;
      printFields(context.out, [
        ['job', stats.jobId],
        ['executions', stats.totalExecutions.toString()],
        ['succeeded', stats.succeeded.toString()],
        ['failed', stats.failed.toString()],
        ['cancelled', stats.cancelled.toString()],
        ['timed out', stats.timedOut.toString()],
        ['lost', stats.lost.toString()],
        ['queued', stats.queued.toString()],
        ['running', stats.running.toString()],
        ['success rate', percent(stats.successRate)],
        ['average', span(stats.averageDuration)],
        ['p50', span(stats.p50Duration)],
        ['p95', span(stats.p95Duration)],
        ['last success', time(stats.lastSuccessAt)],
        ['last failure', time(stats.lastFailureAt)],
        ['next run', time(stats.nextRunAt)],
        ['failures in a row', String(stats.consecutiveFailures)],
        ['overdue', stats.overdue ? 'yes' : 'no'],
      ]);
      return 0;
    },
  },
  {
    name: 'metrics',
    usage: '',
    summary: 'scheduler-wide counts, success rate and schedule lag',
    options: {},
    async run(context) {
      if (context.operands.length > 0) throw new UsageError(`unexpected ${JSON.stringify(context.operands[0])}`);
      const { metrics } = await context.scheduler().getSchedulerMetrics({}, context.call);
      if (!metrics) return 0;
      if (context.json) return printJson(context.out, SchedulerMetricsSchema, metrics), 0;
      const m = metrics;
      printFields(context.out, [
        ['jobs', `${m.jobsScheduled} scheduled, ${m.jobsRunning} running, ${m.jobsPaused} paused, ${m.jobsPending} pending, ${m.jobsCompleted} completed, ${m.jobsFailed} failed, ${m.jobsCancelled} cancelled`],
        ['executions', `${m.executionsTotal} total, ${m.executionsQueued} queued, ${m.executionsRunning} running, ${m.executionsSucceeded} succeeded, ${m.executionsFailed} failed, ${m.executionsCancelled} cancelled`],
        ['success rate', percent(m.successRate)],
        ['duration', `average ${span(m.averageDuration)}, p95 ${span(m.p95Duration)}`],
        ['schedule lag', `p50 ${span(m.scheduleLagP50)}, p95 ${span(m.scheduleLagP95)}`],
        ['overdue', `${m.jobsOverdue} jobs, ${m.executionsOverdue} executions`],
        ['leases rescued', m.leasesRescued.toString()],
        ['window', span(m.window)],
        ['computed', time(m.computedAt)],
      ]);
      return 0;
    },
  },
  {
    name: 'preview',
    usage: "(--every 15m [--anchor TIME] | --cron 'EXPR' [--tz ZONE] | 'CRON EXPR' [--tz ZONE] | --at TIME | --now) [--window 'DAYS HH:MM-HH:MM']… [--window-zone ZONE] [--outside-window defer|skip] [--count N] [--after TIME]",
    summary: 'the next fire times of a schedule (after execution windows, if given), computed by the server',
    options: { ...SCHEDULE_OPTIONS, ...PREVIEW_WINDOW_OPTIONS, count: { type: 'string' }, after: { type: 'string' } },
    async run(context) {
      const { values, operands } = context;
      if (operands.length > 1) throw new UsageError("quote a cron expression as one operand: preview '0 9 * * 1-5'");
      const fromFlags = scheduleFrom(operands.length === 1 ? { ...values, tz: undefined } : values);
      if (operands.length === 1 && fromFlags !== undefined) throw new UsageError('give the schedule as an operand or as flags, not both');
      const schedule = operands.length === 1 ? cron(operands[0] as string, values.tz as string | undefined) : fromFlags;
      if (schedule === undefined) throw new UsageError('a schedule is required: --every, --cron, --at, --now or a cron expression');
      const count = wholeNumber(values.count as string | undefined, 'count', 1, 100) ?? 10;
      const after = values.after === undefined ? {} : { after: timestamp(values.after as string) };
      const windows = windowsFrom(values);
      const response = await context.scheduler().previewSchedule({ schedule, count, ...after, ...(windows ? { executionWindows: windows } : {}) }, context.call);
      if (context.json) return printJson(context.out, PreviewScheduleResponseSchema, response), 0;
      for (const fire of response.fireTimes) context.out.write(`${timestampDate(fire).toISOString()}\n`);
      if (response.fireTimes.length === 0) context.out.write('(no fire time)\n');
      return 0;
    },
  },
  {
    name: 'health',
    usage: '[--service NAME]',
    summary: 'grpc.health.v1 check; exit 0 only when SERVING',
    options: { service: { type: 'string' } },
    async run(context) {
      if (context.operands.length > 0) throw new UsageError(`unexpected ${JSON.stringify(context.operands[0])}`);
      const client = context.connect((address, credentials, options) => createServiceClient(Health, address, credentials, options));
      try {
        const response = await client.check({ service: (context.values.service as string | undefined) ?? '' }, context.call);
        if (context.json) printJson(context.out, HealthCheckResponseSchema, response);
        else context.out.write(`${enumLabel(HealthCheckResponse_ServingStatusSchema, response.status)}\n`);
        return response.status === HealthCheckResponse_ServingStatus.SERVING ? EXIT.ok : EXIT.refused;
      } finally {
        client.close();
      }
    },
  },
];
