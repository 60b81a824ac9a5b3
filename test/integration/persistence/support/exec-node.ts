import { spawn } from 'node:child_process';

export interface NodeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <script> …args` as its own OS process with exactly the given environment (plus PATH). */
export function execNode(script: string, args: readonly string[], env: Record<string, string>): Promise<NodeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
