import { jobsAndExecutions } from './001-jobs-and-executions.js';
import { eventLogHorizon } from './002-event-log-horizon.js';
import { deadMansSwitchIndex } from './003-dead-mans-switch-index.js';
import { eventBatches } from './004-event-batches.js';
import { traceContext } from './005-trace-context.js';
import { jobDependencies } from './006-job-dependencies.js';
import { windowsAndOccurrenceLedger } from './007-windows-and-occurrence-ledger.js';
import { quotas } from './008-quotas.js';
import { webhooks } from './009-webhooks.js';
import { endedLeaseToken } from './010-ended-lease-token.js';
import type { Migration } from './migration.js';

/** Every migration, in order. Append; never edit one that has been released. */
export const MIGRATIONS: readonly Migration[] = [jobsAndExecutions, eventLogHorizon, deadMansSwitchIndex, eventBatches, traceContext, jobDependencies, windowsAndOccurrenceLedger, quotas, webhooks, endedLeaseToken];
