import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { connectUnary } from '../../support/http-rpc.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/** The curl commands of docs/api.md, between its curl-examples markers. */
function documentedCommands(): string[] {
  const text = readFileSync('docs/api.md', 'utf8');
  const section = text.slice(text.indexOf('<!-- curl-examples:start -->'), text.indexOf('<!-- curl-examples:end -->'));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => (match[1] as string).trim());
}

function bash(command: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('docs/api.md: every curl example works as written', () => {
  let server: TestServer;
  let env: Record<string, string>;
  const commands = documentedCommands();

  before(async () => {
    server = await startTestServer();
    const base = server.httpAddress as string;
    const created = await connectUnary(base, 'CreateJob', { job: { name: 'nightly', type: 'docs.curl', schedule: { cron: { expression: '0 3 * * *' } }, labels: { team: 'billing' } } });
    const job = (created.body.job as { id: string }).id;
    const run = await connectUnary(base, 'RunJob', { id: job });
    env = { JOB: job, EXECUTION: (run.body.execution as { id: string }).id };
  });
  after(async () => server.stop());

  /** The command with only the documented port moved to the test server's. */
  const here = (command: string) => command.replaceAll('127.0.0.1:8080', new URL(server.httpAddress as string).host);

  it('documents one command per read RPC', () => {
    const methods = commands.map((command) => /JobSchedulerService\/(\w+)/.exec(command)?.[1]);
    expect(methods).to.deep.equal(['GetJob', 'ListJobs', 'ListExecutions', 'GetExecution', 'GetJobStats', 'GetSchedulerMetrics', 'GetMetricsHistory', 'PreviewSchedule', 'WatchExecutions']);
  });

  it('each unary command exits 0 and prints the response as JSON', async () => {
    for (const command of commands.filter((text) => !text.includes('WatchExecutions'))) {
      const result = await bash(here(command), env);
      expect(result.code, `${command}\n${result.stdout}${result.stderr}`).to.equal(0);
      const body = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(body, command).to.not.have.property('code');
      if (command.includes('/GetJob ')) expect((body.job as { id: string }).id).to.equal(env.JOB);
      if (command.includes('/ListJobs')) expect((body.jobs as Array<{ id: string }>).map((job) => job.id)).to.deep.equal([env.JOB]);
      if (command.includes('/ListExecutions')) expect((body.executions as Array<{ id: string }>)[0]?.id).to.equal(env.EXECUTION);
      if (command.includes('/PreviewSchedule')) expect(body.fireTimes).to.have.length(3);
      if (command.includes('/GetMetricsHistory')) expect(body.buckets).to.have.length(12);
    }
  });

  it('the WatchExecutions command prints the executions that happen while it runs, then the deadline frame', async () => {
    const command = commands.find((text) => text.includes('WatchExecutions')) as string;
    const watching = bash(here(command), env);
    let finished = false;
    void watching.then(() => (finished = true));
    // Runs until the command's own 5 s deadline ends it; each run is an event it should print.
    while (!finished) {
      await connectUnary(server.httpAddress as string, 'RunJob', { id: env.JOB });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const result = await watching;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('"event":{').and.to.include(env.JOB);
    expect(result.stdout).to.include('"code":"deadline_exceeded"');
  });
});
