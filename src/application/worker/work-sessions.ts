import { DomainError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import { NO_OBSERVER, type EngineObserver } from '../ports/engine-observer.js';
import type { Logger } from '../ports/logger.js';
import { StoreUnavailableError, type Store } from '../ports/store.js';
import { BackgroundLoop } from '../engine/background-loop.js';
import type { OutcomeDeps } from '../engine/finish-attempts.js';
import type { WakeUps } from '../ports/wake-ups.js';
import { NO_TRACING, type Tracing } from '../ports/tracing.js';
import { acquireIn, type AcquiredExecution } from './acquire-executions.js';
import type { Heartbeat, LeaseBeat, LeaseStatus } from './heartbeat.js';
import { MAX_CREDITS, type WorkDelivery, type WorkSession, type WorkSessionSettings, type WorkStart } from './work-session.js';
import { NO_QUOTA_TYPES, type QuotaTypesView } from '../quotas/quota-types.js';
import { afterOutcomes, recordOutcomes, type OutcomeResult, type ReportedOutcome } from './report-outcomes.js';
import type { HandOff, Reservation } from './hand-off.js';

/** Outcomes per transaction. */
const MAX_OUTCOMES_PER_TICK = 1_000;
/**
 * Ticks in flight at once. With one, the service and PostgreSQL took turns: the database sat idle
 * while the service built a transaction and answered the last one, and the other way round. A
 * second tick overlaps them; a third measured within the spread of two (docs/performance.md)
 * and splits the batches further.
 */
const MAX_TICKS_IN_FLIGHT = 2;
const RETRY_DELAYS_MS = [10, 50, 200, 1_000];
/** How long closing a session waits for its leftovers to go back to the queue. */
const CLOSE_WAIT_MS = 5_000;

interface Session {
  readonly id: number;
  readonly start: WorkStart;
  readonly deliver: (delivery: WorkDelivery) => void;
  /** Slots granted and not used, apart from those the running ticks are filling (`filling`). */
  credits: number;
  filling: number;
  /** Execution id → lease token of every lease this session extends. */
  readonly held: Map<string, string>;
  /** Outcomes reported and not answered yet, and who waits for them all to be. */
  unanswered: number;
  readonly waiters: Array<() => void>;
  closed: boolean;
}

interface PendingOutcome {
  readonly session: Session;
  readonly outcome: ReportedOutcome;
}

/**
 * The work sessions of one replica, and the group commit behind them. Outcomes and slots from
 * every session wait for the next tick; one tick is one transaction that records all the
 * outcomes waiting and acquires executions for every session with free slots and work in sight,
 * then answers each session. While a tick runs, the next one's work gathers, so the busier the
 * replica, the more each commit carries. Leases held by open sessions are extended together every
 * third of the shortest lease, and a lease found no longer held (cancelled anywhere, timed out,
 * lost) is named to its session.
 */
export class WorkSessions implements HandOff {
  private readonly sessions = new Set<Session>();
  private outcomes: PendingOutcome[] = [];
  /** Progress per execution id, waiting for the next extension. */
  private readonly progressById = new Map<string, LeaseBeat>();
  /** Job types whose queue may hold work; a session asks only for these. */
  private readonly maybeWork = new Set<string>();
  /** Counts announcements of work: one that arrives during a tick keeps its types in maybeWork. */
  private announcements = 0;
  private nextId = 1;
  /** The tick loops running: at most MAX_TICKS_IN_FLIGHT. */
  private readonly ticking = new Set<Promise<void>>();
  private again = false;
  private failures = 0;
  private readonly polling: BackgroundLoop;
  private readonly extending: BackgroundLoop;
  private unsubscribe: Array<() => void> = [];
  private readonly stopping = new AbortController();
  /** The lease extension in progress, if any. */
  private extension: Promise<number | undefined> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deps: OutcomeDeps,
    private readonly wakeUps: WakeUps,
    private readonly heartbeat: Heartbeat,
    private readonly settings: WorkSessionSettings,
    private readonly logger: Logger,
    private readonly observer: EngineObserver = NO_OBSERVER,
    private readonly tracing: Tracing = NO_TRACING,
    private readonly quotaTypes: QuotaTypesView = NO_QUOTA_TYPES,
  ) {
    this.polling = new BackgroundLoop('work sessions: poll', clock, settings.pollIntervalMs, async () => void this.workFor(['*']), logger);
    // Every third of the shortest lease of an open session, or at once when leases changed.
    this.extending = new BackgroundLoop('work sessions: leases', clock, settings.defaultLeaseMs / 3, () => {
      this.extension = this.extend().finally(() => (this.extension = undefined));
      return this.extension;
    }, logger);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  start(): void {
    this.unsubscribe = [this.wakeUps.onExecutionsQueued((types) => this.workFor(types)), this.wakeUps.onLeasesChanged(() => this.extending.wake())];
    this.polling.start();
    this.extending.start();
  }

  /** No new sessions or ticks; waits for the tick and extension in progress. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    await Promise.all([this.polling.stop(), this.extending.stop(), ...this.ticking]);
  }

  open(start: WorkStart, deliver: (delivery: WorkDelivery) => void): WorkSession {
    if (start.leaseDurationMs < this.settings.minLeaseMs || start.leaseDurationMs > this.settings.maxLeaseMs) {
      throw DomainError.invalidArgument(
        `start.lease_duration must be from ${this.settings.minLeaseMs / 1000}s to ${this.settings.maxLeaseMs / 1000}s, got ${start.leaseDurationMs / 1000}s`,
      );
    }
    if (this.stopped) throw new StoreUnavailableError('the service is stopping; open the session on another replica', { outcomeUnknown: false });
    const session: Session = {
      id: this.nextId++,
      start,
      deliver,
      credits: 0,
      filling: 0,
      held: new Map(start.held.map((lease) => [lease.executionId, lease.leaseToken])),
      unanswered: 0,
      waiters: [],
      closed: false,
    };
    this.sessions.add(session);
    for (const type of start.jobTypes) this.maybeWork.add(type);
    this.progress(start.held);
    // A shorter lease than the others, or leases to adopt: the extension loop looks again now.
    this.extending.wake();
    return {
      get credits() {
        return session.credits;
      },
      grant: (credits) => {
        const outstanding = session.credits + session.filling + credits;
        if (outstanding > MAX_CREDITS) throw DomainError.invalidArgument(`credits: at most ${MAX_CREDITS} may be outstanding, got ${outstanding}`);
        session.credits += credits;
        this.kick();
      },
      report: (outcomes) => {
        for (const outcome of outcomes) this.outcomes.push({ session, outcome });
        session.unanswered += outcomes.length;
        this.kick();
      },
      progress: (beats) => this.progress(beats),
      settled: () => this.settled(session),
      close: async () => {
        session.closed = true;
        this.sessions.delete(session);
        // A transaction filling this session's credits hands what it got back (giveBack), and
        // the transaction after it records that.
        // An extension under way may still write the session's leases.
        await Promise.race([(async () => {
          await Promise.all([...this.ticking, this.extension?.catch(() => undefined)]);
          await this.settled(session);
        })(), this.clock.sleep(CLOSE_WAIT_MS, this.stopping.signal)]);
      },
    };
  }

  /** The job types of the workers with a session open on this replica. */
  workerTypes(): Set<string> {
    const types = new Set<string>();
    for (const session of this.sessions) for (const type of session.start.jobTypes) types.add(type);
    return types;
  }

  reserve(type: string): Reservation | undefined {
    // A quota'd type is claimed under its quota's lock, never handed off.
    if (!this.quotaTypes.allowsHandOff(type)) return undefined;
    for (const session of this.sessions) {
      if (session.credits === 0 || !session.start.jobTypes.includes(type)) continue;
      session.credits -= 1;
      return {
        workerId: session.start.workerId,
        leaseDurationMs: session.start.leaseDurationMs,
        deliver: (acquired) => {
          this.observer.started([acquired.execution]);
          if (session.closed) {
            this.giveBack(session, [acquired]);
            return;
          }
          session.held.set(acquired.execution.id, acquired.execution.leaseToken ?? '');
          session.deliver({ executions: [acquired], results: [], lost: [] });
        },
        cancel: () => {
          session.credits += 1;
          this.kick();
        },
      };
    }
    return undefined;
  }

  private progress(beats: readonly LeaseBeat[]): void {
    for (const beat of beats) if (beat.progress !== undefined) this.progressById.set(beat.executionId, beat);
  }

  private workFor(types: readonly string[]): void {
    this.announcements += 1;
    for (const session of this.sessions) for (const type of session.start.jobTypes) if (types.includes('*') || types.includes(type)) this.maybeWork.add(type);
    this.kick();
  }

  /** Runs a tick now, or right after one in progress. */
  private kick(): void {
    if (this.stopped) return;
    if (this.ticking.size >= MAX_TICKS_IN_FLIGHT) {
      this.again = true;
      return;
    }
    // A tick serves every session: not part of the trace of the call that happened to start it.
    const loop: Promise<void> = this.tracing.detached(() => this.loop()).finally(() => this.ticking.delete(loop));
    this.ticking.add(loop);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      if (!(await this.tick())) await this.backOff();
    } while (this.again && !this.stopped);
  }

  /** After a failed tick: wait a little longer each time, then try everything again. */
  private async backOff(): Promise<void> {
    const delay = RETRY_DELAYS_MS[Math.min(this.failures - 1, RETRY_DELAYS_MS.length - 1)] as number;
    await this.clock.sleep(delay, this.stopping.signal);
    this.again = true;
  }

  /** One transaction for everything waiting; false when it failed (and everything waits again). */
  private async tick(): Promise<boolean> {
    const outcomes = this.outcomes.splice(0, MAX_OUTCOMES_PER_TICK);
    if (this.outcomes.length > 0) this.again = true;
    // The credits asked for are taken now, so a hand-off while the transaction runs cannot spend them twice.
    const wants = [...this.sessions]
      .filter((s) => s.credits > 0 && s.start.jobTypes.some((type) => this.maybeWork.has(type)))
      .map((session) => {
        const capacity = session.credits;
        session.credits = 0;
        session.filling += capacity;
        return { session, capacity };
      });
    if (outcomes.length === 0 && wants.length === 0) return true;
    const announced = this.announcements;
    const now = this.clock.now();
    let recorded;
    let acquired: AcquiredExecution[][];
    try {
      const quotas = wants.length > 0 ? await this.quotaTypes.claim(this.observer) : undefined;
      ({ recorded, acquired } = await this.store.transaction(
        async (tx) => {
          const recorded = outcomes.length > 0 ? await recordOutcomes(tx, outcomes.map((p) => p.outcome), now, this.deps) : undefined;
          const acquired: AcquiredExecution[][] = [];
          // The sessions' claims lock quota rows one after another: locking all of them first, in
          // one order, keeps two replicas from taking them in opposite orders.
          const limited = quotas && wants.length > 1 ? [...new Set(wants.flatMap(({ session }) => session.start.jobTypes))].filter((t) => quotas.limitedTypes.has(t)) : [];
          if (limited.length > 0) await tx.quotas.lock(limited);
          for (const { session, capacity } of wants) {
            const request = { workerId: session.start.workerId, jobTypes: session.start.jobTypes, capacity, leaseDurationMs: session.start.leaseDurationMs, now, quotas };
            acquired.push(await acquireIn(tx, request, () => this.deps.ids.newId()));
          }
          return { recorded, acquired };
        },
        // Outcomes must survive a crash of the database once answered; an acquisition alone may
        // be lost with it (its executions are queued again, as if the worker had died).
        { durable: outcomes.length > 0 },
      ));
    } catch (error) {
      this.outcomes.unshift(...outcomes);
      for (const { session, capacity } of wants) {
        session.credits += capacity;
        session.filling -= capacity;
        // A tick beside this one may have found the queue empty because this one held the rows.
        for (const type of session.start.jobTypes) this.maybeWork.add(type);
      }
      this.failures += 1;
      const transient = error instanceof StoreUnavailableError || (error instanceof DomainError && error.kind === 'Conflict');
      if (transient) this.logger.warn({ err: error }, 'work sessions: a transaction failed; retrying');
      else this.logger.error({ err: error }, 'work sessions: a transaction failed unexpectedly; retrying');
      return false;
    }
    this.failures = 0;
    this.answer(outcomes, recorded?.results ?? []);
    if (recorded) afterOutcomes(recorded, this.wakeUps, this.observer, this.quotaTypes);
    const quiet = announced === this.announcements;
    wants.forEach(({ session, capacity }, i) => this.handOut(session, capacity, acquired[i] ?? [], quiet));
    // Work announced while this tick held these credits: the tick the announcement started could
    // not use them, and may have ended already.
    if (!quiet && wants.some(({ capacity }, i) => (acquired[i]?.length ?? 0) < capacity)) this.again = true;
    return true;
  }

  private settled(session: Session): Promise<void> {
    return session.unanswered === 0 ? Promise.resolve() : new Promise((resolve) => session.waiters.push(resolve));
  }

  private answer(outcomes: readonly PendingOutcome[], results: readonly OutcomeResult[]): void {
    const bySession = new Map<Session, OutcomeResult[]>();
    outcomes.forEach(({ session }, i) => {
      const result = results[i];
      if (!result) return;
      if (result.accepted) session.held.delete(result.executionId);
      session.unanswered -= 1;
      const sessionResults = bySession.get(session);
      if (sessionResults) sessionResults.push(result);
      else bySession.set(session, [result]);
    });
    for (const [session, sessionResults] of bySession) {
      if (!session.closed) session.deliver({ executions: [], results: sessionResults, lost: [] });
      if (session.unanswered === 0) for (const resolve of session.waiters.splice(0)) resolve();
    }
  }

  /** `quiet`: no work was announced while the tick ran, so fewer than asked means none is left. */
  private handOut(session: Session, asked: number, executions: readonly AcquiredExecution[], quiet: boolean): void {
    if (quiet && executions.length < asked) for (const type of session.start.jobTypes) this.maybeWork.delete(type);
    session.credits += asked - executions.length;
    session.filling -= asked;
    if (executions.length === 0) return;
    this.observer.started(executions.map((a) => a.execution));
    if (session.closed) {
      this.giveBack(session, executions);
      return;
    }
    for (const { execution } of executions) session.held.set(execution.id, execution.leaseToken ?? '');
    session.deliver({ executions, results: [], lost: [] });
  }

  /** The stream ended before these reached it: they go back to the queue at once, unstarted. */
  private giveBack(session: Session, executions: readonly AcquiredExecution[]): void {
    this.outcomes.push(...executions.map((a) => ({ session, outcome: { executionId: a.execution.id, leaseToken: a.execution.leaseToken ?? '', outcome: { kind: 'released' as const } } })));
    session.unanswered += executions.length;
    this.kick();
  }

  /** Extends every lease the open sessions hold and names the lost ones; returns when to look again. */
  private async extend(): Promise<number | undefined> {
    const beats: Array<LeaseBeat & { session: Session }> = [];
    for (const session of this.sessions) {
      for (const [executionId, leaseToken] of session.held) {
        const progress = this.progressById.get(executionId);
        beats.push({ session, executionId, leaseToken, progress: progress?.leaseToken === leaseToken ? progress.progress : undefined });
      }
    }
    this.progressById.clear();
    const next = Math.min(...[...this.sessions].map((s) => s.start.leaseDurationMs / 3));
    if (beats.length === 0) return next;
    // A failure is logged by the loop, which tries again after its interval: a third of a lease.
    const statuses = await this.heartbeat.execute(beats);
    const lostBySession = new Map<Session, LeaseStatus[]>();
    statuses.forEach((leaseStatus, i) => {
      const { session } = beats[i]!;
      if (leaseStatus.held || session.held.get(leaseStatus.executionId) !== beats[i]!.leaseToken) return;
      session.held.delete(leaseStatus.executionId);
      lostBySession.set(session, [...(lostBySession.get(session) ?? []), leaseStatus]);
    });
    for (const [session, lost] of lostBySession) if (!session.closed) session.deliver({ executions: [], results: [], lost });
    return next;
  }
}
