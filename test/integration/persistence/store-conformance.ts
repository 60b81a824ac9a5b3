import { ConformanceContext, type MakeStore, type StoreHarness } from './conformance/context.js';
import { eventStoreConformance } from './conformance/event-store.js';
import { executionQueryConformance } from './conformance/execution-queries.js';
import { executionStoreConformance } from './conformance/execution-store.js';
import { jobQueryConformance } from './conformance/job-queries.js';
import { jobStoreConformance } from './conformance/job-store.js';
import { metricsHistoryConformance } from './conformance/metrics-history.js';
import { occurrenceStoreConformance } from './conformance/occurrence-store.js';
import { retentionConformance } from './conformance/retention.js';
import { transactionConformance } from './conformance/transactions.js';

export type { MakeStore, StoreHarness } from './conformance/context.js';

/**
 * THE conformance suite of the Store ports: the same tests against every implementation
 * (PostgreSQL and in memory), so the fast fake the core's unit tests use cannot drift from the
 * database. Every test gets an empty store from makeStore.
 */
export function describeStoreConformance(name: string, makeStore: MakeStore): void {
  describe(`${name} conforms to the Store ports`, () => {
    const context = new ConformanceContext();
    let harness: StoreHarness | undefined;
    beforeEach(async () => {
      harness = await makeStore();
      context.store = harness.store;
    });
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    transactionConformance(context);
    jobStoreConformance(context);
    jobQueryConformance(context);
    executionStoreConformance(context);
    executionQueryConformance(context);
    retentionConformance(context);
    eventStoreConformance(context);
    metricsHistoryConformance(context);
    occurrenceStoreConformance(context);
  });
}
