import type { MessageInitShape } from '@bufbuild/protobuf';
import type { LeaseBeat } from '../../../application/worker/heartbeat.js';
import type { OutcomeResult, ReportedOutcome } from '../../../application/worker/report-outcomes.js';
import { MAX_CREDITS, type WorkDelivery } from '../../../application/worker/work-session.js';
import type { WorkSessions } from '../../../application/worker/work-sessions.js';
import { DomainError } from '../../../domain/errors.js';
import { AcquiredExecutionSchema, WorkResponseSchema, type LeaseHeartbeat, type WorkRequest } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import type { CallContext } from '../call-context.js';
import { acquiredMessage } from '../mapping/execution-message.js';
import { boundedJson } from '../mapping/json-limits.js';
import { CLIENT_MAX_RECEIVE_BYTES, encoded, framedBytes, runsWithin } from '../mapping/message-bytes.js';
import type { EncodedMessage } from '../service-definition.js';
import { msFrom, requireId, requireJobTypes, requireText, timestamp } from '../mapping/wire-values.js';
import { STATUS_BY_KIND } from '../status-table.js';
import { reported } from './worker-handlers.js';
import { shortened } from '../../../domain/text.js';

const MAX_BATCH = 1000;

interface Checked {
  readonly progress: LeaseBeat[];
  readonly valid: ReportedOutcome[];
  readonly refused: OutcomeResult[];
}
type WorkResponseInit = MessageInitShape<typeof WorkResponseSchema>;

/**
 * WorkerService/Work: a work session per stream. The first message opens the session; later ones
 * grant credits, report outcomes and progress. Answers leave in arrival order; while one message
 * waits for a slow client, the deliveries behind it are merged into the next, so a slow worker
 * gets fewer, larger messages rather than a growing queue.
 */
export async function workStream(sessions: WorkSessions, defaultLeaseMs: number, requests: AsyncIterable<WorkRequest>, send: (message: WorkResponseInit | EncodedMessage<typeof WorkResponseSchema>) => Promise<void>, context: CallContext): Promise<void> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const start = first.value.start;
  if (!start) throw DomainError.invalidArgument('the first message of a Work stream must set start');
  requireText('start.worker_id', start.workerId, 200);
  if (start.jobTypes.length < 1 || start.jobTypes.length > 100) throw DomainError.invalidArgument(`start.job_types must list 1 to 100 types, got ${start.jobTypes.length}`);
  requireJobTypes(start.jobTypes, 'start.job_types');
  if (start.held.length > MAX_BATCH) throw DomainError.invalidArgument(`start.held must list at most ${MAX_BATCH} leases, got ${start.held.length}`);
  // The whole first message is checked before the session opens (opening adopts `held` leases,
  // a change), so a first message refused changes nothing.
  const held = beats('start.held', start.held);
  const leaseDurationMs = msFrom('start.lease_duration', start.leaseDuration) ?? defaultLeaseMs;
  const firstChanges = checked(first.value);
  if (first.value.credits > MAX_CREDITS) throw DomainError.invalidArgument(`credits: at most ${MAX_CREDITS} may be outstanding, got ${first.value.credits}`);
  const outbox = new Outbox(send);
  const session = sessions.open({ workerId: start.workerId, jobTypes: start.jobTypes, leaseDurationMs, held }, (delivery) => outbox.add(delivery));
  const closed = new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    apply(first.value, firstChanges);
    for (;;) {
      const next = await Promise.race([iterator.next(), closed.then(() => undefined)]);
      if (next === undefined || next.done) break;
      apply(next.value, checked(next.value));
    }
    // The worker is done (or the call ends): answer the outcomes it sent before closing.
    await session.settled();
    await outbox.flushed();
  } finally {
    await session.close();
    void iterator.return?.();
  }

  /** A message, checked whole: an invalid one ends the stream before any of it is applied. */
  function checked(request: WorkRequest): Checked {
    if (request !== first.value && request.start) throw DomainError.invalidArgument('start may only be set in the first message of a Work stream');
    if (request.outcomes.length > MAX_BATCH) throw DomainError.invalidArgument(`outcomes must list at most ${MAX_BATCH} outcomes, got ${request.outcomes.length}`);
    if (request.progress.length > MAX_BATCH) throw DomainError.invalidArgument(`progress must list at most ${MAX_BATCH} leases, got ${request.progress.length}`);
    const progress = beats('progress', request.progress);
    const valid = [];
    const refused: OutcomeResult[] = [];
    for (const [i, outcome] of request.outcomes.entries()) {
      try {
        valid.push(reported(`outcomes[${i}]`, outcome));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refused.push({ executionId: shortened(outcome.executionId), accepted: false, refusal: 'InvalidArgument', reason: error.message });
      }
    }
    return { progress, valid, refused };
  }

  function apply(request: WorkRequest, { progress, valid, refused }: Checked): void {
    session.progress(progress);
    if (refused.length > 0) outbox.add({ executions: [], results: refused, lost: [] });
    if (valid.length > 0) session.report(valid);
    if (request.credits > 0) session.grant(request.credits);
  }
}

function beats(field: string, leases: readonly LeaseHeartbeat[]): LeaseBeat[] {
  return leases.map((lease, i) => ({
    executionId: requireId(`${field}[${i}].execution_id`, lease.executionId),
    leaseToken: requireId(`${field}[${i}].lease_token`, lease.leaseToken),
    progress: boundedJson(`${field}[${i}].progress`, lease.progress),
  }));
}

/** Deliveries waiting for the stream, merged while a write waits for the client. */
class Outbox {
  private waiting: WorkDelivery[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly send: (message: WorkResponseInit | EncodedMessage<typeof WorkResponseSchema>) => Promise<void>) {}

  add(delivery: WorkDelivery): void {
    this.waiting.push(delivery);
    this.writing ??= this.write().finally(() => (this.writing = undefined));
  }

  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async write(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      for (const message of responsesOf(batch)) await this.send(message);
    }
  }
}

/**
 * The deliveries as messages a client accepts, encoded: merged deliveries whose payloads add up
 * to more than a client's receive limit are sent as several messages, in order, the answers
 * first. One message too large failed the whole stream on the client, which reconnected and was
 * sent the same again (docs/architecture.md, "Responses within what a client receives").
 * Encoding here rather than in grpc-js costs nothing extra when one message fits.
 */
export function responsesOf(deliveries: readonly WorkDelivery[], maxBytes = CLIENT_MAX_RECEIVE_BYTES): EncodedMessage<typeof WorkResponseSchema>[] {
  const executions = deliveries.flatMap((d) => d.executions.map(acquiredMessage));
  const results = deliveries.flatMap((d) =>
    d.results.map((r) => (r.accepted ? { executionId: r.executionId, accepted: true } : { executionId: r.executionId, accepted: false, code: STATUS_BY_KIND[r.refusal], message: r.reason })),
  );
  const lost = deliveries.flatMap((d) =>
    d.lost.map((s) => ({ executionId: s.executionId, held: s.held, leaseExpiresAt: timestamp(s.leaseExpiresAt), cancelRequested: s.cancelRequested, reason: s.reason })),
  );
  const whole = encoded(WorkResponseSchema, { executions, results, lost });
  if (whole.bytes.length <= maxBytes || executions.length <= 1) return [whole];
  const answers = results.length + lost.length === 0 ? 0 : encoded(WorkResponseSchema, { results, lost }).bytes.length;
  const runs = runsWithin(executions, (execution) => framedBytes(AcquiredExecutionSchema, execution), maxBytes, answers);
  return runs.map((run, i) => encoded(WorkResponseSchema, i === 0 ? { executions: run, results, lost } : { executions: run }));
}
