import { status } from '@grpc/grpc-js';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { AuthConfig } from '../../config/security-config.js';
import { GrpcError } from '../status-table.js';
import { shortened } from '../../../domain/text.js';
import { ROLES, type Principal, type Role } from './principal.js';

type KeyInput = Parameters<typeof jwtVerify>[1];

/**
 * Verifies bearer tokens with jose: signature (HS256 with the shared secret, or RS256/ES256 with
 * the JWKS), exp and nbf with the configured clock skew, iss and aud when configured; exp and sub
 * are required, sub as a string that is not blank. A failure is UNAUTHENTICATED with a message that says what is wrong and never
 * contains the token.
 */
export class TokenVerifier {
  private readonly key: KeyInput;
  private readonly options: JWTVerifyOptions;

  constructor(private readonly config: AuthConfig) {
    const { keys } = config;
    this.key = keys.kind === 'secret' ? keys.secret : createLocalJWKSet({ keys: keys.keys.map((key) => ({ ...key })) as never });
    this.options = {
      algorithms: keys.kind === 'secret' ? [keys.algorithm] : [...keys.algorithms],
      clockTolerance: config.clockSkewSeconds,
      requiredClaims: ['exp', 'sub'],
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      ...(config.audience === undefined ? {} : { audience: config.audience }),
    };
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as never, this.options));
    } catch (error) {
      throw new GrpcError(status.UNAUTHENTICATED, this.explain(error, token));
    }
    return { subject: subjectOf(payload), roles: rolesOf(claimAt(payload, this.config.rolesClaim)), via: 'jwt' };
  }

  private explain(error: unknown, token: string): string {
    if (!(error instanceof errors.JOSEError)) return 'invalid bearer token';
    if (error instanceof errors.JWTExpired) {
      const exp = error.payload.exp;
      return typeof exp === 'number' ? `token expired at ${isoTime(exp)}` : 'token expired';
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      const { claim, reason, payload } = error;
      if (reason === 'missing') return `token has no ${claim} claim`;
      if (claim === 'aud') return `wrong audience: the token is not for ${JSON.stringify(this.config.audience)}`;
      if (claim === 'iss') return `wrong issuer: the token was not issued by ${JSON.stringify(this.config.issuer)}`;
      if (claim === 'nbf' && typeof payload.nbf === 'number') return `token not valid before ${isoTime(payload.nbf)}`;
      return `token claim ${claim} is invalid (${reason})`;
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad token signature';
    if (error instanceof errors.JOSEAlgNotAllowed) {
      return `token algorithm ${JSON.stringify(echoed(headerOf(token).alg) ?? '?')} is not accepted (expected ${(this.options.algorithms ?? []).join(' or ')})`;
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      const kid = echoed(headerOf(token).kid);
      return `no key of ${this.config.keys.source} matches the token${kid === undefined ? '' : ` (kid ${JSON.stringify(kid)})`}`;
    }
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return `malformed bearer token: ${shortened(error.message)}`;
    return `invalid bearer token (${error.code})`;
  }
}

/**
 * The caller's name from `sub`. jose checks only that the claim is present; an empty or
 * non-string one would leave the audit log naming nobody, so it is refused like a missing one.
 */
function subjectOf(payload: JWTPayload): string {
  const { sub } = payload;
  if (typeof sub !== 'string') throw new GrpcError(status.UNAUTHENTICATED, 'token sub claim is not a string: it must name the caller');
  if (sub.trim() === '') throw new GrpcError(status.UNAUTHENTICATED, 'token has an empty sub claim: it must name the caller');
  return sub;
}

/** The roles in a claim holding an array of names or one space- or comma-separated string. Unknown names are ignored. */
export function rolesOf(value: unknown): Set<Role> {
  const names = Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return new Set(ROLES.filter((role) => names.includes(role)));
}

/** A claim by name, or by dotted path into nested objects (realm_access.roles) when no claim has the whole name. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A header value as a refusal repeats it: cut to size, since the token is the caller's to make as long as it likes. */
function echoed(value: unknown): string | undefined {
  return typeof value === 'string' ? shortened(value) : undefined;
}

function headerOf(token: string): { alg?: unknown; kid?: unknown } {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return {};
  }
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}
