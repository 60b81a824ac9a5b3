import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { EnvReader } from './config.js';

/** Who may call, over what transport, and how much a caller may send. */
export interface SecurityConfig {
  /** Unset: no token is asked for (loopback development, or mTLS alone). */
  auth: AuthConfig | undefined;
  /** public: reflection answers without a token; authenticated: any valid token (no role needed). */
  reflection: 'public' | 'authenticated';
  /** Unset: plaintext. */
  tls: TlsConfig | undefined;
  /** Listening on a non-loopback address without authentication was explicitly accepted. */
  allowInsecure: boolean;
  transport: {
    /** grpc.max_receive_message_length: larger messages fail with RESOURCE_EXHAUSTED. */
    maxReceiveBytes: number;
    /** grpc.max_concurrent_streams: calls in flight on one HTTP/2 connection. */
    maxConcurrentStreams: number;
  };
}

export type JwtKeys =
  | { kind: 'secret'; algorithm: 'HS256'; secret: Uint8Array; source: string }
  | { kind: 'jwks'; algorithms: readonly AsymmetricAlgorithm[]; keys: readonly JsonWebKey[]; source: string };

export type AsymmetricAlgorithm = 'RS256' | 'ES256';
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256'];

export interface AuthConfig {
  keys: JwtKeys;
  /** Checked against `iss` when set. */
  issuer: string | undefined;
  /** Checked against `aud` when set. */
  audience: string | undefined;
  clockSkewSeconds: number;
  /** Claim holding the roles; a dotted path reaches into objects (realm_access.roles). */
  rolesClaim: string;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** Set: mutual TLS, client certificates required and verified against these CAs. */
  clientCaFile: string | undefined;
  clientCa: Buffer | undefined;
}

/** HS256 needs a key at least as long as its output (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
const REFLECTION_MODES = ['public', 'authenticated'] as const;
const MIB = 1024 * 1024;

/**
 * Reads the security variables. Files (secret, JWKS, certificates) are read and checked here, so
 * an unreadable file, a JWKS with a private or unusable key, or a certificate that does not match
 * its key stops the start with one line naming the variable. The secret itself is never printed.
 * `host` is GRPC_HOST, which decides whether running without authentication is allowed.
 */
export function loadSecurityConfig(read: EnvReader, cwd: string, host: string): SecurityConfig {
  const auth = loadAuth(read, cwd);
  const tls = loadTls(read, cwd);
  const allowInsecure = read.boolean('ALLOW_INSECURE', false);
  const clientsAuthenticated = auth !== undefined || tls?.clientCa !== undefined;
  if (!isLoopback(host) && !clientsAuthenticated && !allowInsecure) {
    read.fail(
      `GRPC_HOST=${JSON.stringify(host)} is not a loopback address and authentication is off: ` +
        'set AUTH_JWT_SECRET, AUTH_JWT_SECRET_FILE, AUTH_JWKS_FILE or TLS_CLIENT_CA_FILE, or ALLOW_INSECURE=true to serve anyone who can reach the port',
    );
  }
  return {
    auth,
    reflection: read.oneOf('AUTH_REFLECTION', REFLECTION_MODES, 'public'),
    tls,
    allowInsecure,
    transport: {
      maxReceiveBytes: read.integer('GRPC_MAX_RECEIVE_BYTES', 4 * MIB, 1024, 256 * MIB),
      maxConcurrentStreams: read.integer('GRPC_MAX_CONCURRENT_STREAMS', 100, 1, 100_000),
    },
  };
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(bare) || /^::ffff:127\./.test(bare);
  return false;
}

function loadAuth(read: EnvReader, cwd: string): AuthConfig | undefined {
  const inlineSecret = read.optionalString('AUTH_JWT_SECRET');
  const secretFile = read.optionalString('AUTH_JWT_SECRET_FILE');
  const jwksFile = read.optionalString('AUTH_JWKS_FILE');
  const given = [inlineSecret && 'AUTH_JWT_SECRET', secretFile && 'AUTH_JWT_SECRET_FILE', jwksFile && 'AUTH_JWKS_FILE'].filter(Boolean);
  if (given.length > 1) read.fail(`${given.join(' and ')} are both set: configure exactly one source of token keys`);
  let keys: JwtKeys;
  if (inlineSecret !== undefined) {
    keys = secretKeys('AUTH_JWT_SECRET', inlineSecret, read);
  } else if (secretFile !== undefined) {
    keys = secretKeys('AUTH_JWT_SECRET_FILE', readText('AUTH_JWT_SECRET_FILE', secretFile, read, cwd).trim(), read);
  } else if (jwksFile !== undefined) {
    keys = jwksKeys(jwksFile, read, cwd);
  } else {
    for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE']) {
      if (read.optionalString(name) !== undefined) read.fail(`${name} is set but authentication is off: set AUTH_JWT_SECRET, AUTH_JWT_SECRET_FILE or AUTH_JWKS_FILE`);
    }
    return undefined;
  }
  const rolesClaim = read.string('AUTH_ROLES_CLAIM', 'roles');
  if (!/^[\w:/.-]{1,200}$/.test(rolesClaim) || rolesClaim.split('.').some((part) => part === '')) {
    read.fail(`AUTH_ROLES_CLAIM=${JSON.stringify(rolesClaim)} is not valid: expected a claim name or a dotted path such as realm_access.roles`);
  }
  return {
    keys,
    issuer: read.optionalString('AUTH_ISSUER'),
    audience: read.optionalString('AUTH_AUDIENCE'),
    clockSkewSeconds: read.duration('AUTH_CLOCK_SKEW', 30_000, 0, 600_000) / 1000,
    rolesClaim,
  };
}

function secretKeys(name: string, secret: string, read: EnvReader): JwtKeys {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    read.fail(`${name} is not valid: the HS256 secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length} (the value is not shown)`);
  }
  return { kind: 'secret', algorithm: 'HS256', secret: bytes, source: name };
}

function jwksKeys(file: string, read: EnvReader, cwd: string): JwtKeys {
  const fail = (problem: string): never => read.fail(`AUTH_JWKS_FILE=${JSON.stringify(file)} is not valid: ${problem}`);
  const text = readText('AUTH_JWKS_FILE', file, read, cwd);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) fail('expected a JSON Web Key Set: {"keys": [...]} with at least one key');
  (keys as unknown[]).forEach((key, i) => {
    const jwk = key as JsonWebKey & { use?: string; alg?: string; kid?: string };
    const which = `keys[${i}]${typeof jwk?.kid === 'string' ? ` (kid ${JSON.stringify(jwk.kid)})` : ''}`;
    if (typeof jwk !== 'object' || jwk === null) fail(`${which} is not an object`);
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') fail(`${which} has kty ${JSON.stringify(jwk.kty)}; expected RSA (RS256) or EC (ES256)`);
    if ('d' in jwk) fail(`${which} contains a private key; the server needs public keys only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') fail(`${which} has use ${JSON.stringify(jwk.use)}; expected sig`);
    if (jwk.kty === 'EC' && jwk.crv !== 'P-256') fail(`${which} is on curve ${JSON.stringify(jwk.crv)}; ES256 needs P-256`);
    const expected = jwk.kty === 'RSA' ? 'RS256' : 'ES256';
    if (jwk.alg !== undefined && jwk.alg !== expected) fail(`${which} has alg ${JSON.stringify(jwk.alg)}; expected ${expected} for kty ${jwk.kty}`);
    let bits: number | undefined;
    try {
      bits = createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
    } catch (error) {
      fail(`${which} is not a usable public key (${(error as Error).message})`);
    }
    if (jwk.kty === 'RSA' && (bits ?? 0) < 2048) fail(`${which} is an RSA key of ${bits} bits; RS256 keys must have at least 2048`);
  });
  return { kind: 'jwks', algorithms: ASYMMETRIC_ALGORITHMS, keys: keys as JsonWebKey[], source: 'AUTH_JWKS_FILE' };
}

function loadTls(read: EnvReader, cwd: string): TlsConfig | undefined {
  const certFile = read.optionalString('TLS_CERT_FILE');
  const keyFile = read.optionalString('TLS_KEY_FILE');
  const clientCaFile = read.optionalString('TLS_CLIENT_CA_FILE');
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined) read.fail('TLS_CLIENT_CA_FILE is set without TLS_CERT_FILE and TLS_KEY_FILE: mutual TLS needs the server certificate too');
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) read.fail(`${certFile === undefined ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'} is set without ${certFile === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'}: TLS needs both`);
  const cert = readBytes('TLS_CERT_FILE', certFile, read, cwd);
  const key = readBytes('TLS_KEY_FILE', keyFile, read, cwd);
  const clientCa = clientCaFile === undefined ? undefined : readBytes('TLS_CLIENT_CA_FILE', clientCaFile, read, cwd);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    read.fail(`TLS_CERT_FILE=${JSON.stringify(certFile)} and TLS_KEY_FILE=${JSON.stringify(keyFile)} are not a usable certificate and key (${(error as Error).message})`);
  }
  if (clientCa !== undefined) {
    try {
      createSecureContext({ ca: clientCa });
    } catch (error) {
      read.fail(`TLS_CLIENT_CA_FILE=${JSON.stringify(clientCaFile)} is not valid: ${(error as Error).message}`);
    }
    if (!clientCa.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) read.fail(`TLS_CLIENT_CA_FILE=${JSON.stringify(clientCaFile)} is not valid: expected PEM certificates`);
  }
  return { certFile, keyFile, cert, key, clientCaFile, clientCa };
}

function readBytes(name: string, file: string, read: EnvReader, cwd: string): Buffer {
  try {
    return readFileSync(isAbsolute(file) ? file : resolve(cwd, file));
  } catch (error) {
    return read.fail(`${name}=${JSON.stringify(file)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readText(name: string, file: string, read: EnvReader, cwd: string): string {
  return readBytes(name, file, read, cwd).toString('utf8');
}
