import { createServiceClient } from '../../src/adapters/grpc/client/typed-client.js';
import { Health } from '../../src/gen/health/v1/health_pb.js';
import type { ScenarioResult } from '../support/report.js';
import { summarise } from '../support/stats.js';

/**
 * The floor under every other figure: one unary gRPC call (grpc.health.v1 Check, no database)
 * from a client process to the service process, one at a time and then many in flight.
 */
export async function grpcRoundtrip(address: string, options: { calls: number; concurrency: number; seconds: number }): Promise<ScenarioResult> {
  const client = createServiceClient(Health, address);
  try {
    for (let i = 0; i < 200; i += 1) await client.check({}); // warm-up: connection, JIT
    const latencies: number[] = [];
    for (let i = 0; i < options.calls; i += 1) {
      const started = performance.now();
      await client.check({});
      latencies.push(performance.now() - started);
    }
    let completed = 0;
    const deadline = performance.now() + options.seconds * 1000;
    const loop = async () => {
      while (performance.now() < deadline) {
        await client.check({});
        completed += 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    const elapsed = (performance.now() - started) / 1000;
    const sequential = summarise(latencies);
    return {
      scenario: 'grpc-roundtrip',
      figures: {
        sequential_p50_ms: sequential.p50_ms,
        sequential_p99_ms: sequential.p99_ms,
        sequential_max_ms: sequential.max_ms,
        concurrent_calls_per_s: Math.round(completed / elapsed),
      },
      configuration: options,
    };
  } finally {
    client.close();
  }
}
