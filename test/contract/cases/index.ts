import type { AreaCases } from '../support/contract.js';
import { bulkCases } from './bulk.js';
import { controlCases } from './controls.js';
import { dependencyCases } from './dependencies.js';
import { executionCases } from './executions.js';
import { jobAdminCases } from './job-admin.js';
import { jobBoundaryCases } from './job-boundaries.js';
import { jobCases } from './jobs.js';
import { listingCases } from './listing.js';
import { scheduleCases } from './schedule.js';
import { transitionCases } from './transitions.js';
import { watchCases } from './watch.js';
import { windowCases } from './windows.js';
import { workerCases } from './worker.js';
import { workerBoundaryCases } from './worker-boundaries.js';
import { requestBoundaryCases } from './request-boundaries.js';
import { quotaCases } from './quotas.js';
import { webhookCases } from './webhooks.js';

/**
 * Every area of the contract suite, by name. contract.test.ts runs exactly these and
 * registry.test.ts checks that together they cover every RPC, so a case cannot be registered
 * without running, nor an RPC left out without a failing test.
 */
export const AREAS: Readonly<Record<string, AreaCases>> = {
  jobs: jobCases,
  'job fields: ranges and defaults': jobBoundaryCases,
  'job updates and deletion': jobAdminCases,
  'single-job controls': controlCases,
  'bulk controls': bulkCases,
  'state transitions': transitionCases,
  'listing and pagination': listingCases,
  'executions, statistics and metrics': executionCases,
  'watching executions': watchCases,
  'schedule preview': scheduleCases,
  'worker protocol': workerCases,
  'request limits': requestBoundaryCases,
  'worker request limits': workerBoundaryCases,
  'job dependencies': dependencyCases,
  quotas: quotaCases,
  'webhook subscriptions': webhookCases,
  'execution windows and the occurrence ledger': windowCases,
};
