import { expect } from 'chai';
import { status } from '@grpc/grpc-js';
import { createJobSchedulerClient, type JobSchedulerClient } from '../../../src/adapters/grpc/client/index.js';
import { bearer, codeOf, mintToken, signingKey, TempFiles, TEST_AUDIENCE, TEST_ISSUER } from '../../support/security.js';
import { SecuredServer } from './secured-server.js';

describe('security: RS256 and ES256 tokens verified against a JWKS file', () => {
  let files: TempFiles;
  let server: SecuredServer;
  let client: JobSchedulerClient;
  let rsa: Awaited<ReturnType<typeof signingKey>>;
  let ec: Awaited<ReturnType<typeof signingKey>>;
  let stranger: Awaited<ReturnType<typeof signingKey>>;

  before(async () => {
    files = new TempFiles();
    [rsa, ec, stranger] = await Promise.all([signingKey('RS256', 'rsa-1'), signingKey('ES256', 'ec-1'), signingKey('RS256', 'rsa-1')]);
    server = await SecuredServer.start({
      AUTH_JWKS_FILE: files.write('jwks.json', JSON.stringify({ keys: [rsa.jwk, ec.jwk] })),
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      AUTH_CLOCK_SKEW: '5s',
    });
    client = createJobSchedulerClient(server.address);
  });
  after(async () => {
    client.close();
    await server.stop();
    files.cleanup();
  });

  const metrics = async (token: string) => codeOf(client.getSchedulerMetrics({}, { metadata: bearer(token), deadline: 5_000 }));
  const reader = { realm_access: { roles: ['reader'] } };

  it('accepts an RS256 token whose roles sit at a dotted claim path', async () => {
    expect(await metrics(await mintToken({ alg: 'RS256', kid: 'rsa-1', secret: rsa.privateKey, claims: reader }))).to.deep.equal({ code: status.OK, details: '' });
  });

  it('accepts an ES256 token with roles as a comma- and space-separated string', async () => {
    const token = await mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, claims: { realm_access: { roles: 'reader, operator' } } });
    const created = await codeOf(client.createJob({ job: { name: 'es256', type: 'jwks.test', schedule: { kind: { case: 'once', value: {} } } } }, { metadata: bearer(token) }));
    expect(created.code).to.equal(status.OK);
  });

  it('says what is wrong with each bad token', async () => {
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['signed by a key with a known kid but not in the set', mintToken({ alg: 'RS256', kid: 'rsa-1', secret: stranger.privateKey, claims: reader }), /^bad token signature$/],
      ['unknown kid', mintToken({ alg: 'RS256', kid: 'rsa-9', secret: stranger.privateKey, claims: reader }), /^no key of AUTH_JWKS_FILE matches the token \(kid "rsa-9"\)$/],
      ['HS256 (algorithm confusion)', mintToken({ alg: 'HS256', secret: 'a-shared-secret-that-the-server-does-not-use', claims: reader }), /^token algorithm "HS256" is not accepted \(expected RS256 or ES256\)$/],
      ['unsigned (alg none)', Promise.resolve(`${b64({ alg: 'none' })}.${b64({ sub: 'x', exp: 4e9, aud: TEST_AUDIENCE, iss: TEST_ISSUER, ...reader })}.`), /^malformed bearer token|not accepted/],
      ['wrong issuer', mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, issuer: 'https://elsewhere', claims: reader }), /^wrong issuer: the token was not issued by "https:\/\/issuer.test"$/],
      ['not yet valid', mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, notBefore: 120, claims: reader }), /^token not valid before \d{4}-/],
      ['expired beyond the skew', mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, expiresIn: -30, claims: reader }), /^token expired at \d{4}-/],
      ['no sub', mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, sub: undefined, claims: reader }), /^token has no sub claim$/],
      ['no exp', mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, expiresIn: undefined, claims: reader }), /^token has no exp claim$/],
      // What a refusal repeats from the token is cut to 100 characters.
      ['a 5,000-character kid', mintToken({ alg: 'RS256', kid: 'k'.repeat(5_000), secret: stranger.privateKey, claims: reader }), /^no key of AUTH_JWKS_FILE matches the token \(kid "k{100}…"\)$/],
      ['a 5,000-character alg', Promise.resolve(`${b64({ alg: 'A'.repeat(5_000) })}.${b64({ sub: 'x', exp: 4e9 })}.c2ln`), /^token algorithm "A{100}…" is not accepted \(expected RS256 or ES256\)$/],
    ];
    const rows: string[] = [];
    for (const [name, token, message] of cases) {
      const { code, details } = await metrics(await token);
      rows.push(`${name}: ${status[code]}${message.test(details) ? '' : ` ${JSON.stringify(details)}`}`);
    }
    expect(rows).to.deep.equal(cases.map(([name]) => `${name}: UNAUTHENTICATED`));
  });

  it('tolerates a token that expired within AUTH_CLOCK_SKEW', async () => {
    expect((await metrics(await mintToken({ alg: 'ES256', kid: 'ec-1', secret: ec.privateKey, expiresIn: -2, claims: reader }))).code).to.equal(status.OK);
  });

  it('refuses a valid token whose roles claim is missing with PERMISSION_DENIED', async () => {
    const { code, details } = await metrics(await mintToken({ alg: 'RS256', kid: 'rsa-1', secret: rsa.privateKey, roles: ['reader'] }));
    expect(status[code]).to.equal('PERMISSION_DENIED');
    expect(details).to.equal('role reader or operator or admin required for GetSchedulerMetrics; "alice" has no role');
  });
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
