import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/adapters/config/config.js';
import { isLoopback } from '../../../src/adapters/config/security-config.js';
import { createTestPki, signingKey, TempFiles, TEST_SECRET, type TestPki } from '../../support/security.js';

describe('security configuration', () => {
  let files: TempFiles;
  let pki: TestPki;
  before(async () => {
    files = new TempFiles();
    pki = await createTestPki();
  });
  after(() => files.cleanup());

  it('defaults to no authentication, plaintext, public reflection, 4 MiB messages and 100 streams, on loopback', () => {
    expect(loadConfig({}).security).to.deep.equal({
      auth: undefined,
      reflection: 'public',
      tls: undefined,
      allowInsecure: false,
      transport: { maxReceiveBytes: 4 * 1024 * 1024, maxConcurrentStreams: 100 },
    });
  });

  it('turns authentication on with a secret, and reads issuer, audience, skew and roles claim', () => {
    const { auth } = loadConfig({ AUTH_JWT_SECRET: TEST_SECRET, AUTH_ISSUER: 'iss', AUTH_AUDIENCE: 'aud', AUTH_CLOCK_SKEW: '1m', AUTH_ROLES_CLAIM: 'realm_access.roles' }).security;
    expect(auth).to.deep.include({ issuer: 'iss', audience: 'aud', clockSkewSeconds: 60, rolesClaim: 'realm_access.roles' });
    expect(auth?.keys).to.deep.include({ kind: 'secret', algorithm: 'HS256', source: 'AUTH_JWT_SECRET' });
    expect(loadConfig({ AUTH_JWT_SECRET: TEST_SECRET }).security.auth).to.deep.include({ issuer: undefined, audience: undefined, clockSkewSeconds: 30, rolesClaim: 'roles' });
  });

  it('reads the secret from AUTH_JWT_SECRET_FILE without its trailing newline', () => {
    const { auth } = loadConfig({ AUTH_JWT_SECRET_FILE: files.write('secret', `${TEST_SECRET}\n`) }).security;
    expect(Buffer.from((auth?.keys as { secret: Uint8Array }).secret).toString()).to.equal(TEST_SECRET);
  });

  it('reads RS256 and ES256 public keys from AUTH_JWKS_FILE', async () => {
    const keys = [(await signingKey('RS256', 'r')).jwk, (await signingKey('ES256', 'e')).jwk];
    const { auth } = loadConfig({ AUTH_JWKS_FILE: files.write('jwks.json', JSON.stringify({ keys })) }).security;
    expect(auth?.keys).to.deep.include({ kind: 'jwks', algorithms: ['RS256', 'ES256'] });
  });

  it('reads TLS and mutual TLS files', () => {
    const tlsEnv = { TLS_CERT_FILE: files.write('s.crt', pki.server.cert), TLS_KEY_FILE: files.write('s.key', pki.server.key) };
    expect(loadConfig(tlsEnv).security.tls).to.deep.include({ clientCa: undefined, cert: Buffer.from(pki.server.cert) });
    expect(loadConfig({ ...tlsEnv, TLS_CLIENT_CA_FILE: files.write('ca.crt', pki.ca.cert) }).security.tls?.clientCa?.toString()).to.equal(pki.ca.cert);
  });

  it('allows a non-loopback address with JWT, with mutual TLS alone, or with ALLOW_INSECURE=true', () => {
    const tlsEnv = { TLS_CERT_FILE: files.write('s.crt', pki.server.cert), TLS_KEY_FILE: files.write('s.key', pki.server.key) };
    expect(() => loadConfig({ GRPC_HOST: '0.0.0.0', AUTH_JWT_SECRET: TEST_SECRET })).not.to.throw();
    expect(() => loadConfig({ GRPC_HOST: '10.0.0.5', ...tlsEnv, TLS_CLIENT_CA_FILE: files.write('ca.crt', pki.ca.cert) })).not.to.throw();
    expect(() => loadConfig({ GRPC_HOST: '::', ALLOW_INSECURE: 'true' })).not.to.throw();
    expect(() => loadConfig({ GRPC_HOST: 'db.internal', ...tlsEnv })).to.throw(ConfigError, /GRPC_HOST="db.internal" is not a loopback address and authentication is off/);
  });

  it('knows loopback addresses', () => {
    const loopback = ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1'];
    const exposed = ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '128.0.0.1', '::2', 'localhost.example.com'];
    expect(loopback.filter((host) => !isLoopback(host))).to.deep.equal([]);
    expect(exposed.filter((host) => isLoopback(host))).to.deep.equal([]);
  });

  const bad: Array<[string, () => Record<string, string>, RegExp]> = [
    ['a short secret, without echoing it', () => ({ AUTH_JWT_SECRET: 'short-secret' }), /^AUTH_JWT_SECRET is not valid: the HS256 secret must be at least 32 bytes, got 12 \(the value is not shown\)$/],
    ['two key sources', () => ({ AUTH_JWT_SECRET: TEST_SECRET, AUTH_JWT_SECRET_FILE: '/x' }), /^AUTH_JWT_SECRET and AUTH_JWT_SECRET_FILE are both set/],
    ['a missing secret file', () => ({ AUTH_JWT_SECRET_FILE: '/nope' }), /^AUTH_JWT_SECRET_FILE="\/nope" cannot be read: ENOENT$/],
    ['a JWKS that is not JSON', () => ({ AUTH_JWKS_FILE: files.write('bad.json', '{') }), /^AUTH_JWKS_FILE=".*bad.json" is not valid: not JSON/],
    ['an empty JWKS', () => ({ AUTH_JWKS_FILE: files.write('empty.json', '{"keys":[]}') }), /expected a JSON Web Key Set/],
    ['an oct key in the JWKS', () => ({ AUTH_JWKS_FILE: files.write('oct.json', '{"keys":[{"kty":"oct","k":"abc"}]}') }), /keys\[0\] has kty "oct"; expected RSA \(RS256\) or EC \(ES256\)/],
    ['a P-384 key', () => ({ AUTH_JWKS_FILE: files.write('p384.json', '{"keys":[{"kty":"EC","crv":"P-384","x":"a","y":"b"}]}') }), /is on curve "P-384"; ES256 needs P-256/],
    ['a broken EC key', () => ({ AUTH_JWKS_FILE: files.write('broken.json', '{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"k1"}]}') }), /keys\[0\] \(kid "k1"\) is not a usable public key/],
    ['an issuer without keys', () => ({ AUTH_ISSUER: 'x' }), /^AUTH_ISSUER is set but authentication is off/],
    ['an odd roles claim', () => ({ AUTH_JWT_SECRET: TEST_SECRET, AUTH_ROLES_CLAIM: 'a..b' }), /^AUTH_ROLES_CLAIM="a..b" is not valid/],
    ['a clock skew over 10 minutes', () => ({ AUTH_JWT_SECRET: TEST_SECRET, AUTH_CLOCK_SKEW: '1h' }), /^AUTH_CLOCK_SKEW="1h" is not valid/],
    ['an unknown reflection mode', () => ({ AUTH_REFLECTION: 'private' }), /^AUTH_REFLECTION="private" is not valid: expected one of public, authenticated$/],
    ['a key without its certificate', () => ({ TLS_KEY_FILE: '/k' }), /^TLS_KEY_FILE is set without TLS_CERT_FILE: TLS needs both$/],
    ['a client CA without a server certificate', () => ({ TLS_CLIENT_CA_FILE: '/ca' }), /^TLS_CLIENT_CA_FILE is set without TLS_CERT_FILE and TLS_KEY_FILE/],
    ['a certificate that does not match its key', () => ({ TLS_CERT_FILE: files.write('a.crt', pki.server.cert), TLS_KEY_FILE: files.write('b.key', pki.client.key) }), /are not a usable certificate and key/],
    ['a client CA that is not PEM', () => ({ TLS_CERT_FILE: files.write('a.crt', pki.server.cert), TLS_KEY_FILE: files.write('a.key', pki.server.key), TLS_CLIENT_CA_FILE: files.write('ca.txt', 'not a certificate') }), /^TLS_CLIENT_CA_FILE=".*ca.txt" is not valid/],
    ['a tiny message limit', () => ({ GRPC_MAX_RECEIVE_BYTES: '100' }), /^GRPC_MAX_RECEIVE_BYTES="100" is not valid: expected a whole number from 1024 to 268435456$/],
    ['zero streams', () => ({ GRPC_MAX_CONCURRENT_STREAMS: '0' }), /^GRPC_MAX_CONCURRENT_STREAMS="0" is not valid/],
    ['ALLOW_INSECURE=maybe', () => ({ ALLOW_INSECURE: 'maybe' }), /^ALLOW_INSECURE="maybe" is not valid: expected true or false$/],
  ];
  for (const [name, env, message] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => loadConfig(env())).to.throw(ConfigError, message);
    });
  }
});
