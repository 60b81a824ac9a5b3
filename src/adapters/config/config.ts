import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { parseDurationMs } from './duration.js';
import { isLoopback, loadSecurityConfig, type SecurityConfig } from './security-config.js';

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything the service reads from its environment, validated once at start-up. */
export interface Config {
  grpc: { host: string; port: number };
  /** The HTTP API (Connect, gRPC-Web) and dashboard; undefined port = HTTP_PORT=off. */
  http: { host: string; port: number | undefined };
  database: {
    /** Unset means: start an embedded PostgreSQL. */
    url: string | undefined;
    poolSize: number;
    embeddedDir: string;
    /** 0 picks a free port at every start. */
    embeddedPort: number;
  };
  log: { level: LogLevel; format: LogFormat };
  engine: {
    /** false: an API-only replica that neither dispatches nor rescues (workers and API still served). */
    enabled: boolean;
    pollIntervalMs: number;
    dispatchBatchSize: number;
    dispatchConcurrency: number;
    dispatchLookaheadMs: number;
    misfireGraceMs: number;
    defaultLeaseMs: number;
    reaperIntervalMs: number;
    retentionIntervalMs: number;
    retentionKeepPerJob: number;
    retentionKeepForMs: number;
    eventsKeepForMs: number;
  };
  limits: { maxPayloadBytes: number };
  /** Authentication, TLS, transport limits and the loopback-only default (security-config.ts). */
  security: SecurityConfig;
  /** How long a shutdown waits for in-flight calls before cancelling them. */
  shutdownGraceMs: number;
  observability: ObservabilityConfig;
  webhooks: WebhookConfig;
}

/** Webhook delivery (docs/engine.md, Webhooks; docs/security.md, Webhooks and SSRF). */
export interface WebhookConfig {
  allowHttp: boolean;
  /** Address ranges let through although internal (the SSRF policy). */
  allowCidrs: string[];
  /** Extra PEM CAs (WEBHOOK_CA_FILE's content) to trust for webhook endpoints, besides the system's. */
  ca: string | undefined;
  timeoutMs: number;
  maxRedirects: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  concurrency: number;
  perSubscription: number;
  pollIntervalMs: number;
  scanIntervalMs: number;
  keepForMs: number;
  maxSubscriptions: number;
}

/** Metrics, health and readiness (docs/operations.md). */
export interface ObservabilityConfig {
  /** The HTTP server for /metrics, /healthz and /readyz; undefined port = METRICS_PORT=off. */
  metrics: { host: string; port: number | undefined };
  /** How often the cluster-wide gauges (jobs by state, queue depth, overdue jobs) are read from the database. */
  refreshIntervalMs: number;
  /** How often the database probe runs, and how long one probe may take before it counts as failed. */
  healthCheckIntervalMs: number;
  healthCheckTimeoutMs: number;
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Reads and validates the configuration; throws ConfigError on the first bad value. */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const read = new EnvReader(env);
  const grpcHost = read.string('GRPC_HOST', '127.0.0.1');
  const security = loadSecurityConfig(read, cwd, grpcHost);
  return {
    grpc: {
      host: grpcHost,
      port: read.integer('GRPC_PORT', 50051, 0, 65535),
    },
    database: {
      url: read.optionalString('DATABASE_URL'),
      poolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 1000),
      embeddedDir: absolute(read.string('EMBEDDED_POSTGRES_DIR', '.data/postgres'), cwd),
      embeddedPort: read.integer('EMBEDDED_POSTGRES_PORT', 0, 0, 65535),
    },
    log: {
      level: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      format: read.oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    },
    engine: {
      enabled: read.boolean('SCHEDULER_ENABLED', true),
      pollIntervalMs: read.duration('POLL_INTERVAL', 1_000, 10, 3_600_000),
      dispatchBatchSize: read.integer('DISPATCH_BATCH_SIZE', 500, 1, 10_000),
      dispatchConcurrency: read.integer('DISPATCH_CONCURRENCY', 2, 1, 16),
      dispatchLookaheadMs: read.duration('DISPATCH_LOOKAHEAD', 1_000, 0, 10_000),
      misfireGraceMs: read.duration('MISFIRE_GRACE', 60_000, 0, 86_400_000),
      defaultLeaseMs: read.duration('LEASE_DURATION', 30_000, 5_000, 3_600_000),
      reaperIntervalMs: read.duration('REAPER_INTERVAL', 1_000, 10, 3_600_000),
      retentionIntervalMs: read.duration('RETENTION_INTERVAL', 60_000, 1_000, 86_400_000),
      retentionKeepPerJob: read.integer('RETENTION_KEEP_PER_JOB', 100, 0, 1_000_000),
      retentionKeepForMs: read.duration('RETENTION_KEEP_FOR', 30 * 86_400_000, 0, 3_650 * 86_400_000),
      eventsKeepForMs: read.duration('EVENTS_KEEP_FOR', 86_400_000, 60_000, 365 * 86_400_000),
    },
    http: httpConfig(read, security),
    limits: { maxPayloadBytes: read.integer('MAX_PAYLOAD_BYTES', 256 * 1024, 1, 64 * 1024 * 1024) },
    shutdownGraceMs: read.duration('SHUTDOWN_GRACE', 10_000),
    security,
    observability: {
      metrics: { host: read.string('METRICS_HOST', '127.0.0.1'), port: read.portOrOff('METRICS_PORT', 9464) },
      refreshIntervalMs: read.duration('METRICS_REFRESH_INTERVAL', 15_000, 100, 3_600_000),
      healthCheckIntervalMs: read.duration('HEALTH_CHECK_INTERVAL', 2_000, 100, 3_600_000),
      healthCheckTimeoutMs: read.duration('HEALTH_CHECK_TIMEOUT', 1_000, 10, 60_000),
    },
    webhooks: webhookConfig(read, cwd),
  };
}

function webhookConfig(read: EnvReader, cwd: string): WebhookConfig {
  const allowCidrs = (read.optionalString('WEBHOOK_ALLOW_CIDRS') ?? '').split(',').map((cidr) => cidr.trim()).filter((cidr) => cidr !== '');
  for (const cidr of allowCidrs) {
    const [address = '', prefix] = cidr.split('/');
    const version = isIP(address);
    const max = version === 4 ? 32 : 128;
    if (version === 0 || (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > max))) {
      read.fail(`WEBHOOK_ALLOW_CIDRS: ${JSON.stringify(cidr)} is not valid: expected comma-separated address ranges such as 10.1.0.0/16,fd12::/64`);
    }
  }
  const caFile = read.optionalString('WEBHOOK_CA_FILE');
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(absolute(caFile, cwd), 'utf8');
    } catch (error) {
      read.fail(`WEBHOOK_CA_FILE=${JSON.stringify(caFile)} cannot be read: ${(error as { code?: string }).code ?? String(error)}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) read.fail(`WEBHOOK_CA_FILE=${JSON.stringify(caFile)} holds no PEM certificate`);
  }
  const retryInitialMs = read.duration('WEBHOOK_RETRY_INITIAL', 10_000, 10, 86_400_000);
  return {
    allowHttp: read.boolean('WEBHOOK_ALLOW_HTTP', false),
    allowCidrs,
    ca,
    timeoutMs: read.duration('WEBHOOK_TIMEOUT', 10_000, 100, 120_000),
    maxRedirects: read.integer('WEBHOOK_MAX_REDIRECTS', 3, 0, 10),
    maxAttempts: read.integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
    retryInitialMs,
    retryMaxMs: Math.max(retryInitialMs, read.duration('WEBHOOK_RETRY_MAX', 3_600_000, 10, 7 * 86_400_000)),
    concurrency: read.integer('WEBHOOK_CONCURRENCY', 32, 1, 10_000),
    perSubscription: read.integer('WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION', 4, 1, 1_000),
    pollIntervalMs: read.duration('WEBHOOK_POLL_INTERVAL', 1_000, 10, 3_600_000),
    scanIntervalMs: read.duration('WEBHOOK_SCAN_INTERVAL', 15_000, 100, 3_600_000),
    keepForMs: read.duration('WEBHOOK_KEEP_FOR', 7 * 86_400_000, 60_000, 3_650 * 86_400_000),
    maxSubscriptions: read.integer('WEBHOOK_MAX_SUBSCRIPTIONS', 1_000, 1, 100_000),
  };
}

/** HTTP_HOST follows GRPC_HOST's rule: off loopback only with authentication, or ALLOW_INSECURE. */
function httpConfig(read: EnvReader, security: SecurityConfig): Config['http'] {
  const host = read.string('HTTP_HOST', '127.0.0.1');
  const port = read.portOrOff('HTTP_PORT', 8080);
  const clientsAuthenticated = security.auth !== undefined || security.tls?.clientCa !== undefined;
  if (port !== undefined && !isLoopback(host) && !clientsAuthenticated && !security.allowInsecure) {
    read.fail(
      `HTTP_HOST=${JSON.stringify(host)} is not a loopback address and authentication is off: ` +
        'set AUTH_JWT_SECRET, AUTH_JWT_SECRET_FILE, AUTH_JWKS_FILE or TLS_CLIENT_CA_FILE, or ALLOW_INSECURE=true to serve anyone who can reach the port, or HTTP_PORT=off',
    );
  }
  return { host, port };
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

export class EnvReader {
  constructor(private readonly env: Env) {}

  /** Stops loading with a message of the caller's making (for values that must not be echoed). */
  fail(message: string): never {
    throw new ConfigError(message);
  }

  optionalString(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  string(name: string, fallback: string): string {
    return this.optionalString(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a whole number from ${min} to ${max}`);
    }
    return Number(raw);
  }

  /** A port, or off/false/none/disabled to turn the listener off (undefined). */
  portOrOff(name: string, fallback: number): number | undefined {
    const raw = this.optionalString(name);
    if (raw !== undefined && ['off', 'false', 'none', 'disabled'].includes(raw.toLowerCase())) return undefined;
    if (raw !== undefined && !/^\d+$/.test(raw)) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a whole number from 0 to 65535, or off`);
    }
    return this.integer(name, fallback, 0, 65535);
  }

  duration(name: string, fallbackMs: number, minMs = 0, maxMs = Number.MAX_SAFE_INTEGER): number {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallbackMs;
    const ms = parseDurationMs(raw);
    if (ms === undefined) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a duration such as 500ms, 10s, 5m or 1h`);
    }
    if (ms < minMs || ms > maxMs) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a duration from ${minMs}ms to ${maxMs}ms`);
    }
    return ms;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected true or false`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallback;
    const value = allowed.find((candidate) => candidate === raw.toLowerCase());
    if (value === undefined) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected one of ${allowed.join(', ')}`);
    }
    return value;
  }
}
