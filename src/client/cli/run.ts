import { clientSecurity } from '../../adapters/grpc/client/credentials.js';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../adapters/grpc/client/index.js';
import { parseDuration } from '../time.js';
import { CONNECTION_OPTIONS, connection, ownValues, parse } from './args.js';
import type { Command, Context } from './context.js';
import { describeFailure, EXIT, UsageError } from './errors.js';
import { EXECUTION_COMMANDS } from './execution-commands.js';
import { JOB_COMMANDS } from './job-commands.js';
import { OCCURRENCE_COMMANDS } from './occurrence-commands.js';
import type { Out } from './output.js';
import { SERVICE_COMMANDS } from './service-commands.js';
import { WEBHOOK_COMMANDS } from './webhook-commands.js';

export const COMMANDS: readonly Command[] = [...JOB_COMMANDS, ...OCCURRENCE_COMMANDS, ...EXECUTION_COMMANDS, ...WEBHOOK_COMMANDS, ...SERVICE_COMMANDS];

const DEFAULT_TIMEOUT = '10s';

function allOptions(): Command['options'] {
  const merged: Command['options'] = {};
  for (const command of COMMANDS) Object.assign(merged, command.options);
  return merged;
}

/** The command named by the first one or two operands ("jobs list", "stats"). */
function find(positionals: string[]): { command: Command | undefined; operands: string[] } {
  for (const words of [2, 1]) {
    const name = positionals.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, operands: positionals.slice(words) };
  }
  return { command: undefined, operands: positionals };
}

function help(command?: Command): string {
  const connectionHelp = Object.entries(CONNECTION_OPTIONS)
    .map(([name, spec]) => `  --${name}${spec.type === 'string' ? ' VALUE' : ''}`.padEnd(26) + `${spec.help}${'env' in spec ? ` [${spec.env}]` : ''}`)
    .join('\n');
  if (command) return `usage: jobscheduler ${command.name} ${command.usage}\n\n${command.summary}\n\nconnection options:\n${connectionHelp}\n`;
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
  return `usage: jobscheduler COMMAND [OPERANDS] [OPTIONS]\n\ncommands:\n${commands}\n\nconnection options (every command):\n${connectionHelp}\n\nexit codes: 0 ok, 1 the server refused (the gRPC status is named), 2 usage error, 3 server unreachable or too slow\n"jobscheduler COMMAND --help" shows a command's options.\n`;
}

/** Runs one command line and resolves to its exit code; never throws. */
export async function run(argv: string[], io: { out: Out; err: Out; env: NodeJS.ProcessEnv }): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let client: JobSchedulerClient | undefined;
  try {
    const { positionals, values: given } = parse(argv, allOptions());
    const { command, operands } = find(positionals);
    if (command === undefined) {
      if (positionals.length === 0) {
        io.out.write(help());
        return given.help === true ? EXIT.ok : EXIT.usage;
      }
      throw new UsageError(`unknown command ${JSON.stringify(positionals.slice(0, 2).join(' '))}`);
    }
    if (given.help === true) {
      io.out.write(help(command));
      return EXIT.ok;
    }
    const values = ownValues(command.name, given, command.options);
    const target = connection(values, io.env);
    const resolved = () => {
      try {
        return clientSecurity(target.address, target.security);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    };
    const timeoutMs = parseDuration(target.timeout ?? DEFAULT_TIMEOUT);
    const context: Context = {
      operands,
      values,
      json: target.json,
      out: io.out,
      err: io.err,
      get call() {
        return { deadline: timeoutMs, signal: abort.signal };
      },
      signal: abort.signal,
      scheduler() {
        if (client === undefined) {
          const { credentials, options } = resolved();
          client = createJobSchedulerClient(target.address, credentials, options);
        }
        return client;
      },
      connect(factory) {
        const { credentials, options } = resolved();
        return factory(target.address, credentials, options);
      },
    };
    return await command.run(context);
  } catch (error) {
    const { line, code } = describeFailure(error);
    io.err.write(`${line}\n`);
    return code;
  } finally {
    client?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
