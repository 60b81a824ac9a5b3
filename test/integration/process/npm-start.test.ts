import { expect } from 'chai';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runCommand } from '../../support/run-command.js';
import { descendantsRunning, isRunning } from '../../support/process-tree.js';
import { SERVICE_NODE_FLAGS, ServiceProcess } from '../../support/service-process.js';
import { TestDatabase } from '../../support/test-database.js';

/**
 * `npm start` is the README's command and what a container or a unit often runs; the runtime
 * then signals npm, not the service. The signal must reach the service, which stops in order,
 * and npm must exit only after it, leaving no service process behind.
 */
describe('npm start (the README command) passes signals to the service', function () {
  this.timeout(60_000);
  let database: TestDatabase;

  before(async () => {
    database = await TestDatabase.create();
  });
  after(async () => {
    await database.drop();
  });

  const cases = [
    { name: 'SIGTERM sent to npm alone (a container runtime or systemd)', signal: 'SIGTERM', toGroup: false },
    { name: 'SIGINT sent to the whole process group (Ctrl-C in a terminal)', signal: 'SIGINT', toGroup: true },
  ] as const;

  for (const { name, signal, toGroup } of cases) {
    it(`${name}: the service logs its stop, exits 0, and so does npm`, async () => {
      const npm = ServiceProcess.spawnNpmStart({ DATABASE_URL: database.url, GRPC_PORT: '0', SHUTDOWN_GRACE: '2s' }, { detached: toGroup });
      const logs: Record<string, unknown>[] = [];
      npm.onLog((entry) => logs.push(entry));
      let services: number[] = [];
      try {
        await npm.started();
        services = descendantsRunning(npm.pid, (argv) => basename(argv[0] ?? '') === 'node' && argv.at(-1) === 'dist/src/main.js');
        expect(services, 'service processes under npm').to.have.length(1);
        const argv = readFileSync(`/proc/${services[0]}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
        expect(argv.slice(1), 'the command npm start runs').to.deep.equal([...SERVICE_NODE_FLAGS, 'dist/src/main.js']);

        if (toGroup) process.kill(-npm.pid, signal);
        else process.kill(npm.pid, signal);
        const { code, signal: npmSignal } = await npm.exit();

        // npm waits for its script, so by now the service has exited (and been reaped) too.
        expect(services.filter(isRunning), 'service processes still running after npm exited').to.deep.equal([]);
        expect({ code, signal: npmSignal }, 'npm exit').to.deep.equal({ code: 0, signal: null });
        await npm.closed();
        const stops = logs.filter((entry) => entry.msg === 'JobScheduler stopping');
        expect(stops.map((entry) => entry.reason)).to.deep.equal([`received ${signal}`]);
        expect(logs.map((entry) => entry.msg)).to.include('JobScheduler stopped');
      } finally {
        for (const pid of services.filter(isRunning)) process.kill(pid, 'SIGKILL');
        npm.kill('SIGKILL');
      }
    });
  }

  it('on a fresh clone builds first, then serves the dashboard; a second start builds nothing; an edited source builds again', async function () {
    this.timeout(300_000);
    const clone = mkdtempSync(join(tmpdir(), 'jobscheduler-clone-'));
    try {
      // What a clone holds that the build reads; node_modules as `npm ci` left it.
      for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'web', 'scripts']) cpSync(path, join(clone, path), { recursive: true });
      symlinkSync(resolve('node_modules'), join(clone, 'node_modules'));
      const start = async (): Promise<string> => {
        const npm = ServiceProcess.spawnNpmStart({ DATABASE_URL: database.url, GRPC_PORT: '0', SHUTDOWN_GRACE: '2s' }, { cwd: clone, prestart: true });
        try {
          const started = await npm.waitForLog('JobScheduler started');
          const page = await fetch(started.dashboard as string);
          expect(page.status).to.equal(200);
          expect(await page.text()).to.include('<title>JobScheduler</title>');
          npm.kill('SIGTERM');
          const { code, stderr } = await npm.exit();
          expect(code, stderr).to.equal(0);
          return stderr;
        } finally {
          npm.kill('SIGKILL');
        }
      };
      expect(await start()).to.include('npm start: dist/src/main.js is missing or was not built by npm run build; building first (npm run build)');
      const stamp = statSync(join(clone, 'dist', '.build-stamp')).mtimeMs;
      expect(await start()).to.not.include('building first');
      expect(statSync(join(clone, 'dist', '.build-stamp')).mtimeMs, 'the stamp of the first build').to.equal(stamp);
      const later = new Date(stamp + 60_000);
      utimesSync(join(clone, 'src', 'main.ts'), later, later);
      expect(await start()).to.include(`npm start: ${join('src', 'main.ts')} changed after the last build; building first`);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('a copy without sources (a deployed dist/) does not build: without dist/ it says to run npm run build, and exits 1', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'jobscheduler-unbuilt-'));
    try {
      copyFileSync('package.json', join(checkout, 'package.json'));
      const { code, stderr } = await runCommand('npm', ['start', '--silent'], { cwd: checkout });
      expect(code).to.equal(1);
      expect(stderr).to.include('dist/src/main.js is missing: run npm run build first');
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
