import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { documentedCommands, type DocCommand } from './doc-commands.js';

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const root = join(distRoot, '..');
const DOCS_ADDRESS = '127.0.0.1:50051';
const DOCS_HTTP = 'http://127.0.0.1:8080';
const DOC_JOB = '162a02ad-3381-4959-a7c6-f8cc48580f7d';
const DOC_EXECUTION = '0b7f3a52-8c1e-4d6a-9f2b-5e4c3d2a1b0f';
const DOC_LEASE_TOKEN = 'c2f1e0d9-7b6a-4c5d-8e3f-2a1b0c9d8e7f';
const DOC_WORKER = 'crawler-7f9c:4242';

/**
 * Commands the docs show that this test does not run itself, each with the test that runs it (or
 * the same code path). A new kind of command in the docs fails here until it is run or listed.
 */
const RUN_ELSEWHERE: { pattern: RegExp; by: string }[] = [
  // Against a made-up TLS host; the same options against a real TLS server are in these tests.
  { pattern: /^npx jobscheduler .*--address scheduler\.internal:50051 --ca ca\.crt/, by: 'test/integration/security/client-options.test.ts' },
  { pattern: /(grpcurl|buf curl) .*--?cacert ca\.crt/, by: 'test/integration/security/tls.test.ts' },
  { pattern: /^npm ci( && npm test)?$/, by: '.ci/run' },
  { pattern: /^npm run build$/, by: 'scripts/test.mjs' },
  { pattern: /^npx mocha --no-config --require dist\/test\/support\/global-postgres\.js --timeout 60000 dist\/test\/browser\/\*\.test\.js$/, by: 'test/browser/dashboard.test.ts' },
  { pattern: /^node --max-semi-space-size=32 --no-allocation-site-pretenuring dist\/src\/main\.js$/, by: 'test/integration/process/main.test.ts' },
  { pattern: /^npm run test:contract$/, by: 'test/contract/contract.test.ts' },
  { pattern: /^npm ci && npm run build$/, by: '.ci/run' },
  { pattern: /^npm ci && (npm run build && )?npm start\b/, by: 'test/integration/process/npm-start.test.ts' },
  // The CLI's pages run as whole sessions (their blocks share shell variables such as $JOB).
  { pattern: /^(export JOBSCHEDULER_\w+=|(\w+=\$\()?npx jobscheduler )/, by: 'test/integration/cli/cli-docs.test.ts' },
  // The webhook session's own signing secret, used by its next line.
  { pattern: /^SECRET="whsec_\$\(head -c 32 \/dev\/urandom \| base64\)"$/, by: 'test/integration/cli/cli-docs.test.ts' },
  { pattern: /^npm run pack:client$/, by: 'test/integration/client-package/install.test.ts' },
  { pattern: /^npm install \/path\/to\/jobscheduler\/packages\/client\//, by: 'test/integration/client-package/install.test.ts' },
  { pattern: /^mkdir my-service && cd my-service && npm init -y/, by: 'test/integration/client-package/install.test.ts' },
  { pattern: /^npm install --save-dev typescript @types\/node$/, by: 'test/integration/client-package/install.test.ts' },
  { pattern: /^npx tsc --module nodenext --target es2022 --strict main\.ts && node main\.js$/, by: 'test/integration/client-package/install.test.ts' },
  // No Docker engine runs on our machines: the files are checked and the image's command is run
  // outside a container there, not `docker compose` itself.
  { pattern: /^docker compose (up --build -d|down)$/, by: 'test/integration/deployment/container-files.test.ts' },
  { pattern: /^docker compose --profile observability up$/, by: 'test/unit/observability/shipped-monitoring.test.ts' },
  { pattern: /^promtool test rules deploy\/prometheus\/alerts\.test\.yml$/, by: 'test/unit/observability/shipped-monitoring.test.ts' },
  { pattern: /^OTEL_EXPORTER_OTLP_ENDPOINT=\S+ OTEL_SERVICE_NAME=jobscheduler npm start$/, by: 'test/integration/tracing/trace-to-handler.test.ts' },
  { pattern: /^npm run test:chaos -- --duration 10m/, by: 'test/reliability/chaos.test.ts' },
  // A comparison of this checkout with itself, the same code path with another base directory.
  { pattern: /^npm run bench -- --compare /, by: 'test/integration/bench/compare.test.ts' },
  // The benchmark and the long runs are the same programs that npm test runs briefly.
  { pattern: /^(npm run bench\b|make bench$)/, by: 'scripts/test.mjs' },
  { pattern: /^npm run test:endurance -- --duration/, by: 'test/reliability/endurance.test.ts' },
  { pattern: /^npm run test:fuzz -- --cases/, by: 'test/reliability/fuzz.test.ts' },
  { pattern: /^DATABASE_URL=\S+ node dist\/src\/adapters\/pg\/migrate-cli\.js (status|up|down)\b/, by: 'test/integration/persistence/migrate-cli.test.ts' },
  { pattern: /^openssl rand -base64 48 > \/run\/secrets\//, by: 'test/integration/security/startup.test.ts' },
  { pattern: /^(AUTH_|TLS_)\w+=\S+ .*npm start$/, by: 'test/integration/security/startup.test.ts' },
];

/**
 * What a documented call answers against the docs' own fixture when that is not OK, and why. Each
 * is an error the page itself documents for that call.
 */
const EXPECTED_ERRORS: { pattern: RegExp; code: string; why: string }[] = [
  { pattern: /"pageToken":"eyJwIjp7…"/, code: 'invalid_argument', why: 'the page token of an earlier answer, shortened on the page' },
  { pattern: /"cursor":"8841:1207:1"/, code: 'invalid_argument', why: 'the cursor of an event seen earlier; this log has not reached it' },
  { pattern: /JobSchedulerService\/RetryJob/, code: 'failed_precondition', why: "RetryJob restarts a FAILED one-shot; the docs' job is a cron job" },
];

/** What the docs say happened before a call, when that is more than the fixture. */
const GIVEN: { pattern: RegExp; prepare: (server: TestServer) => Promise<unknown> }[] = [
  { pattern: /JobSchedulerService\/ResumeJob/, prepare: (server) => server.scheduler.pauseJob({ id: DOC_JOB }) },
];

const STREAMS = /\/(WatchExecutions|AcquireExecutions|Work)\b/;

interface Outcome {
  code: string;
  output: string;
}

describe('every command in README.md and docs/ works as printed', function () {
  this.timeout(300_000);
  let server: TestServer;
  let bin: string;

  before(async () => {
    server = await startTestServer();
    bin = mkdtempSync(join(tmpdir(), 'jobscheduler-docs-'));
    const shim = join(bin, 'grpcurl');
    writeFileSync(shim, `#!/bin/sh\nexec node ${JSON.stringify(join(distRoot, 'test', 'support', 'grpcurl-shim.js'))} "$@"\n`);
    chmodSync(shim, 0o755);
  });
  after(async () => {
    rmSync(bin, { recursive: true, force: true });
    await server?.stop();
  });

  /**
   * The state the docs' examples talk about: the "nightly crawl" job of CreateJob's example under
   * the id they print (at version 1, as UpdateJob's example expects), and for the calls that name
   * it, a running execution of worker crawler-7f9c:4242 under the id and lease token they print.
   */
  async function docsFixture(withExecution: boolean): Promise<void> {
    const pool = server.database.pool(1);
    try {
      await pool.query('TRUNCATE jobs CASCADE');
      const { job } = await server.scheduler.createJob({
        requestId: '5d7c0d8e-2b1f-4f55-9b6e-3f1a2c4d5e6f',
        job: {
          name: 'nightly crawl',
          type: 'crawler.fetch',
          payload: { url: 'https://example.com', depth: 2 },
          schedule: { kind: { case: 'cron', value: { expression: '0 3 * * *', timeZone: 'Europe/Berlin' } } },
          retryPolicy: { maxRetries: 5, initialBackoff: { seconds: 30n } },
          attemptTimeout: { seconds: 600n },
          labels: { team: 'search' },
        },
      });
      await pool.query('UPDATE jobs SET id = $1 WHERE id = $2', [DOC_JOB, job!.id]);
      if (!withExecution) return;
      await server.scheduler.runJob({ id: DOC_JOB });
      const { executions } = await server.worker.acquireExecutions({ workerId: DOC_WORKER, jobTypes: ['crawler.fetch'], capacity: 1 });
      expect(executions, 'the fixture execution').to.have.length(1);
      await pool.query('UPDATE executions SET id = $1, lease_token = $2 WHERE id = $3', [DOC_EXECUTION, DOC_LEASE_TOKEN, executions[0]!.execution!.id]);
    } finally {
      await pool.end();
    }
  }

  /**
   * Runs one command in bash from the repository root, against the test server; $JOB and
   * $EXECUTION, which the HTTP examples use, are the docs' job and execution.
   */
  function run(command: DocCommand): Promise<Outcome> {
    // `npm run test:contract` builds first; the suite is built already, and rebuilding dist/ under
    // the running tests would change the files they load.
    const text = [...command.assignments, command.text]
      .join('\n')
      .replaceAll(DOCS_ADDRESS, server.address)
      .replaceAll(DOCS_HTTP, server.runtime.httpAddress!)
      .replace(/^npm run test:contract -- /, 'node scripts/test-contract.mjs ');
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', text], { cwd: root, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, JOB: DOC_JOB, EXECUTION: DOC_EXECUTION }, detached: true });
      let output = '';
      let stopped = false;
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      // A stream (WatchExecutions, a Work session, a long poll) does not end by itself: still
      // open and quiet after a while is a stream that works.
      const streaming = setTimeout(
        () => {
          stopped = true;
          process.kill(-child.pid!, 'SIGTERM');
        },
        STREAMS.test(text) ? 4_000 : 600_000,
      );
      child.on('close', (exit) => {
        clearTimeout(streaming);
        const error = /"code":\s*"([a-z_]+)"/.exec(output);
        if (stopped && (!error || error[1] === 'canceled')) resolve({ code: 'ok', output });
        else if (error) resolve({ code: error[1]!, output });
        else if (exit === 0) resolve({ code: 'ok', output });
        else resolve({ code: `exit ${exit}`, output });
      });
    });
  }

  // A command printed on several pages is run once.
  const commands = documentedCommands(root).filter((command, index, all) => all.findIndex((other) => other.text === command.text && other.assignments.join() === command.assignments.join()) === index);

  it('finds the documented commands', () => {
    expect(commands.length).to.be.greaterThan(30);
  });

  for (const command of commands) {
    const title = `${command.file}:${command.line} ${command.text.slice(0, 90)}`;
    const elsewhere = RUN_ELSEWHERE.find((entry) => entry.pattern.test(command.text));
    const runnable =
      (command.text.includes(DOCS_ADDRESS) && /\b(grpcurl|buf curl|npm run test:contract)\b/.test(command.text)) ||
      (command.text.includes(DOCS_HTTP) && /\bcurl /.test(command.text));
    if (runnable) {
      it(title, async () => {
        await docsFixture(command.text.includes(DOC_EXECUTION) || command.text.includes('$EXECUTION'));
        for (const given of GIVEN.filter((entry) => entry.pattern.test(command.text))) await given.prepare(server);
        const outcome = await run(command);
        const expected = EXPECTED_ERRORS.find((entry) => entry.pattern.test(command.text));
        expect(outcome.code, outcome.output).to.equal(expected?.code ?? 'ok');
        // The remote contract run must have run the suite, not only exited 0.
        if (command.text.includes('test:contract')) expect(outcome.output, outcome.output.slice(-3000)).to.match(/\b[1-9]\d* passing\b/).and.not.match(/\bfailing\b/);
      });
    } else {
      it(`${title} (run by ${elsewhere?.by ?? 'nothing'})`, () => {
        expect(elsewhere, `no test runs this documented command; run it here or list the test that does`).to.not.equal(undefined);
        expect(existsSync(join(root, elsewhere!.by)), elsewhere!.by).to.equal(true);
      });
    }
  }
});
