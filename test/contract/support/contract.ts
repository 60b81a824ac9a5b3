import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { JobSchedulerService } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { QuotaService } from '../../../src/gen/jobscheduler/v1/quota_service_pb.js';
import { WebhookService } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';
import { contractTarget, type Target } from './target.js';

/**
 * The contract suite as data: every case says which RPC it exercises and which outcome (a gRPC
 * status name) it checks, so test/contract/registry.test.ts can enumerate the RPCs from the
 * generated descriptors and fail for any RPC, or any required outcome of one, without a case.
 */
export type Outcome = 'OK' | 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'ABORTED' | 'ALREADY_EXISTS';

export interface ContractCase {
  readonly outcome: Outcome;
  readonly title: string;
  readonly run: (target: Target) => Promise<void>;
  /** For the few cases that wait on real time (long polls, streams, paging under inserts). */
  readonly timeoutMs?: number;
}

/** Cases per RPC, keyed by the method's local name (createJob), so a misspelt RPC does not compile. */
export type ServiceCases<S extends DescService> = { readonly [K in keyof S['method']]?: readonly ContractCase[] };

/** One area of the suite (jobs, controls, bulk, …): cases for RPCs of any service. */
export interface AreaCases {
  readonly scheduler?: ServiceCases<typeof JobSchedulerService>;
  readonly worker?: ServiceCases<typeof WorkerService>;
  readonly quotas?: ServiceCases<typeof QuotaService>;
  readonly webhooks?: ServiceCases<typeof WebhookService>;
}

export const SERVICES = [
  { service: JobSchedulerService, key: 'scheduler' },
  { service: WorkerService, key: 'worker' },
  { service: QuotaService, key: 'quotas' },
  { service: WebhookService, key: 'webhooks' },
] as const;

export function ok(title: string, run: ContractCase['run'], timeoutMs?: number): ContractCase {
  return { outcome: 'OK', title, run, ...(timeoutMs ? { timeoutMs } : {}) };
}

export function fails(outcome: Exclude<Outcome, 'OK'>, title: string, run: ContractCase['run'], timeoutMs?: number): ContractCase {
  return { outcome, title, run, ...(timeoutMs ? { timeoutMs } : {}) };
}

/** The cases of several areas for one RPC, in area order. */
export function casesOf(areas: readonly AreaCases[], key: (typeof SERVICES)[number]['key'], method: DescMethod): ContractCase[] {
  return areas.flatMap((area) => (area[key] as Record<string, readonly ContractCase[] | undefined> | undefined)?.[method.localName] ?? []);
}

/** Mocha suites for one area: a describe per RPC (named as on the wire), an it per case. */
export function describeContract(area: string, cases: AreaCases): void {
  describe(`contract: ${area}`, () => {
    let target: Target;
    before(async function () {
      this.timeout(60_000);
      target = await contractTarget();
    });
    for (const { service, key } of SERVICES) {
      for (const method of service.methods) {
        const list = casesOf([cases], key, method);
        if (list.length === 0) continue;
        describe(`${service.name}/${method.name}`, () => {
          for (const contractCase of list) {
            it(`${contractCase.outcome}: ${contractCase.title}`, function () {
              if (contractCase.timeoutMs) this.timeout(contractCase.timeoutMs);
              return contractCase.run(target);
            });
          }
        });
      }
    }
  });
}
