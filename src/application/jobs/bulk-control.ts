import { DomainError } from '../../domain/errors.js';
import type { JobState } from '../../domain/job/job-state.js';
import type { JobFilter } from '../ports/job-store.js';
import type { Store } from '../ports/store.js';
import type { ControlJob } from './control-job.js';

export type BulkOperation = 'pause' | 'resume' | 'cancel';
export type BulkOutcome = 'changed' | 'unchanged' | 'illegal' | 'not_found';

export interface BulkResult {
  readonly jobId: string;
  readonly outcome: BulkOutcome;
  readonly state: JobState | undefined;
  readonly message: string;
}

export type JobSelection = { readonly ids: readonly string[] } | { readonly filter: JobFilter };

/** At most this many jobs per bulk call; a filter matching more is refused rather than cut silently. */
export const MAX_BULK_JOBS = 10_000;
const PARALLEL = 8;

/** States in which a job already is what the operation would make it. */
const ALREADY: Readonly<Record<BulkOperation, (state: JobState) => boolean>> = {
  pause: (state) => state === 'paused',
  resume: (state) => state === 'pending' || state === 'scheduled' || state === 'running',
  cancel: (state) => state === 'cancelled',
};

/**
 * PauseJobs, ResumeJobs, CancelJobs: the single-job control, applied to each selected job in its
 * own transaction (one job's refusal never undoes another's change), reporting per job what
 * happened.
 */
export class BulkControl {
  constructor(
    private readonly store: Store,
    private readonly control: ControlJob,
  ) {}

  async execute(operation: BulkOperation, selection: JobSelection, reason = ''): Promise<BulkResult[]> {
    const ids = 'ids' in selection ? [...new Set(selection.ids)] : await this.matching(selection.filter);
    const results: BulkResult[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const index = next++;
        results[index] = await this.one(operation, ids[index] as string, reason);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
    return results;
  }

  private async matching(filter: JobFilter): Promise<string[]> {
    const ids = await this.store.transaction((tx) => tx.jobs.ids(filter, MAX_BULK_JOBS + 1), { readOnly: true });
    if (ids.length > MAX_BULK_JOBS) throw DomainError.invalidArgument(`the filter matches more than ${MAX_BULK_JOBS} jobs; narrow it or select by ids`);
    return ids;
  }

  private async one(operation: BulkOperation, jobId: string, reason: string): Promise<BulkResult> {
    try {
      const { job } = operation === 'cancel' ? await this.control.cancel(jobId, reason) : await this.control[operation](jobId);
      return { jobId, outcome: 'changed', state: job.state, message: '' };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.kind === 'NotFound') return { jobId, outcome: 'not_found', state: undefined, message: error.message };
      const current = await this.store.transaction((tx) => tx.jobs.get(jobId), { readOnly: true });
      if (!current) return { jobId, outcome: 'not_found', state: undefined, message: `job ${jobId} does not exist` };
      if (error.kind === 'IllegalTransition' && ALREADY[operation](current.state)) return { jobId, outcome: 'unchanged', state: current.state, message: '' };
      return { jobId, outcome: 'illegal', state: current.state, message: error.message };
    }
  }
}
