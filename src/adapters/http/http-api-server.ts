import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../application/ports/logger.js';
import { isLoopback, type TlsConfig } from '../config/security-config.js';
import type { BoundService } from '../grpc/services.js';
import { formatHost } from '../runtime/host.js';
import { RpcBridge } from './rpc-bridge.js';
import { loadAssets, type Asset } from './static-assets.js';

export interface HttpApiServerOptions {
  host: string;
  /** 0 binds a free port; the bound address is returned by start() and logged. */
  port: number;
  /** The same bound services the gRPC port serves. */
  services: readonly BoundService[];
  maxReceiveBytes: number;
  /** HTTPS with the gRPC port's certificate (and client CAs, for mutual TLS) when set. */
  tls: TlsConfig | undefined;
  /** With authentication off, only requests that name a loopback host are served (see handle()). */
  authEnabled: boolean;
  /** What the dashboard needs to know: whether it must ask for a bearer token, and where a token keeps its roles (AUTH_ROLES_CLAIM). */
  dashboard: { auth: boolean; rolesClaim: string };
  logger: Logger;
  /** The dashboard's files; tests may pass their own. */
  assets?: Map<string, Asset>;
}

/** The dashboard's pages fetch only from their own origin and are never framed. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * HTTP_PORT: the API for browsers and curl (Connect and gRPC-Web, rpc-bridge.ts) and the
 * dashboard at / (dist/web). No CORS headers are sent, so only the dashboard's own origin, or a
 * client that is not a browser, can call the API here.
 */
export class HttpApiServer {
  private readonly server: Server;
  private readonly bridge: RpcBridge;
  private readonly assets: Map<string, Asset>;
  private bound: string | undefined;

  constructor(private readonly options: HttpApiServerOptions) {
    this.bridge = new RpcBridge(options.services, options.maxReceiveBytes);
    this.assets = options.assets ?? loadAssets();
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        options.logger.error({ err: error, path: request.url }, 'HTTP API request failed');
        if (!response.headersSent) plain(response, 500, 'internal error\n');
        else response.destroy();
      });
    };
    const tls = options.tls;
    this.server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, listener)
      : createHttpServer(listener);
  }

  /** http(s)://host:port once listening. */
  get address(): string {
    if (this.bound === undefined) throw new Error('the HTTP API server is not listening');
    return this.bound;
  }

  async start(): Promise<string> {
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(new Error(`cannot listen on ${formatHost(host)}:${port} for HTTP_PORT: ${error.message}`));
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.bound = `${this.options.tls ? 'https' : 'http'}://${formatHost(host)}:${address.port}`;
    if (!this.assets.has('/')) this.options.logger.warn({ address: this.bound }, 'the dashboard is not built (dist/web is missing): run npm run build; the API is served');
    this.options.logger.info({ address: this.bound, dashboard: `${this.bound}/` }, 'HTTP API (Connect, gRPC-Web) and dashboard listening');
    return this.bound;
  }

  /** Stops accepting; open streams end through the shutdown signal, and what is left after graceMs is cut. */
  async stop(graceMs: number): Promise<void> {
    if (this.bound === undefined) return;
    this.bound = undefined;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.hostAllowed(request)) {
      return plain(response, 421, 'this port serves requests for a loopback host only (authentication is off): use http://127.0.0.1 or http://localhost\n');
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST' && RpcBridge.isRpcPath(path)) return this.bridge.serve(request, response, path);
    if (request.method === 'GET' && path === '/dashboard-config.json') {
      response.writeHead(200, { ...PAGE_HEADERS, 'content-type': 'application/json' });
      response.end(JSON.stringify(this.options.dashboard));
      return;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      const asset = this.assets.get(path);
      if (asset === undefined) return plain(response, 404, `not found: ${path}\n`);
      response.writeHead(200, { ...PAGE_HEADERS, 'content-type': asset.contentType, 'content-length': asset.body.length });
      response.end(request.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    response.setHeader('allow', 'GET, HEAD, POST');
    return plain(response, 405, `${request.method ?? ''} is not served here: GET the dashboard, POST an RPC (docs/api.md)\n`);
  }

  /**
   * Without authentication the port trusts whoever reaches it, which on loopback means this
   * machine. A web page elsewhere could still reach it through DNS rebinding (its own name
   * resolving to 127.0.0.1), and it would then send its own name as Host: refused here.
   */
  private hostAllowed(request: IncomingMessage): boolean {
    if (this.options.authEnabled || !isLoopback(this.options.host)) return true;
    const host = request.headers.host;
    if (host === undefined) return true;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    return isLoopback(name);
  }
}

function plain(response: ServerResponse, code: number, text: string): void {
  response.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  response.end(text);
}
