import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { createWorkerClient } from '../../src/adapters/grpc/client/index.js';

/**
 * A worker process for process tests: `node dist/test/support/hold-worker.js <address> <type>
 * <leaseMs>` acquires one execution, prints it as a JSON line, and then holds it without
 * heartbeats until it is killed.
 */
const [address, type, leaseMs] = process.argv.slice(2);
const client = createWorkerClient(address as string);
for (;;) {
  const { executions } = await client.acquireExecutions({
    workerId: `hold-worker:${process.pid}`,
    jobTypes: [type as string],
    capacity: 1,
    wait: durationFromMs(5_000),
    leaseDuration: durationFromMs(Number(leaseMs)),
  });
  const [held] = executions;
  if (held) {
    process.stdout.write(`${JSON.stringify({ executionId: held.execution?.id, acquiredAt: Date.now() })}\n`);
    setInterval(() => undefined, 60_000);
    break;
  }
}
