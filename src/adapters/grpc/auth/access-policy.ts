import type { DescMessage, DescService, MessageShape } from '@bufbuild/protobuf';
import { JobSchedulerService, type JobSelector } from '../../../gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../gen/jobscheduler/v1/worker_service_pb.js';
import { QuotaService } from '../../../gen/jobscheduler/v1/quota_service_pb.js';
import { WebhookService } from '../../../gen/jobscheduler/v1/webhook_service_pb.js';
import type { Role } from './principal.js';
import { methodPath } from '../service-definition.js';

/** What an audit line says a call touched: job and execution ids, worker id. */
export type AuditFields = Record<string, string | number | readonly string[] | undefined>;

/**
 * The rule of one RPC: the role it needs and, for a state-changing RPC, what its audit line
 * records. The response is given only when the call succeeded; returning null there means the
 * call changed nothing (an acquire that found no work) and needs no line.
 */
type RuleFor<M> = M extends { input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? { readonly role: Role; readonly audit?: (request: MessageShape<I>, response: MessageShape<O> | undefined) => AuditFields | null }
  : never;

/** One rule per RPC of a service; the compiler rejects a table that misses one. */
export type AccessRules<S extends DescService> = { readonly [K in keyof S['method']]: RuleFor<S['method'][K]> };

export interface MethodRule {
  readonly role: Role;
  readonly audit?: (request: unknown, response: unknown) => AuditFields | null;
}

/** The ids of a list that are set. audit-log.ts cuts the list and each id to size. */
function ids(list: ReadonlyArray<string | undefined>): readonly string[] {
  return list.filter((id): id is string => typeof id === 'string' && id !== '');
}

function selected(selector: JobSelector | undefined): AuditFields {
  const selection = selector?.selection;
  if (selection?.case === 'ids') return { selector: 'ids', job_ids: ids(selection.value.ids) };
  if (selection?.case === 'filter') return { selector: 'filter' };
  return {};
}

/** The role table of jobscheduler.v1.JobSchedulerService (docs/security.md shows it). */
export const JOB_SCHEDULER_RULES: AccessRules<typeof JobSchedulerService> = {
  createJob: { role: 'operator', audit: (request, response) => ({ job_id: response?.job?.id, job_type: request.job?.type, request_id: request.requestId || undefined }) },
  batchCreateJobs: { role: 'operator', audit: (request, response) => ({ job_ids: ids(response?.jobs.map((job) => job.id) ?? []), count: request.requests.length }) },
  getJob: { role: 'reader' },
  listJobs: { role: 'reader' },
  updateJob: { role: 'operator', audit: (request) => ({ job_id: request.job?.id, fields: request.updateMask?.paths }) },
  deleteJob: { role: 'operator', audit: (request) => ({ job_id: request.id, force: request.force ? 'true' : undefined }) },
  pauseJob: { role: 'operator', audit: (request) => ({ job_id: request.id }) },
  resumeJob: { role: 'operator', audit: (request) => ({ job_id: request.id }) },
  cancelJob: { role: 'operator', audit: (request) => ({ job_id: request.id }) },
  retryJob: { role: 'operator', audit: (request, response) => ({ job_id: request.id, execution_id: response?.execution?.id }) },
  runJob: { role: 'operator', audit: (request, response) => ({ job_id: request.id, execution_id: response?.execution?.id }) },
  pauseJobs: { role: 'operator', audit: (request, response) => ({ ...selected(request.selector), results: response?.results.length }) },
  resumeJobs: { role: 'operator', audit: (request, response) => ({ ...selected(request.selector), results: response?.results.length }) },
  cancelJobs: { role: 'operator', audit: (request, response) => ({ ...selected(request.selector), results: response?.results.length }) },
  cancelExecution: { role: 'operator', audit: (request) => ({ execution_id: request.id }) },
  listExecutions: { role: 'reader' },
  getExecution: { role: 'reader' },
  getJobStats: { role: 'reader' },
  getSchedulerMetrics: { role: 'reader' },
  watchExecutions: { role: 'reader' },
  previewSchedule: { role: 'reader' },
  getMetricsHistory: { role: 'reader' },
  listOccurrences: { role: 'reader' },
};

/** The role table of jobscheduler.v1.WorkerService: workers (and admins) only. */
export const WORKER_RULES: AccessRules<typeof WorkerService> = {
  // One line per session (when it ends), naming the worker; its acquisitions and outcomes are
  // not audited one by one, as the unary calls are.
  work: { role: 'worker', audit: (request) => ({ worker_id: request.start?.workerId, job_types: request.start?.jobTypes }) },
  acquireExecutions: {
    role: 'worker',
    audit: (request, response) =>
      response && response.executions.length === 0 ? null : { worker_id: request.workerId, execution_ids: ids(response?.executions.map((acquired) => acquired.execution?.id) ?? []) },
  },
  // Heartbeats only extend leases the worker already holds (and arrive every few seconds per
  // execution), so they are not audited; the acquire and the outcome of each lease are.
  heartbeat: { role: 'worker' },
  completeExecution: { role: 'worker', audit: (request) => ({ execution_id: request.executionId }) },
  failExecution: { role: 'worker', audit: (request, response) => ({ execution_id: request.executionId, retry_execution_id: response?.retry?.id }) },
  // Outcomes are recorded one by one: a call that succeeds can still have refused some (a lost
  // lease, an unknown execution), so the line says which were recorded and which were not.
  reportOutcomes: {
    role: 'worker',
    audit: (request, response) =>
      response
        ? {
            worker_id: request.workerId,
            accepted_execution_ids: ids(response.results.filter((result) => result.accepted).map((result) => result.executionId)),
            refused_execution_ids: ids(response.results.filter((result) => !result.accepted).map((result) => result.executionId)),
          }
        : { worker_id: request.workerId, execution_ids: ids(request.outcomes.map((outcome) => outcome.executionId)) },
  },
};

/**
 * The role table of jobscheduler.v1.WebhookService: admins change subscriptions (a subscription
 * sends the cluster's events to a URL of its choosing); operators read them and the delivery
 * log (URLs and endpoints' errors are not for every reader). No read returns a secret.
 */
export const WEBHOOK_RULES: AccessRules<typeof WebhookService> = {
  createSubscription: { role: 'admin', audit: (request, response) => ({ subscription_id: response?.subscription?.id, url: request.subscription?.url }) },
  getSubscription: { role: 'operator' },
  listSubscriptions: { role: 'operator' },
  updateSubscription: { role: 'admin', audit: (request) => ({ subscription_id: request.id, url: request.url, enabled: request.enabled === undefined ? undefined : String(request.enabled) }) },
  deleteSubscription: { role: 'admin', audit: (request) => ({ subscription_id: request.id }) },
  rotateSecret: { role: 'admin', audit: (request) => ({ subscription_id: request.id }) },
  listDeliveries: { role: 'operator' },
};

/**
 * Method path → rule, built from the generated descriptors. A method of a service without a rule
 * is listed in `missing` and refused at run time (fail closed); so is any path not in the table.
 */
export class AccessPolicy {
  private readonly rules = new Map<string, MethodRule>();
  /** Full paths of RPCs that have no rule. A test asserts this is empty. */
  readonly missing: readonly string[];
  /** Every RPC the policy was built from, for tests and docs. */
  readonly methods: readonly string[];

  constructor(entries: ReadonlyArray<{ service: DescService; rules: object }>) {
    const missing: string[] = [];
    const methods: string[] = [];
    for (const { service, rules } of entries) {
      for (const method of service.methods) {
        const path = methodPath(service, method.name);
        methods.push(path);
        const rule = (rules as Record<string, MethodRule | undefined>)[method.localName];
        if (rule) this.rules.set(path, rule);
        else missing.push(path);
      }
    }
    this.missing = missing;
    this.methods = methods;
  }

  /** The rule of a method path (/package.Service/Method), or undefined: refuse the call. */
  ruleFor(path: string): MethodRule | undefined {
    return this.rules.get(path);
  }
}

/** The role table of jobscheduler.v1.QuotaService: quotas bind every team's jobs, so admins only. */
export const QUOTA_RULES: AccessRules<typeof QuotaService> = {
  setQuota: { role: 'admin', audit: (request) => ({ job_type: request.quota?.key?.jobType, label_key: request.quota?.key?.labelKey || undefined, label_value: request.quota?.key?.labelValue || undefined }) },
  getQuota: { role: 'admin' },
  listQuotas: { role: 'admin' },
  deleteQuota: { role: 'admin', audit: (request) => ({ job_type: request.key?.jobType, label_key: request.key?.labelKey || undefined, label_value: request.key?.labelValue || undefined }) },
};

export const ACCESS_POLICY = new AccessPolicy([
  { service: JobSchedulerService, rules: JOB_SCHEDULER_RULES },
  { service: WorkerService, rules: WORKER_RULES },
  { service: QuotaService, rules: QUOTA_RULES },
  { service: WebhookService, rules: WEBHOOK_RULES },
]);
