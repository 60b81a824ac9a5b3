import { expect } from 'chai';
import { bufCurl } from '../../support/buf-curl.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const METHOD = 'jobscheduler.v1.JobSchedulerService/PreviewSchedule';

describe('PreviewSchedule through buf curl (reflection, JSON, no local protos)', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('previews an anchored interval', async () => {
    const { stdout, ok } = await bufCurl(server.address, METHOD, {
      schedule: { interval: { every: 6, unit: 'INTERVAL_UNIT_HOURS', anchor: '2026-01-01T00:00:00Z' } },
      count: 4,
      after: '2026-05-05T05:00:00Z',
    });
    expect(ok).to.equal(true);
    expect(JSON.parse(stdout)).to.deep.equal({ fireTimes: ['2026-05-05T06:00:00Z', '2026-05-05T12:00:00Z', '2026-05-05T18:00:00Z', '2026-05-06T00:00:00Z'] });
  });

  it('previews a cron in Europe/Berlin across the spring-forward change: 02:30 does not exist and fires at 03:00', async () => {
    const { stdout, ok } = await bufCurl(server.address, METHOD, {
      schedule: { cron: { expression: '30 2 * * *', timeZone: 'Europe/Berlin' } },
      count: 3,
      after: '2026-03-27T12:00:00Z',
    });
    expect(ok).to.equal(true);
    // 02:30 CET = 01:30Z; on 29 March 02:00–03:00 is skipped (fires 03:00 CEST = 01:00Z); then 02:30 CEST = 00:30Z.
    expect(JSON.parse(stdout)).to.deep.equal({ fireTimes: ['2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z'] });
  });

  it('previews a cron across the fall-back change: the repeated 02:30 fires once', async () => {
    const { stdout } = await bufCurl(server.address, METHOD, {
      schedule: { cron: { expression: '30 2 * * *', timeZone: 'Europe/Berlin' } },
      count: 3,
      after: '2026-10-23T12:00:00Z',
    });
    expect(JSON.parse(stdout)).to.deep.equal({ fireTimes: ['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'] });
  });

  it('answers INVALID_ARGUMENT naming the problem for an invalid expression, an unknown zone and a zero interval', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ schedule: { cron: { expression: '61 * * * *' } } }, /schedule\.cron\.expression "61 \* \* \* \*" is invalid/],
      [{ schedule: { cron: { expression: '0 3 * * *', timeZone: 'Mars/Base' } } }, /schedule\.cron\.time_zone "Mars\/Base" is not a known IANA time zone/],
      [{ schedule: { interval: { every: 0, unit: 'INTERVAL_UNIT_MINUTES' } } }, /schedule\.interval\.every must be at least 1, got 0/],
      [{}, /schedule is required/],
    ];
    for (const [body, message] of cases) {
      const { stderr, ok } = await bufCurl(server.address, METHOD, body);
      expect(ok).to.equal(false);
      const error = JSON.parse(stderr) as { code: string; message: string };
      expect(error.code).to.equal('invalid_argument');
      expect(error.message).to.match(message);
    }
  });

  it('returns the single fire time of a one-shot', async () => {
    const { stdout } = await bufCurl(server.address, METHOD, { schedule: { once: { at: '2030-01-01T00:00:00Z' } }, after: '2029-01-01T00:00:00Z' });
    expect(JSON.parse(stdout)).to.deep.equal({ fireTimes: ['2030-01-01T00:00:00Z'] });
  });
});
