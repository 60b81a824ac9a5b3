import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cliEnv } from '../../support/cli.js';
import { runCommand } from '../../support/run-command.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..', '..');
const MARK = '<!-- run by test/integration/cli/cli-docs.test.ts -->';

/** The sh blocks that follow the marker, in document order. */
function markedBlocks(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  return text.split(MARK).slice(1).map((rest) => {
    const block = /^\s*```sh\n([\s\S]*?)\n```/.exec(rest);
    if (!block) throw new Error(`${file}: the marker is not followed by a sh block`);
    return block[1] as string;
  });
}

/**
 * The documentation's jobscheduler commands, verbatim, as a person pastes them into a shell in
 * this repository (npx jobscheduler), against a real server named by JOBSCHEDULER_ADDRESS.
 */
describe('the CLI commands in README.md and docs/cli.md work verbatim', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  /**
   * `npx` costs npm's start-up (seconds on a busy machine) per command: README's block goes
   * through the real npx, which proves that `npx jobscheduler` finds the package's bin; the long
   * session in docs/cli.md runs that bin's file directly through a shell function named npx.
   */
  const viaNode = `npx() { [ "$1" = jobscheduler ] && shift && node ${JSON.stringify(join(REPO, 'dist', 'src', 'client', 'cli', 'main.js'))} "$@"; }\n`;
  const cases: Array<[string, string]> = [['README.md', ''], ['docs/cli.md', viaNode]];
  for (const [file, prelude] of cases) {
    it(`${file}: every marked block runs to its end, each command exiting 0`, async () => {
      const blocks = markedBlocks(file);
      expect(blocks, 'marked blocks').to.not.be.empty;
      for (const block of blocks) {
        const result = await runCommand('bash', ['-euo', 'pipefail', '-c', prelude + block], { cwd: REPO, env: cliEnv({ JOBSCHEDULER_ADDRESS: server.address }) });
        expect({ code: result.code, stderr: result.stderr }, `${block}\n--- stdout:\n${result.stdout}`).to.deep.equal({ code: 0, stderr: '' });
      }
    });
  }

  it("the package's bin is the file the session runs", () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin).to.deep.equal({ jobscheduler: 'dist/src/client/cli/main.js' });
  });

  it('docs/cli.md covers every command of the CLI', async () => {
    const help = await runCommand(process.execPath, [join(REPO, 'dist', 'src', 'client', 'cli', 'main.js'), '--help'], { env: cliEnv() });
    const section = help.stdout.split('commands:\n')[1]?.split('\n\n')[0] ?? '';
    const commands = section.split('\n').map((line) => line.trim().split(/ {2,}/)[0] as string);
    expect(commands).to.have.length(24);
    const doc = readFileSync(join(REPO, 'docs', 'cli.md'), 'utf8');
    expect(commands.filter((command) => !doc.includes(`| \`${command}`))).to.deep.equal([]);
  });
});
