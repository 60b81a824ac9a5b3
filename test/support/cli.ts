import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { runCommand, type CommandResult } from './run-command.js';

/** The CLI as the root package's bin runs it (`npx jobscheduler` in this repository). */
export const CLI = resolve(import.meta.dirname, '..', '..', 'src', 'client', 'cli', 'main.js');

/** A fresh environment without the caller's JOBSCHEDULER_* variables, plus `env`. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('JOBSCHEDULER_')));
  return { ...base, ...env };
}

export function cli(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<CommandResult> {
  return runCommand(process.execPath, [CLI, ...args], { env: cliEnv(env), ...(input === undefined ? {} : { input }) });
}

/** The CLI's output, once it ended with status 0 and wrote nothing to stderr. */
export async function cliOk(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const result = await cli(args, env);
  expect({ code: result.code, stderr: result.stderr }, `jobscheduler ${args.join(' ')}`).to.deep.equal({ code: 0, stderr: '' });
  return result.stdout;
}

/** A long-running CLI process (executions watch), with its output so far. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}
