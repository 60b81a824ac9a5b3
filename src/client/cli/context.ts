import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { JobSchedulerClient } from '../../adapters/grpc/client/index.js';
import type { CallSettings } from '../../adapters/grpc/client/typed-client.js';
import type { Values } from './args.js';
import type { Out } from './output.js';

/** What a command runs with. */
export interface Context {
  /** The command's operands (after "jobs get", the id). */
  operands: string[];
  values: Values;
  json: boolean;
  out: Out;
  err: Out;
  /** Deadline of unary calls. */
  call: CallSettings;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  scheduler(): JobSchedulerClient;
  /** The address and security, for clients of other services (health). */
  connect<T>(factory: (address: string, credentials: ChannelCredentials, options: ChannelOptions) => T): T;
}

export interface Command {
  /** "jobs create" */
  name: string;
  /** Operands and options, for help: "NAME --type TYPE (--every 15m | --cron EXPR [--tz ZONE] | --at TIME | --now) …" */
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
  /** Resolves to the exit code. */
  run(context: Context): Promise<number>;
}
