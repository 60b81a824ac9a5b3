import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `buf curl` against a plaintext server through reflection only (no local .proto files): what a
 * grpcurl user sees. Resolves with stdout and stderr whatever the exit status.
 */
export async function bufCurl(address: string, method: string, body?: unknown): Promise<{ stdout: string; stderr: string; ok: boolean }> {
  const args = ['--no-install', 'buf', 'curl', '--protocol', 'grpc', '--http2-prior-knowledge'];
  if (body !== undefined) args.push('-d', JSON.stringify(body));
  args.push(`http://${address}/${method}`);
  try {
    const { stdout, stderr } = await run('npx', args);
    return { stdout, stderr, ok: true };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string };
    return { stdout: failed.stdout, stderr: failed.stderr, ok: false };
  }
}
