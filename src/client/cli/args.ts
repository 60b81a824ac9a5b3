import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ClientSecurity } from '../../adapters/grpc/client/credentials.js';
import { UsageError } from './errors.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Connection options every command takes; each has an environment variable. */
export const CONNECTION_OPTIONS = {
  address: { type: 'string', env: 'JOBSCHEDULER_ADDRESS', help: 'host:port of the service (default 127.0.0.1:50051)' },
  token: { type: 'string', env: 'JOBSCHEDULER_TOKEN', help: 'bearer token sent with every call' },
  'token-file': { type: 'string', env: 'JOBSCHEDULER_TOKEN_FILE', help: 'file holding the bearer token (read for every call)' },
  tls: { type: 'boolean', env: 'JOBSCHEDULER_TLS', help: 'use TLS, trusting the system CAs unless --ca is given' },
  ca: { type: 'string', env: 'JOBSCHEDULER_CA', help: 'PEM file of the CA to trust (implies --tls)' },
  cert: { type: 'string', env: 'JOBSCHEDULER_CERT', help: 'PEM client certificate for mutual TLS (with --key)' },
  key: { type: 'string', env: 'JOBSCHEDULER_KEY', help: 'PEM client key for mutual TLS (with --cert)' },
  'server-name': { type: 'string', env: 'JOBSCHEDULER_SERVER_NAME', help: 'name the server certificate must carry, if not the address host' },
  'plaintext-token': { type: 'boolean', env: 'JOBSCHEDULER_PLAINTEXT_TOKEN', help: 'allow a token without TLS to a non-loopback address' },
  timeout: { type: 'string', env: 'JOBSCHEDULER_TIMEOUT', help: 'deadline of each call (default 10s; watch has none)' },
  json: { type: 'boolean', env: 'JOBSCHEDULER_JSON', help: 'print protobuf JSON instead of tables' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
} as const satisfies Record<string, { type: 'string' | 'boolean'; env?: string; help: string; short?: string }>;

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  positionals: string[];
  values: Values;
}

/**
 * Parses argv against every option any command knows, each value option taken as repeatable so
 * that a repeat is seen whichever command declares the name; ownValues then holds the values to
 * the command's own declarations, so a typo or a repeat is a usage error, not ignored.
 */
export function parse(argv: string[], commandOptions: OptionSpec): Parsed {
  const options: OptionSpec = {};
  for (const [name, spec] of Object.entries(commandOptions)) options[name] = spec.type === 'string' ? { ...spec, multiple: true } : spec;
  for (const [name, spec] of Object.entries(CONNECTION_OPTIONS)) options[name] = { type: spec.type, ...(spec.type === 'string' ? { multiple: true } : {}), ...('short' in spec ? { short: spec.short } : {}) };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { positionals, values: values as Values };
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error));
  }
}

/**
 * The values as the command declares its options: a repeatable one as the list given, any other
 * as its one value. An option the command does not take, or one of its own given twice that it
 * takes once, is a usage error (`--type a --type b` on a command that filters by one type is not
 * "a,b"). A connection option given twice is not: the last one counts, so that a wrapper's
 * `--address` (a container's health check, an alias) can be overridden by appending another.
 */
export function ownValues(command: string, values: Values, own: OptionSpec): Values {
  const result: Values = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const spec = own[name];
    if (spec === undefined && !(name in CONNECTION_OPTIONS)) throw new UsageError(`${command} does not take --${name}`);
    if (!Array.isArray(value) || spec?.multiple === true) {
      result[name] = value;
      continue;
    }
    if (spec !== undefined && value.length > 1) throw new UsageError(`${command} takes --${name} once, got it ${value.length} times`);
    result[name] = value[value.length - 1];
  }
  return result;
}

function fromEnv(name: keyof typeof CONNECTION_OPTIONS, values: Values, env: NodeJS.ProcessEnv): string | boolean | undefined {
  const given = values[name];
  if (given !== undefined) return given as string | boolean;
  const spec = CONNECTION_OPTIONS[name];
  const raw = 'env' in spec ? env[spec.env] : undefined;
  if (raw === undefined || raw === '') return undefined;
  if (spec.type === 'string') return raw;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new UsageError(`${'env' in spec ? spec.env : name} must be true or false, got ${JSON.stringify(raw)}`);
}

export interface Connection {
  address: string;
  security: ClientSecurity;
  timeout: string | undefined;
  json: boolean;
}

export function connection(values: Values, env: NodeJS.ProcessEnv): Connection {
  const string = (name: keyof typeof CONNECTION_OPTIONS) => fromEnv(name, values, env) as string | undefined;
  const flag = (name: keyof typeof CONNECTION_OPTIONS) => fromEnv(name, values, env) === true;
  const [ca, cert, key] = [string('ca'), string('cert'), string('key')].map((path) => (path === undefined ? undefined : readPem(path)));
  const serverName = string('server-name');
  const useTls = flag('tls') || ca !== undefined || cert !== undefined;
  const tokenText = string('token');
  const tokenFile = string('token-file');
  if (tokenText !== undefined && tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
  const token = tokenText ?? (tokenFile === undefined ? undefined : () => readToken(tokenFile));
  const tls = useTls ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(serverName ? { serverName } : {}) } : undefined;
  return {
    address: string('address') ?? '127.0.0.1:50051',
    security: { ...(tls ? { tls } : {}), ...(token ? { token } : {}), allowPlaintextToken: flag('plaintext-token') },
    timeout: string('timeout'),
    json: flag('json'),
  };
}

function readPem(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Read for every call, so a rotated token file takes effect without restarting a watch. */
function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token === '') throw new Error(`${path} holds no token`);
  return token;
}
