import { ExecutionStatus, ExecutionStatusSchema } from '../../gen/jobscheduler/v1/execution_pb.js';
import { OccurrenceOutcomeSchema, OccurrenceSchema, type Occurrence } from '../../gen/jobscheduler/v1/occurrence_pb.js';
import { enumLabel } from '../labels.js';
import { timestamp } from '../time.js';
import type { Command } from './context.js';
import { operand, parsedFlag, wholeNumber } from './operands.js';
import { printJsonArray, printTable, time } from './output.js';

function instantFlag(value: string | boolean | string[] | undefined, flag: string) {
  return value === undefined ? undefined : parsedFlag(flag, () => timestamp(value as string));
}

/** What else the entry says, beyond its outcome and execution: where a run ends, where it went, what fired it, why it waits. */
function detail(o: Occurrence): string {
  const parts: string[] = [];
  if (o.slotCount > 1n) parts.push(`through ${time(o.lastSlotAt)}`);
  if (o.deferredTo) parts.push(`deferred to ${time(o.deferredTo)}`);
  if (o.upstreamExecutionIds.length > 0) parts.push(`upstream ${o.upstreamExecutionIds.join(',')}`);
  if (o.waitingReason) parts.push(`waiting: ${o.waitingReason}`);
  return parts.join('; ');
}

export const OCCURRENCE_COMMANDS: Command[] = [
  {
    name: 'jobs occurrences',
    usage: 'JOB_ID [--from TIME] [--to TIME] [--limit N] [--page-token TOKEN] [--all]',
    summary: "the occurrence ledger: each slot of a job's schedule and what became of it, oldest first",
    options: { from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' }, 'page-token': { type: 'string' }, all: { type: 'boolean' } },
    async run(context) {
      const jobId = operand(context, 'JOB_ID');
      const { values } = context;
      const from = instantFlag(values.from, 'from');
      const to = instantFlag(values.to, 'to');
      const pageSize = wholeNumber(values.limit as string | undefined, 'limit', 1, 500) ?? 50;
      const occurrences: Occurrence[] = [];
      let pageToken = (values['page-token'] as string | undefined) ?? '';
      do {
        const page = await context.scheduler().listOccurrences({ jobId, ...(from ? { from } : {}), ...(to ? { to } : {}), pageSize, pageToken }, context.call);
        occurrences.push(...page.occurrences);
        pageToken = page.nextPageToken;
      } while (values.all === true && pageToken !== '');
      if (context.json) {
        printJsonArray(context.out, OccurrenceSchema, occurrences, { nextPageToken: pageToken });
        return 0;
      }
      if (pageToken !== '') context.err.write(`next page: --page-token ${pageToken} (or --all)\n`);
      printTable(
        context.out,
        ['SLOT', 'SLOTS', 'OUTCOME', 'EXECUTION', 'STATUS', 'ATTEMPTS', 'DETAIL'],
        occurrences.map((o) => [
          time(o.slotAt),
          o.slotCount.toString(),
          enumLabel(OccurrenceOutcomeSchema, o.outcome),
          o.executionId || '-',
          o.executionStatus === ExecutionStatus.UNSPECIFIED ? '-' : enumLabel(ExecutionStatusSchema, o.executionStatus),
          o.executionId ? String(o.attempts) : '-',
          detail(o),
        ]),
      );
      return 0;
    },
  },
];
