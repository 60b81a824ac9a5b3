import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../application/ports/logger.js';
import { isLoopback } from '../config/security-config.js';
import { formatHost } from '../runtime/host.js';

export interface Readiness {
  ready: boolean;
  /** Why not, for the 503 body. */
  reason: string;
}

export interface MetricsHttpServerOptions {
  host: string;
  /** 0 binds a free port; the bound address is returned by start() and logged. */
  port: number;
  metrics: { exposition(): Promise<string>; readonly contentType: string };
  readiness: () => Readiness;
  logger: Logger;
}

/**
 * The HTTP side of observability, on its own port so it can be reached (and firewalled)
 * separately from the API: GET /metrics (Prometheus text format), /healthz (liveness: the
 * process answers) and /readyz (readiness: 200 while gRPC health says SERVING, 503 otherwise).
 */
export class MetricsHttpServer {
  private readonly server: Server;
  private bound: string | undefined;

  constructor(private readonly options: MetricsHttpServerOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        options.logger.error({ err: error, path: request.url }, 'metrics HTTP request failed');
        if (!response.headersSent) send(response, 500, 'internal error\n');
        else response.destroy();
      });
    });
  }

  /** host:port once listening. */
  get address(): string {
    if (this.bound === undefined) throw new Error('the metrics HTTP server is not listening');
    return this.bound;
  }

  async start(): Promise<string> {
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(new Error(`cannot listen on ${formatHost(host)}:${port} for metrics: ${error.message}`));
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.bound = `${formatHost(host)}:${address.port}`;
    this.options.logger.info({ address: this.bound, endpoints: ['/metrics', '/healthz', '/readyz'] }, 'metrics HTTP server listening');
    if (!isLoopback(host)) {
      // Scrapers on other hosts need this, but nothing here checks who asks.
      this.options.logger.warn(
        { host, address: this.bound },
        'METRICS_HOST is not a loopback address: /metrics answers anyone who reaches the port, without authentication, and names every job type; restrict the port (firewall, network policy) or set METRICS_HOST=127.0.0.1',
      );
    }
    return this.bound;
  }

  async stop(): Promise<void> {
    if (this.bound === undefined) return;
    this.bound = undefined;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Scrapers keep connections alive; they would hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(response, 405, 'method not allowed\n');
    }
    switch (path) {
      case '/metrics':
        return send(response, 200, await this.options.metrics.exposition(), this.options.metrics.contentType);
      case '/healthz':
        return send(response, 200, 'ok\n');
      case '/readyz': {
        const { ready, reason } = this.options.readiness();
        return send(response, ready ? 200 : 503, ready ? 'ready\n' : `not ready: ${reason}\n`);
      }
      default:
        return send(response, 404, 'not found: try /metrics, /healthz or /readyz\n');
    }
  }
}

function send(response: ServerResponse, code: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
