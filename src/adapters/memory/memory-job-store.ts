import { DomainError } from '../../domain/errors.js';
import { compareIds } from '../../domain/execution/execution.js';
import { JOB_STATES, type JobState } from '../../domain/job/job-state.js';
import { definitionOf, type Job, type JobWithoutPayload } from '../../domain/job/job.js';
import type { Idempotency, JobChange, JobCursor, JobFilter, JobPage, JobRunInput, JobStore } from '../../application/ports/job-store.js';
import { refreshDependencies } from './memory-dependency-store.js';
import type { MemoryState } from './memory-state.js';

const FIRING: readonly JobState[] = ['pending', 'scheduled', 'running'];
// As in the SQL: a job may fire ahead of its slot unless its overlap policy could still skip it then.
const firesAhead = (job: Job): boolean => job.overlapPolicy === 'allow' || job.activeOccurrences === 0;

/** JobStore in memory. Transactions run one at a time, so every lock is already held. */
export class MemoryJobStore implements JobStore {
  constructor(private readonly state: MemoryState) {}

  async get(id: string): Promise<Job | undefined> {
    return this.state.jobs.get(id);
  }

  async getMany(ids: readonly string[]): Promise<Job[]> {
    return this.lock(ids);
  }

  async runInputs(ids: readonly string[]): Promise<Map<string, JobRunInput>> {
    return new Map((await this.lock(ids)).map((job) => [job.id, { name: job.name, payload: job.payload }]));
  }

  async lockWithoutPayload(ids: readonly string[]): Promise<JobWithoutPayload[]> {
    return (await this.lock(ids)).map(withoutPayload);
  }

  async lock(ids: readonly string[]): Promise<Job[]> {
    return [...new Set(ids)].sort().flatMap((id) => this.state.jobs.get(id) ?? []);
  }

  async claimDue(now: Date, limit: number, until: Date = now): Promise<Job[]> {
    return this.firing()
      .filter((job) => (job.nextRunAt as Date) <= until && ((job.nextRunAt as Date) <= now || firesAhead(job)))
      .slice(0, limit);
  }

  async countDue(until: Date, cap: number): Promise<number> {
    return Math.min(cap, this.firing().filter((job) => (job.nextRunAt as Date) <= until).length);
  }

  async nextDueAt(): Promise<Date | undefined> {
    return this.firing()[0]?.nextRunAt;
  }

  /** Jobs that can fire, earliest next_run_at first. */
  private firing(): Job[] {
    return [...this.state.jobs.values()]
      .filter((job) => FIRING.includes(job.state) && job.nextRunAt !== undefined)
      .sort((a, b) => (a.nextRunAt as Date).getTime() - (b.nextRunAt as Date).getTime());
  }

  async insert(jobs: readonly Job[], idempotency: readonly (Idempotency | undefined)[] = []): Promise<void> {
    jobs.forEach((job, i) => {
      if (this.state.jobs.has(job.id)) throw new Error(`duplicate job id ${job.id}`);
      const request = idempotency[i];
      if (request) {
        if (this.state.requests.has(request.requestId)) throw DomainError.alreadyExists('a job with this request_id was created concurrently');
        this.state.requests.set(request.requestId, { jobId: job.id, fingerprint: request.fingerprint });
      }
      this.state.jobs.set(job.id, job);
    });
  }

  async findByRequestId(requestId: string): Promise<{ job: Job; fingerprint: string } | undefined> {
    const request = this.state.requests.get(requestId);
    const job = request && this.state.jobs.get(request.jobId);
    return request && job ? { job, fingerprint: request.fingerprint } : undefined;
  }

  async update(changes: readonly JobChange[]): Promise<Set<string>> {
    const written = new Set<string>();
    for (const { job, expectedVersion, scope } of changes) {
      const stored = this.state.jobs.get(job.id);
      if (stored?.version !== expectedVersion) continue;
      // A state-scoped change keeps the stored definition, as the PostgreSQL store does.
      this.state.jobs.set(job.id, scope === 'state' ? { ...job, ...definitionOf(stored) } : job);
      written.add(job.id);
    }
    return written;
  }

  async delete(id: string, expectedVersion: number): Promise<boolean> {
    if (this.state.jobs.get(id)?.version !== expectedVersion) return false;
    this.state.jobs.delete(id);
    for (const [executionId, execution] of this.state.executions) if (execution.jobId === id) this.state.executions.delete(executionId);
    for (const [requestId, request] of this.state.requests) if (request.jobId === id) this.state.requests.delete(requestId);
    refreshDependencies(this.state);
    return true;
  }

  async list(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage> {
    const matching = this.matching(filter).sort(newestFirst);
    const start = after ? matching.filter((job) => newestFirst(job, { createdAt: after.createdAt, id: after.id }) > 0) : matching;
    const jobs = start.slice(0, limit);
    const last = jobs.at(-1);
    return { jobs, next: start.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined, total: matching.length };
  }

  async listWithoutPayload(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobPage<JobWithoutPayload>> {
    const page = await this.list(filter, after, limit);
    return { ...page, jobs: page.jobs.map(withoutPayload) };
  }

  async ids(filter: JobFilter, limit: number): Promise<string[]> {
    return this.matching(filter)
      .sort((a, b) => -newestFirst(a, b))
      .slice(0, limit)
      .map((job) => job.id);
  }

  async countByState(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const job of this.state.jobs.values()) counts[job.state] += 1;
    return counts;
  }

  private matching(filter: JobFilter): Job[] {
    return [...this.state.jobs.values()].filter(
      (job) =>
        (!filter.states?.length || filter.states.includes(job.state)) &&
        (!filter.type || job.type === filter.type) &&
        Object.entries(filter.labels ?? {}).every(([key, value]) => job.labels[key] === value) &&
        (!filter.nameContains || job.name.toLowerCase().includes(filter.nameContains.toLowerCase())),
    );
  }
}

/** created_at DESC, id DESC, as PostgreSQL orders them (uuid order = lowercase hex text order). */
function newestFirst(a: Pick<Job, 'createdAt' | 'id'>, b: Pick<Job, 'createdAt' | 'id'>): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || compareIds(b.id, a.id);
}

function withoutPayload({ payload: _payload, ...job }: Job): JobWithoutPayload {
  return job;
}
