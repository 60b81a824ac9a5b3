import { setTimeout as sleep } from 'node:timers/promises';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ExecutionEventKindSchema, ExecutionEventSchema, ExecutionSchema, ExecutionStatusSchema, ExecutionTriggerSchema, type Execution } from '../../gen/jobscheduler/v1/execution_pb.js';
import { enumLabel, enumValue } from '../labels.js';
import type { Command, Context } from './context.js';
import { noOperands, operand, wholeNumber } from './operands.js';
import { json, printFields, printJson, printJsonArray, printTable, span, time } from './output.js';

export function executionFields(execution: Execution): Array<[string, string]> {
  return [
    ['id', execution.id],
    ['job', execution.jobId],
    ['type', execution.jobType],
    ['number', execution.number.toString()],
    ['attempt', String(execution.attempt)],
    ['status', enumLabel(ExecutionStatusSchema, execution.status)],
    ['trigger', enumLabel(ExecutionTriggerSchema, execution.trigger)],
    ['occurrence', time(execution.occurrenceAt)],
    ['queued', time(execution.queuedAt)],
    ['started', time(execution.startedAt)],
    ['finished', time(execution.finishedAt)],
    ['duration', span(execution.duration)],
    ['worker', execution.workerId || '-'],
    ['cancel requested', execution.cancelRequested ? 'yes' : 'no'],
    ['error', execution.error ? execution.error.message : '-'],
    ['result', json(execution.result)],
    ['progress', json(execution.progress)],
  ];
}

/** How long watch waits before reconnecting after UNAVAILABLE, doubling up to the last. */
/** One execution, as JSON or as fields; nothing when the answer held none. */
function printExecution(context: Context, execution: Execution | undefined): void {
  if (execution === undefined) return;
  if (context.json) printJson(context.out, ExecutionSchema, execution);
  else printFields(context.out, executionFields(execution));
}

const RECONNECT_MS = [250, 500, 1_000, 2_000, 5_000];

export const EXECUTION_COMMANDS: Command[] = [
  {
    name: 'executions list',
    usage: '[--job JOB_ID] [--status STATUS]… [--type TYPE] [--limit N] [--page-token TOKEN] [--quiet]',
    summary: 'list executions, newest first',
    options: { job: { type: 'string' }, status: { type: 'string', multiple: true }, type: { type: 'string' }, limit: { type: 'string' }, 'page-token': { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
    async run(context) {
      noOperands(context);
      const { values } = context;
      const response = await context.scheduler().listExecutions(
        {
          jobId: (values.job as string | undefined) ?? '',
          statuses: ((values.status as string[] | undefined) ?? []).map((s) => enumValue(ExecutionStatusSchema, s)),
          jobType: (values.type as string | undefined) ?? '',
          pageSize: wholeNumber(values.limit as string | undefined, 'limit', 1, 1000) ?? 50,
          pageToken: (values['page-token'] as string | undefined) ?? '',
        },
        context.call,
      );
      if (response.nextPageToken !== '' && !context.json) context.err.write(`next page: --page-token ${response.nextPageToken}\n`);
      if (context.values.quiet === true) {
        for (const execution of response.executions) context.out.write(`${execution.id}\n`);
        return 0;
      }
      if (context.json) {
        printJsonArray(context.out, ExecutionSchema, response.executions, { nextPageToken: response.nextPageToken });
        return 0;
      }
      printTable(
        context.out,
        ['ID', 'JOB', 'ATTEMPT', 'STATUS', 'OCCURRENCE', 'DURATION', 'ERROR'],
        response.executions.map((e) => [e.id, e.jobId, String(e.attempt), enumLabel(ExecutionStatusSchema, e.status), time(e.occurrenceAt), span(e.duration), e.error?.message ?? '']),
      );
      return 0;
    },
  },
  {
    name: 'executions get',
    usage: 'EXECUTION_ID',
    summary: 'show an execution',
    options: {},
    async run(context) {
      const response = await context.scheduler().getExecution({ id: operand(context, 'EXECUTION_ID') }, context.call);
      printExecution(context, response.execution);
      return 0;
    },
  },
  {
    name: 'executions cancel',
    usage: 'EXECUTION_ID [--reason TEXT]',
    summary: 'cancel a queued or running execution',
    options: { reason: { type: 'string' } },
    async run(context) {
      const id = operand(context, 'EXECUTION_ID');
      const response = await context.scheduler().cancelExecution({ id, reason: (context.values.reason as string | undefined) ?? '' }, context.call);
      printExecution(context, response.execution);
      return 0;
    },
  },
  {
    name: 'executions watch',
    usage: '[--job JOB_ID] [--type TYPE]… [--cursor CURSOR] [--count N]',
    summary: 'follow execution events until Ctrl-C (or --count events); reconnects and resumes after its last cursor',
    options: { job: { type: 'string' }, type: { type: 'string', multiple: true }, cursor: { type: 'string' }, count: { type: 'string' } },
    async run(context) {
      noOperands(context);
      const { values } = context;
      const limit = wholeNumber(values.count as string | undefined, 'count', 1, Number.MAX_SAFE_INTEGER);
      let cursor = (values.cursor as string | undefined) ?? '';
      let seen = 0;
      let failures = 0;
      if (!context.json) context.out.write(`${['OCCURRED', 'EVENT', 'EXECUTION', 'JOB', 'ATTEMPT', 'CURSOR'].join('  ')}\n`);
      const client = context.scheduler();
      while (!context.signal.aborted) {
        try {
          const request = { jobId: (values.job as string | undefined) ?? '', jobTypes: (values.type as string[] | undefined) ?? [], cursor };
          for await (const { event } of client.watchExecutions(request, { signal: context.signal })) {
            if (!event) continue;
            failures = 0;
            cursor = event.cursor;
            if (context.json) printJson(context.out, ExecutionEventSchema, event);
            else context.out.write(`${[time(event.occurredAt), enumLabel(ExecutionEventKindSchema, event.kind), event.execution?.id ?? '-', event.execution?.jobId ?? '-', String(event.execution?.attempt ?? '-'), event.cursor].join('  ')}\n`);
            seen += 1;
            if (limit !== undefined && seen >= limit) return 0;
          }
        } catch (error) {
          if (context.signal.aborted) break;
          if ((error as { code?: number }).code !== grpcStatus.UNAVAILABLE) throw error;
          const wait = RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)] as number;
          failures += 1;
          context.err.write(`watch: the server is unavailable; reconnecting in ${wait} ms${cursor ? ` from cursor ${cursor}` : ''}\n`);
          await sleep(wait, undefined, { signal: context.signal }).catch(() => undefined);
        }
      }
      context.err.write(cursor ? `watch stopped; resume with --cursor ${cursor}\n` : 'watch stopped\n');
      return 0;
    },
  },
];
