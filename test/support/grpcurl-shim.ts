/**
 * `grpcurl` for the documentation test, on a machine where grpcurl cannot be installed: the same
 * command line, carried out by `buf curl` through the server's reflection. It takes the flags the
 * docs use and refuses any other, so an example that a real grpcurl would not accept fails here too.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const buf = join(root, 'node_modules', '.bin', 'buf');

function translate(args: string[]): string[] {
  const out = ['curl', '--protocol', 'grpc'];
  const positional: string[] = [];
  let plaintext = false;
  const valued: Record<string, string> = { '-d': '-d', '-H': '-H', '-cacert': '--cacert', '-cert': '--cert', '-key': '--key', '-authority': '--authority' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-plaintext') plaintext = true;
    else if (arg in valued) {
      const value = args[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      out.push(valued[arg]!, arg === '-d' && value === '@' ? '@-' : value);
    } else if (arg.startsWith('-')) throw new Error(`flag ${arg} is not one the documentation test knows`);
    else positional.push(arg);
  }
  const [address, verb] = positional;
  if (!address || !verb || positional.length > 2) throw new Error('usage: grpcurl [flags] ADDRESS (list | SERVICE/METHOD)');
  if (plaintext) out.push('--http2-prior-knowledge');
  const base = `${plaintext ? 'http' : 'https'}://${address}`;
  if (verb === 'list') return [...out, '--list-services', base];
  const slash = verb.includes('/') ? verb.lastIndexOf('/') : verb.lastIndexOf('.');
  return [...out, `${base}/${verb.slice(0, slash)}/${verb.slice(slash + 1)}`];
}

let translated: string[];
try {
  translated = translate(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`grpcurl (documentation test): ${(error as Error).message}\n`);
  process.exit(2);
}
const child = spawn(buf, translated, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
