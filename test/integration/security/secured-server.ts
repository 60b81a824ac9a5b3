import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { DescService } from '@bufbuild/protobuf';
import { loadConfig } from '../../../src/adapters/config/config.js';
import { startService } from '../../../src/adapters/di/container.js';
import type { ServiceRuntime } from '../../../src/adapters/runtime/service-runtime.js';
import { TestDatabase } from '../../support/test-database.js';

/**
 * The real service on 127.0.0.1:0 with the given security environment, its JSON log lines kept
 * in `logs` (for the audit and start-up warnings). Clients are the test's business: each test
 * needs other credentials.
 */
export class SecuredServer {
  private constructor(
    readonly runtime: ServiceRuntime,
    private readonly database: TestDatabase,
    /** Every JSON log line of the service so far. */
    readonly logs: Array<Record<string, unknown>>,
  ) {}

  static async start(env: Record<string, string>): Promise<SecuredServer> {
    const database = await TestDatabase.create();
    const logs: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    try {
      const config = loadConfig({ GRPC_PORT: '0', METRICS_PORT: '0', HTTP_PORT: '0', DATABASE_URL: database.url, SHUTDOWN_GRACE: '1s', ...env });
      const { runtime } = await startService(config, { logger: pino({ level: 'info' }, sink) });
      return new SecuredServer(runtime, database, logs);
    } catch (error) {
      await database.drop();
      throw error;
    }
  }

  get address(): string {
    return this.runtime.address;
  }

  /** Audit lines (logger: "audit"). */
  audit(): Array<Record<string, unknown>> {
    return this.logs.filter((line) => line.logger === 'audit');
  }

  async stop(): Promise<void> {
    await this.runtime.stop('test finished');
    await this.database.drop();
  }
}

/** Every method of a generated service with its full path. */
export function methodsOf(service: DescService): Array<{ service: DescService; name: string; localName: string; kind: string; path: string }> {
  return service.methods.map((method) => ({ service, name: method.name, localName: method.localName, kind: method.methodKind, path: `/${service.typeName}/${method.name}` }));
}
