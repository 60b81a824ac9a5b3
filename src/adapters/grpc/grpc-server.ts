import type { DescFile } from '@bufbuild/protobuf';
import { Server, ServerCredentials, type ServerOptions, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from '../../application/ports/logger.js';
import type { Guard } from './auth/call-guard.js';
import { authenticatedRegistrar } from './auth/guarded-registrar.js';
import type { HealthReporter } from './health.js';
import { addReflection } from './reflection.js';
import { formatHost } from '../runtime/host.js';

export interface ServiceRegistration {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  host: string;
  /** 0 binds a free port; the bound one is returned by start(). */
  port: number;
  services: readonly ServiceRegistration[];
  /** The generated files the services are defined in, for reflection. */
  files: readonly DescFile[];
  health: HealthReporter;
  logger: Logger;
  /** Plaintext when absent; see tls.ts. */
  credentials?: ServerCredentials;
  /** grpc-js server options: message size and stream limits (tls.ts serverOptions). */
  serverOptions?: ServerOptions;
  /** Set: reflection asks for a valid token too (health never does). */
  reflectionGuard?: Guard | undefined;
}

/** The gRPC listener: our services, reflection and health on one port. */
export class GrpcServer {
  private readonly server: Server;
  private boundPort: number | undefined;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = new Server(options.serverOptions);
    for (const service of options.services) this.server.addService(service.definition, service.implementation);
    addReflection(options.reflectionGuard ? authenticatedRegistrar(this.server, options.reflectionGuard) : this.server, options.files);
    options.health.addToServer(this.server);
  }

  get address(): string {
    if (this.boundPort === undefined) throw new Error('the gRPC server is not listening');
    return `${formatHost(this.options.host)}:${this.boundPort}`;
  }

  async start(): Promise<string> {
    const target = `${formatHost(this.options.host)}:${this.options.port}`;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(target, this.options.credentials ?? ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(new Error(`cannot listen on ${target}: ${error.message}`)) : resolve(port),
      ),
    );
    this.options.logger.info({ address: this.address }, 'gRPC server listening');
    return this.address;
  }

  /**
   * Stops accepting calls and waits for running ones up to graceMs; what still runs after that is
   * cancelled (its handlers see their signal abort).
   */
  async stop(graceMs: number): Promise<void> {
    if (this.boundPort === undefined) return;
    const timer = setTimeout(() => this.server.forceShutdown(), graceMs);
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    clearTimeout(timer);
  }
}
