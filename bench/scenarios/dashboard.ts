import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createJobSchedulerClient } from '../../src/adapters/grpc/client/index.js';
import { JobState } from '../../src/gen/jobscheduler/v1/job_pb.js';
import { loadDashboardData, type DashboardDataSize } from '../support/dashboard-data.js';
import type { ScenarioResult } from '../support/report.js';
import { summarise } from '../support/stats.js';
import { round2, withSystem, type BenchContext } from '../support/system.js';

export interface DashboardOptions extends DashboardDataSize {
  /** Times each page's calls are repeated (after one warm-up round). */
  repeats: number;
}

/** The dashboard's page size for jobs and for a job's history (web/src). */
const JOBS_PAGE = 25;
const HISTORY_PAGE = 20;
/** The job page's Occurrences panel: 20 entries a page of the last 24 hours (web/src/occurrences-panel.ts). */
const OCCURRENCES_PAGE = 20;
const DAY_MS = 86_400_000;

/**
 * Dashboard: with the data set of dashboard-data.ts stored, the calls each dashboard page makes,
 * one page at a time as a browser would (a table's per-row GetJobStats in parallel), repeated;
 * the time of each page's calls, p50 and max.
 */
export async function dashboard(context: BenchContext, options: DashboardOptions): Promise<ScenarioResult> {
  let loadSeconds = Number.NaN;
  let bigJob = '';
  const { result } = await withSystem(
    context,
    `dashboard_${options.jobs}`,
    {
      prepare: async (pool) => {
        const started = performance.now();
        ({ bigJob } = await loadDashboardData(pool, new Date(), options));
        loadSeconds = (performance.now() - started) / 1000;
      },
    },
    async (system) => {
      const client = createJobSchedulerClient(system.addresses[0]!);
      try {
        const anExecution = (await client.listExecutions({ jobId: bigJob, pageSize: 1 })).executions[0]!.id;
        const { job } = await client.getJob({ id: bigJob });
        const jobsPage = async (filter: object) => {
          const page = await client.listJobs({ filter, pageSize: JOBS_PAGE });
          await Promise.all(page.jobs.map((row) => client.getJobStats({ jobId: row.id })));
          return page;
        };
        const secondToken = (await client.listJobs({ pageSize: JOBS_PAGE })).nextPageToken;
        const historyToken = (await client.listExecutions({ jobId: bigJob, pageSize: HISTORY_PAGE })).nextPageToken;
        // One range for every page, as the panel keeps it: a token is valid only with its range.
        const ledgerFrom = timestampFromDate(new Date(Date.now() - DAY_MS));
        const ledgerToken = (await client.listOccurrences({ jobId: bigJob, from: ledgerFrom, pageSize: OCCURRENCES_PAGE })).nextPageToken;
        const calls: Record<string, () => Promise<unknown>> = {
          jobs_first_page: () => jobsPage({}),
          jobs_list_only: () => client.listJobs({ pageSize: JOBS_PAGE }),
          jobs_next_page: () => client.listJobs({ pageSize: JOBS_PAGE, pageToken: secondToken }),
          jobs_name_search: () => jobsPage({ nameContains: 'JOB 12' }),
          jobs_name_search_list_only: () => client.listJobs({ filter: { nameContains: 'JOB 12' }, pageSize: JOBS_PAGE }),
          jobs_state_paused: () => jobsPage({ states: [JobState.PAUSED] }),
          jobs_label: () => jobsPage({ labels: { team: 'search' } }),
          job_get: () => client.getJob({ id: bigJob }),
          job_stats_big: () => client.getJobStats({ jobId: bigJob }),
          job_preview: () => client.previewSchedule({ schedule: job!.schedule!, count: 10 }),
          job_history_first: () => client.listExecutions({ jobId: bigJob, pageSize: HISTORY_PAGE }),
          job_history_next: () => client.listExecutions({ jobId: bigJob, pageSize: HISTORY_PAGE, pageToken: historyToken }),
          job_occurrences_first: () => client.listOccurrences({ jobId: bigJob, from: ledgerFrom, pageSize: OCCURRENCES_PAGE }),
          job_occurrences_next: () => client.listOccurrences({ jobId: bigJob, from: ledgerFrom, pageSize: OCCURRENCES_PAGE, pageToken: ledgerToken }),
          execution_get: () => client.getExecution({ id: anExecution }),
          live_history_hour: () => client.getMetricsHistory({ window: durationFromMs(3_600_000), step: durationFromMs(60_000) }),
          live_history_refresh: () => client.getMetricsHistory({ window: durationFromMs(120_000), step: durationFromMs(60_000) }),
        };
        const figures: Record<string, number> = {};
        for (const [name, call] of Object.entries(calls)) {
          await call();
          const times: number[] = [];
          for (let i = 0; i < options.repeats; i += 1) {
            const started = performance.now();
            await call();
            times.push(performance.now() - started);
          }
          const summary = summarise(times);
          figures[`${name}_p50_ms`] = round2(summary.p50_ms);
          figures[`${name}_max_ms`] = round2(summary.max_ms);
        }
        return { figures };
      } finally {
        client.close();
      }
    },
  );
  return {
    scenario: 'dashboard',
    figures: { load_s: round2(loadSeconds), ...result.figures },
    configuration: { ...options, jobs_page_size: JOBS_PAGE, history_page_size: HISTORY_PAGE, occurrences_page_size: OCCURRENCES_PAGE },
  };
}
