import { expect } from 'chai';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import { createWorker } from '../../../src/sdk/index.js';
import { TestDatabase } from '../../support/test-database.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { createOnceJob, executionsOf, uniqueType, waitFor, type LogEntry } from './sdk-fixtures.js';

describe('worker SDK: server restart (real server)', () => {
  let database: TestDatabase;
  let server: TestServer | undefined;
  before(async () => {
    database = await TestDatabase.create();
  });
  after(async () => {
    await server?.stop();
    await database.drop();
  });

  const succeeded = (jobId: string) =>
    waitFor('success', async () => ((await executionsOf(server!, jobId))[0]?.status === ExecutionStatus.SUCCEEDED ? true : undefined));

  it('keeps acquiring across a restart of the server on the same address', async function () {
    this.timeout(20_000);
    server = await startTestServer({ database });
    const port = server.address.split(':').pop()!;
    const type = uniqueType('restart');
    const log: LogEntry[] = [];
    const worker = createWorker({ address: server.address, types: [type], handler: async (job) => ({ n: job.payload['n'] ?? null }), logger: (level, message, fields) => log.push({ level, message, fields }) });
    try {
      await succeeded(await createOnceJob(server, type, { n: 1 }));
      await server.stop();
      server = undefined;
      await new Promise((resolve) => setTimeout(resolve, 300));
      server = await startTestServer({ database, env: { GRPC_PORT: port } });
      const jobId = await createOnceJob(server, type, { n: 2 });
      await succeeded(jobId);
      expect((await executionsOf(server, jobId))[0]?.result).to.deep.equal({ n: 2 });
      expect(log.some((entry) => entry.message.startsWith('the Work stream ended; reconnecting'))).to.equal(true);
    } finally {
      await worker.stop();
    }
  });
});
