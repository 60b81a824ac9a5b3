import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { generate } from 'selfsigned';

/** A 32-byte HS256 secret, as AUTH_JWT_SECRET takes it. */
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const TEST_AUDIENCE = 'jobscheduler';
export const TEST_ISSUER = 'https://issuer.test';

export interface TokenOptions {
  secret?: string | Uint8Array | CryptoKey;
  alg?: string;
  kid?: string;
  sub?: string | undefined;
  roles?: unknown;
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number | undefined;
  notBefore?: number;
  claims?: JWTPayload;
}

/** Signs a token with jose; defaults match the server env of `authEnv()`. */
export async function mintToken(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { ...options.claims };
  if (options.roles !== undefined) claims.roles = options.roles as string[];
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuedAt(now)
    .setAudience(options.audience ?? TEST_AUDIENCE)
    .setIssuer(options.issuer ?? TEST_ISSUER);
  if ('sub' in options ? options.sub !== undefined : true) jwt = jwt.setSubject(options.sub ?? 'alice');
  if ('expiresIn' in options ? options.expiresIn !== undefined : true) jwt = jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(now + options.notBefore);
  const key = options.secret ?? TEST_SECRET;
  return jwt.sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
}

/** Server environment for HS256 with the test secret, issuer and audience. */
export function authEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AUTH_JWT_SECRET: TEST_SECRET, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, ...extra };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** An asymmetric key pair with its public JWK (kid set), for JWKS tests. */
export async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A scratch directory for key and certificate files, removed by cleanup(). */
export class TempFiles {
  readonly dir = mkdtempSync(join(tmpdir(), 'jobscheduler-security-'));

  write(name: string, content: string | Buffer): string {
    const path = join(this.dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Pem {
  cert: string;
  key: string;
}

/**
 * A small PKI made by the test itself (selfsigned: pure npm, no openssl binary): a CA, a server
 * certificate for localhost and 127.0.0.1, a client certificate, and a second CA with its own
 * client certificate that the server must not trust.
 */
export interface TestPki {
  ca: Pem;
  server: Pem;
  client: Pem;
  otherCa: Pem;
  otherClient: Pem;
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await certificateAuthority('JobScheduler Test CA');
  const otherCa = await certificateAuthority('Some Other CA');
  return {
    ca,
    server: await leaf('localhost', ca, { serverAuth: true }, [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }]),
    client: await leaf('worker-7', ca, { clientAuth: true }),
    otherCa,
    otherClient: await leaf('worker-7', otherCa, { clientAuth: true }),
  };
}

async function certificateAuthority(name: string): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function leaf(
  commonName: string,
  ca: Pem,
  usage: { serverAuth?: boolean; clientAuth?: boolean },
  altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [],
): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', ...usage },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The status code of a rejected call, or OK; for tables of expected codes. */
export async function codeOf(call: Promise<unknown>): Promise<{ code: status; details: string }> {
  try {
    await call;
    return { code: status.OK, details: '' };
  } catch (error) {
    const failure = error as ServiceError;
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, details: failure.details };
  }
}
