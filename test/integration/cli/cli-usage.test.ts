import { expect } from 'chai';
import { cli, spawnCli } from '../../support/cli.js';

/**
 * The jobscheduler CLI's own checks, before it sends anything: a wrong command line is a usage
 * error (exit 2, one line), help lists the commands, and a closed stdout ends it quietly. The
 * address points nowhere (127.0.0.1:1): a command that reached for the server would show it.
 */
describe('jobscheduler CLI: the command line itself', function () {
  this.timeout(60_000);

  const usage: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['jobs', 'explode'], /^error: unknown command "jobs explode"/],
    ['an unknown option', ['jobs', 'list', '--colour'], /^error: Unknown option '--colour'/],
    ["another command's option", ['jobs', 'get', 'x', '--cron', '* * * * *'], /^error: jobs get does not take --cron/],
    ['a missing operand', ['jobs', 'get'], /^error: JOB_ID is missing/],
    ['two schedules', ['jobs', 'create', 'x', '--type', 't', '--every', '1h', '--now'], /^error: give one schedule: --every and --now together/],
    ['no schedule', ['jobs', 'create', 'x', '--type', 't'], /^error: a schedule is required/],
    ['an interval that is not whole minutes', ['jobs', 'create', 'x', '--type', 't', '--every', '90s'], /^error: an interval is a whole number of minutes/],
    ['a payload that is not JSON', ['jobs', 'create', 'x', '--type', 't', '--now', '--payload', '{nope'], /^error: --payload is not JSON/],
    ['a bad duration', ['health', '--timeout', 'soon'], /^error: "soon" is not a duration/],
    ['an unknown state', ['jobs', 'list', '--state', 'sleeping'], /^error: "sleeping" is not one of pending, scheduled, running, paused, completed, failed, cancelled/],
    ['an update without fields', ['jobs', 'update', 'x'], /^error: nothing to change/],
    ['a webhook without events', ['webhooks', 'create', '--url', 'https://example.com/h'], /^error: --events is missing/],
    ['an unknown webhook event', ['webhooks', 'create', '--url', 'https://example.com/h', '--events', 'finished'], /^error: "finished" is not one of succeeded, failed, attempt-failed, cancelled, overdue/],
    ['a webhook for a job and a type', ['webhooks', 'create', '--url', 'https://example.com/h', '--events', 'failed', '--job', 'j', '--type', 't'], /^error: give --job or --type, not both/],
    ['--quiet without a secret of your own', ['webhooks', 'create', '--url', 'https://example.com/h', '--events', 'failed', '--quiet'], /^error: --quiet prints only the id, so it needs --secret/],
    ['two delivery statuses', ['webhooks', 'deliveries', '--status', 'failed', '--status', 'pending'], /^error: webhooks deliveries takes --status once, got it 2 times/],
    ['two types where a listing filters by one', ['executions', 'list', '--type', 'a', '--type', 'b'], /^error: executions list takes --type once, got it 2 times/],
    ['two types for one job', ['jobs', 'create', 'x', '--type', 'a', '--type', 'b', '--now'], /^error: jobs create takes --type once, got it 2 times/],
    ['a page token across all subscriptions', ['webhooks', 'deliveries', '--page-token', 'x'], /^error: --page-token pages one subscription's log: give --subscription too/],
    ['a window without days', ['jobs', 'create', 'x', '--type', 't', '--now', '--window', '09:00-17:00', '--window-zone', 'UTC'], /^error: --window takes "DAYS HH:MM-HH:MM", such as "Mon-Fri 09:00-17:00"/],
    ['a window on a day that is not one', ['jobs', 'create', 'x', '--type', 't', '--now', '--window', 'Mon-Fry 09:00-17:00', '--window-zone', 'UTC'], /^error: --window "Mon-Fry 09:00-17:00": "Fry" is not a day; use Mon, Tue/],
    ['a window without its zone', ['jobs', 'create', 'x', '--type', 't', '--now', '--window', 'Mon 09:00-17:00'], /^error: --window needs --window-zone ZONE/],
    ['a policy without a window', ['jobs', 'create', 'x', '--type', 't', '--now', '--outside-window', 'skip'], /^error: --outside-window needs at least one --window/],
    ['an unknown window policy', ['jobs', 'create', 'x', '--type', 't', '--now', '--window', 'Mon 09:00-17:00', '--window-zone', 'UTC', '--outside-window', 'later'], /^error: --outside-window: "later" is not one of defer, skip/],
    ['--no-windows with a window', ['jobs', 'update', 'x', '--no-windows', '--window', 'Mon 09:00-17:00'], /^error: --no-windows clears the windows; it does not go with --window/],
    ['an occurrence range that is not a time', ['jobs', 'occurrences', 'x', '--from', 'yesterday'], /^error: --from: "yesterday" is not a time/],
    ['an unknown dependency condition', ['jobs', 'create', 'x', '--type', 't', '--after-upstream', '--depends-on', 'j:sometimes'], /^error: --depends-on: "sometimes" is not one of success, failure, completion/],
    ['an upstream job without its id', ['jobs', 'create', 'x', '--type', 't', '--after-upstream', '--depends-on', ':failure'], /^error: --depends-on takes JOB_ID or JOB_ID:CONDITION, got ":failure"/],
    ['a clock and --after-upstream', ['jobs', 'create', 'x', '--type', 't', '--every', '1h', '--after-upstream', '--depends-on', 'j'], /^error: give one schedule: --after-upstream runs the job after its upstream jobs only/],
    ['--no-depends-on with --depends-on', ['jobs', 'update', 'x', '--no-depends-on', '--depends-on', 'j'], /^error: --no-depends-on clears the upstream jobs; it does not go with --depends-on/],
    ['--no-depends-on when creating', ['jobs', 'create', 'x', '--type', 't', '--now', '--no-depends-on'], /^error: jobs create does not take --no-depends-on/],
  ];
  for (const [name, args, message] of usage) {
    it(`${name} is a usage error: exit 2, one line, nothing sent`, async () => {
      const result = await cli([...args, '--address', '127.0.0.1:1']);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
    });
  }

  it('a reader that stops early (| head) ends it quietly with exit 0, not an EPIPE stack', async () => {
    const run = spawnCli(['--help']);
    run.child.stdout?.destroy(); // closed before the CLI's node has started, so its first write fails
    expect(await run.exit).to.deep.equal({ code: 0, signal: null });
    expect(run.stderr()).to.equal('');
  });

  it('--help lists every command; COMMAND --help its usage', async () => {
    const help = await cli(['--help']);
    expect(help.code).to.equal(0);
    for (const command of ['jobs create', 'jobs list', 'jobs get', 'jobs update', 'jobs delete', 'jobs pause', 'jobs resume', 'jobs cancel', 'jobs run', 'jobs retry', 'jobs occurrences', 'executions list', 'executions get', 'executions cancel', 'executions watch', 'webhooks list', 'webhooks get', 'webhooks deliveries', 'webhooks create', 'webhooks delete', 'stats', 'metrics', 'preview', 'health']) {
      expect(help.stdout).to.match(new RegExp(`^  ${command} `, 'm'));
    }
    const create = await cli(['jobs', 'create', '--help']);
    expect(create.stdout).to.match(/^usage: jobscheduler jobs create NAME --type TYPE/);
  });
});
