import { readFileSync } from 'node:fs';
import { toJson, type MessageInitShape } from '@bufbuild/protobuf';
import { CatchUpPolicySchema, JobSchema, JobStateSchema, JobView, OverlapPolicySchema, type Job, type JobSchema as JobDesc } from '../../gen/jobscheduler/v1/job_pb.js';
import { ExecutionSchema, type Execution } from '../../gen/jobscheduler/v1/execution_pb.js';
import { enumLabel, enumValue } from '../labels.js';
import { duration } from '../time.js';
import type { Values } from './args.js';
import type { Command, Context } from './context.js';
import { UsageError } from './errors.js';
import { jsonObject, labels, noOperands, operand, wholeNumber } from './operands.js';
import { json, printFields, printJson, printJsonArray, printTable, scheduleText, span, time } from './output.js';
import { executionFields } from './execution-commands.js';
import { SCHEDULE_OPTIONS, scheduleFrom } from './schedule-flags.js';
import { afterUpstream } from '../schedules.js';
import { DEPENDENCY_OPTIONS, dependenciesFrom, dependenciesText, NO_DEPENDENCIES_OPTION } from './dependency-flags.js';
import { NO_WINDOWS_OPTION, WINDOW_OPTIONS, windowsFrom, windowsNeedCurrent, windowsText } from './window-flags.js';

const DEFINITION_OPTIONS = {
  ...SCHEDULE_OPTIONS,
  ...WINDOW_OPTIONS,
  ...DEPENDENCY_OPTIONS,
  name: { type: 'string' },
  type: { type: 'string' },
  payload: { type: 'string' },
  'payload-file': { type: 'string' },
  description: { type: 'string' },
  priority: { type: 'string' },
  label: { type: 'string', multiple: true },
  'attempt-timeout': { type: 'string' },
  'max-retries': { type: 'string' },
  overlap: { type: 'string' },
  'catch-up': { type: 'string' },
} as const;

/** Job fields from the flags, and the update_mask paths they stand for; `current` is the job being updated, when its windows are changed in part. */
function definition(values: Values, current?: Job): { job: MessageInitShape<typeof JobDesc>; paths: string[] } {
  const job: Record<string, unknown> = {};
  const paths: string[] = [];
  const set = <K extends keyof MessageInitShape<typeof JobDesc>>(path: string, key: K, value: MessageInitShape<typeof JobDesc>[K] | undefined) => {
    if (value === undefined) return;
    job[key] = value;
    paths.push(path);
  };
  if (values.payload !== undefined && values['payload-file'] !== undefined) throw new UsageError('give --payload or --payload-file, not both');
  const payloadFile = values['payload-file'] as string | undefined;
  const payloadText = payloadFile === undefined ? (values.payload as string | undefined) : readFileSync(payloadFile === '-' ? 0 : payloadFile, 'utf8');
  set('name', 'name', values.name as string | undefined);
  set('type', 'type', values.type as string | undefined);
  set('description', 'description', values.description as string | undefined);
  set('payload', 'payload', jsonObject(payloadText, payloadFile === undefined ? 'payload' : 'payload-file'));
  const clock = scheduleFrom(values);
  if (values['after-upstream'] === true && clock !== undefined) throw new UsageError('give one schedule: --after-upstream runs the job after its upstream jobs only, without a clock');
  set('schedule', 'schedule', values['after-upstream'] === true ? afterUpstream() : clock);
  set('depends_on', 'dependsOn', dependenciesFrom(values));
  const priority = values.priority as string | undefined;
  if (priority !== undefined && !/^-?\d+$/.test(priority)) throw new UsageError(`--priority must be a whole number, got ${JSON.stringify(priority)}`);
  set('priority', 'priority', priority === undefined ? undefined : Number(priority));
  set('labels', 'labels', labels(values.label as string[] | undefined));
  set('attempt_timeout', 'attemptTimeout', values['attempt-timeout'] === undefined ? undefined : duration(values['attempt-timeout'] as string));
  const maxRetries = wholeNumber(values['max-retries'] as string | undefined, 'max-retries', 0, 1_000_000);
  set('retry_policy', 'retryPolicy', maxRetries === undefined ? undefined : { maxRetries });
  set('overlap_policy', 'overlapPolicy', values.overlap === undefined ? undefined : enumValue(OverlapPolicySchema, values.overlap as string));
  set('catch_up_policy', 'catchUpPolicy', values['catch-up'] === undefined ? undefined : enumValue(CatchUpPolicySchema, values['catch-up'] as string));
  const windows = windowsFrom(values, current?.executionWindows);
  if (windows === null) paths.push('execution_windows');
  else set('execution_windows', 'executionWindows', windows);
  return { job: job as MessageInitShape<typeof JobDesc>, paths };
}

function printJob(context: Context, job: Job | undefined): void {
  if (job === undefined) return;
  if (context.values.quiet === true) return void context.out.write(`${job.id}\n`);
  if (context.json) return printJson(context.out, JobSchema, job);
  printFields(context.out, [
    ['id', job.id],
    ['name', job.name],
    ['type', job.type],
    ['state', enumLabel(JobStateSchema, job.state)],
    ['schedule', scheduleText(job.schedule)],
    ['windows', windowsText(job.executionWindows)],
    ['depends on', dependenciesText(job)],
    ['next run', time(job.nextRunAt)],
    ['last run', time(job.lastRunAt)],
    ['last success', time(job.lastSuccessAt)],
    ['executions', job.executionCount.toString()],
    ['failures in a row', String(job.consecutiveFailures)],
    ['last error', job.lastError || '-'],
    ['payload', json(job.payload)],
    ['labels', Object.entries(job.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-'],
    ['priority', String(job.priority)],
    ['attempt timeout', span(job.attemptTimeout)],
    ['version', job.version.toString()],
    ['created', time(job.createdAt)],
  ]);
}

/** The commands whose whole answer is the job (pause, resume, ...). */
function jobAction(verb: 'pause' | 'resume' | 'cancel', summary: string): Command {
  return {
    name: `jobs ${verb}`,
    usage: verb === 'cancel' ? 'JOB_ID [--reason TEXT]' : 'JOB_ID',
    summary,
    options: verb === 'cancel' ? { reason: { type: 'string' } } : {},
    async run(context) {
      const id = operand(context, 'JOB_ID');
      const client = context.scheduler();
      const response =
        verb === 'pause'
          ? await client.pauseJob({ id }, context.call)
          : verb === 'resume'
            ? await client.resumeJob({ id }, context.call)
            : await client.cancelJob({ id, reason: (context.values.reason as string | undefined) ?? '' }, context.call);
      printJob(context, response.job);
      return 0;
    },
  };
}

/** run and retry answer the job and the execution they queued. */
function jobTrigger(verb: 'run' | 'retry', summary: string): Command {
  return {
    name: `jobs ${verb}`,
    usage: 'JOB_ID [--quiet]',
    summary,
    options: { quiet: { type: 'boolean', short: 'q' } },
    async run(context) {
      const id = operand(context, 'JOB_ID');
      const client = context.scheduler();
      const response = verb === 'run' ? await client.runJob({ id }, context.call) : await client.retryJob({ id }, context.call);
      if (context.values.quiet === true) {
        context.out.write(`${response.execution?.id ?? ''}\n`);
      } else if (context.json) {
        context.out.write(`${JSON.stringify({ job: response.job && toJsonJob(response.job), execution: response.execution && toJsonExecution(response.execution) })}\n`);
      } else if (response.execution) {
        printFields(context.out, executionFields(response.execution));
      }
      return 0;
    },
  };
}

const toJsonJob = (job: Job) => toJson(JobSchema, job);
const toJsonExecution = (execution: Execution) => toJson(ExecutionSchema, execution);

export const JOB_COMMANDS: Command[] = [
  {
    name: 'jobs create',
    usage: "NAME --type TYPE (--every 15m [--anchor TIME] | --cron 'EXPR' [--tz ZONE] | --at TIME | --now | --after-upstream) [--depends-on JOB_ID[:success|failure|completion]]… [--window 'Mon-Fri 09:00-17:00']… [--window-zone ZONE] [--outside-window defer|skip] [--at-window-close continue|cancel] [--payload JSON | --payload-file FILE] [--label k=v]… [--description TEXT] [--priority N] [--attempt-timeout 5m] [--max-retries N] [--overlap skip|allow] [--catch-up skip|run-once|run-all] [--request-id ID] [--quiet]",
    summary: 'create a job',
    options: { ...DEFINITION_OPTIONS, 'request-id': { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
    async run(context) {
      const name = operand(context, 'NAME');
      if (context.values.name !== undefined) throw new UsageError('the name is the operand: jobs create NAME');
      const { job } = definition(context.values);
      if (job.type === undefined) throw new UsageError('--type is required');
      if (job.schedule === undefined) throw new UsageError('a schedule is required: --every, --cron, --at or --now');
      const response = await context.scheduler().createJob({ job: { ...job, name }, requestId: (context.values['request-id'] as string | undefined) ?? '' }, context.call);
      printJob(context, response.job);
      return 0;
    },
  },
  {
    name: 'jobs list',
    usage: '[--state STATE]… [--type TYPE] [--label k=v]… [--name-contains TEXT] [--limit N] [--page-token TOKEN] [--all] [--quiet]',
    summary: 'list jobs, newest first',
    options: { state: { type: 'string', multiple: true }, type: { type: 'string' }, label: { type: 'string', multiple: true }, 'name-contains': { type: 'string' }, limit: { type: 'string' }, 'page-token': { type: 'string' }, all: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
    async run(context) {
      noOperands(context);
      const { values } = context;
      const filter = {
        states: ((values.state as string[] | undefined) ?? []).map((state) => enumValue(JobStateSchema, state)),
        type: (values.type as string | undefined) ?? '',
        labels: labels(values.label as string[] | undefined) ?? {},
        nameContains: (values['name-contains'] as string | undefined) ?? '',
      };
      const pageSize = wholeNumber(values.limit as string | undefined, 'limit', 1, 1000) ?? 50;
      const jobs: Job[] = [];
      let pageToken = (values['page-token'] as string | undefined) ?? '';
      let total = 0n;
      do {
        // Only --json prints payloads.
        const page = await context.scheduler().listJobs({ filter, pageSize, pageToken, view: context.json ? JobView.FULL : JobView.BASIC }, context.call);
        jobs.push(...page.jobs);
        pageToken = page.nextPageToken;
        total = page.totalSize;
      } while (values.all === true && pageToken !== '');
      if (pageToken !== '' && !context.json) context.err.write(`${jobs.length} of ${total}; next page: --page-token ${pageToken} (or --all)\n`);
      if (context.values.quiet === true) {
        for (const job of jobs) context.out.write(`${job.id}\n`);
        return 0;
      }
      if (context.json) {
        printJsonArray(context.out, JobSchema, jobs, { nextPageToken: pageToken, totalSize: total.toString() });
        return 0;
      }
      printTable(
        context.out,
        ['ID', 'NAME', 'TYPE', 'STATE', 'SCHEDULE', 'NEXT RUN'],
        jobs.map((job) => [job.id, job.name, job.type, enumLabel(JobStateSchema, job.state), scheduleText(job.schedule), time(job.nextRunAt)]),
      );
      return 0;
    },
  },
  {
    name: 'jobs get',
    usage: 'JOB_ID',
    summary: 'show a job',
    options: {},
    async run(context) {
      const response = await context.scheduler().getJob({ id: operand(context, 'JOB_ID') }, context.call);
      printJob(context, response.job);
      return 0;
    },
  },
  {
    name: 'jobs update',
    usage: "JOB_ID [--name NAME] [--type TYPE] [schedule flags | --after-upstream] [--depends-on JOB_ID[:CONDITION]]… [--no-depends-on] [--window 'DAYS HH:MM-HH:MM']… [--window-zone ZONE] [--outside-window P] [--at-window-close P] [--no-windows] [--payload JSON] [--label k=v]… [--description TEXT] [--priority N] [--attempt-timeout D] [--max-retries N] [--overlap P] [--catch-up P] [--expected-version N]",
    summary: 'change the fields given (the rest stay)',
    options: { ...DEFINITION_OPTIONS, ...NO_WINDOWS_OPTION, ...NO_DEPENDENCIES_OPTION, 'expected-version': { type: 'string' } },
    async run(context) {
      const id = operand(context, 'JOB_ID');
      // A window flag given alone (--outside-window skip) changes the job's windows, not replaces them.
      const current = windowsNeedCurrent(context.values) ? (await context.scheduler().getJob({ id }, context.call)).job : undefined;
      const { job, paths } = definition(context.values, current);
      if (paths.length === 0) throw new UsageError('nothing to change: give at least one field, such as --every 30m or --payload');
      const version = context.values['expected-version'] as string | undefined;
      if (version !== undefined && !/^\d+$/.test(version)) throw new UsageError(`--expected-version must be a whole number, got ${JSON.stringify(version)}`);
      const response = await context.scheduler().updateJob(
        { job: { ...job, id }, updateMask: { paths }, ...(version === undefined ? {} : { expectedVersion: BigInt(version) }) },
        context.call,
      );
      printJob(context, response.job);
      return 0;
    },
  },
  {
    name: 'jobs delete',
    usage: 'JOB_ID [--force]',
    summary: 'delete a job and its history (--force: even while an execution runs)',
    options: { force: { type: 'boolean' } },
    async run(context) {
      const id = operand(context, 'JOB_ID');
      await context.scheduler().deleteJob({ id, force: context.values.force === true }, context.call);
      context.out.write(context.json ? `${JSON.stringify({ deleted: id })}\n` : `deleted ${id}\n`);
      return 0;
    },
  },
  jobAction('pause', 'pause a job: no new occurrence fires'),
  jobAction('resume', 'resume a paused job'),
  jobAction('cancel', 'cancel a job for good'),
  jobTrigger('run', 'run a job now, outside its schedule'),
  jobTrigger('retry', 'run a FAILED one-shot job again now, its retry count reset'),
];
