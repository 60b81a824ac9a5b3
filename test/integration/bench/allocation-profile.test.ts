import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../support/run-command.js';

const SAMPLER = fileURLToPath(new URL('../../../bench/support/allocation-sampler.js', import.meta.url));
const SUMMARY = fileURLToPath(new URL('../../../bench/profile-summary.js', import.meta.url));

/**
 * bench --alloc-profile imports allocation-sampler.js into each service process: what a process
 * allocates, garbage included, must reach the file at exit, and profile-summary.js must read it.
 */
describe('bench --alloc-profile: the allocation sampler and its summary', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobscheduler-alloc-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the garbage a process made, not only what it still holds, and names the function that made it', async () => {
    const file = join(dir, 'churn.heapprofile');
    // About 64 MB of short-lived strings, all collected long before the process ends.
    const script = 'function churn() { let keep = 0; for (let i = 0; i < 400000; i += 1) keep += ("x" + i).repeat(10).length; return keep; } churn();';
    const run = await runCommand(process.execPath, ['--import', SAMPLER, '-e', script], { env: { ...process.env, BENCH_ALLOC_PROFILE: file } });
    expect(run.code, run.stderr).to.equal(0);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: unknown; samples: unknown[] };
    expect(profile.samples.length).to.be.greaterThan(100);
    const summary = await runCommand(process.execPath, [SUMMARY, file, '--top', '5']);
    expect(summary.code, summary.stderr).to.equal(0);
    const allocated = Number(/allocated \(sampled, collected objects included\) +([\d.]+) MiB/.exec(summary.stdout)?.[1]);
    expect(allocated, summary.stdout).to.be.greaterThan(20);
    expect(summary.stdout).to.match(/churn /);
  });

  it('writes nothing and changes nothing without BENCH_ALLOC_PROFILE', async () => {
    const env = { ...process.env };
    delete env.BENCH_ALLOC_PROFILE;
    const run = await runCommand(process.execPath, ['--import', SAMPLER, '-e', 'process.stdout.write("ok")'], { env });
    expect({ code: run.code, stdout: run.stdout }).to.deep.equal({ code: 0, stdout: 'ok' });
  });
});
