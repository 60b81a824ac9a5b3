import { expect } from 'chai';
import { cliOk, spawnCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { TestDatabase } from '../../support/test-database.js';

describe('jobscheduler CLI: executions watch across a server restart', function () {
  this.timeout(60_000);
  it('reconnects by itself and resumes after its last cursor, with the events that happened while it was away', async () => {
    const database = await TestDatabase.create();
    // Two replicas on one database: the watch follows the first; the second records events while the first is down.
    let watched: TestServer | undefined = await startTestServer({ database });
    const other = await startTestServer({ database });
    let restarted: TestServer | undefined;
    const address = watched.address;
    const watch = spawnCli(['executions', 'watch', '--type', 'cli.restart', '--address', address]);
    try {
      const id = (await cliOk(['jobs', 'create', 'restart', '--type', 'cli.restart', '--every', '1d', '--quiet', '--address', address])).trim();
      await eventually(async () => {
        const execution = (await cliOk(['jobs', 'run', id, '--quiet', '--address', address])).trim();
        await eventually(() => expect(watch.stdout()).to.include(execution), 1_000);
      }, 15_000);
      await watched.stop();
      watched = undefined;
      await eventually(() => expect(watch.stderr()).to.match(/watch: the server is unavailable; reconnecting in \d+ ms from cursor \S+/), 10_000);
      const whileAway = (await cliOk(['jobs', 'run', id, '--quiet', '--address', other.address])).trim();
      restarted = await startTestServer({ database, env: { GRPC_PORT: address.split(':').pop() as string } });
      await eventually(() => expect(watch.stdout()).to.match(new RegExp(`queued +${whileAway} `)), 15_000);
      const lines = watch.stdout().trim().split('\n').slice(1);
      expect(new Set(lines).size, 'no event twice').to.equal(lines.length);
      watch.child.kill('SIGINT');
      expect(await watch.exit).to.deep.equal({ code: 0, signal: null });
    } finally {
      watch.child.kill('SIGKILL');
      await watched?.stop();
      await restarted?.stop();
      await other.stop();
      await database.drop();
    }
  });
});
