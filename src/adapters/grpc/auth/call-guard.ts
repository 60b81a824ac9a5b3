import type { PeerCertificate } from 'node:tls';
import { status, type Metadata } from '@grpc/grpc-js';
import { GrpcError } from '../status-table.js';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.js';
import { quoted } from '../../../domain/text.js';
import { grants, rolesGranting, type Principal, type Role } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

/** What the transport tells about a caller before any handler runs. */
export interface Caller {
  metadata: Metadata;
  peer: string;
  /** The verified client certificate, under mutual TLS. */
  peerCertificate?: PeerCertificate | undefined;
}

/**
 * The two steps service-binding.ts runs before every handler. authenticate establishes who calls
 * (UNAUTHENTICATED when it cannot); authorize checks the role table (PERMISSION_DENIED, also for a
 * method the table does not know).
 */
export interface Guard {
  authenticate(caller: Caller): Promise<Principal>;
  authorize(method: string, principal: Principal): void;
}

const EVERY_ROLE: ReadonlySet<Role> = new Set<Role>(['admin']);
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/**
 * With a TokenVerifier every call needs a valid bearer token. Without one (authentication off:
 * loopback development, or mutual TLS alone) every caller is admin, named after its client
 * certificate when it has one; the role table still refuses methods it does not know.
 */
export class CallGuard implements Guard {
  constructor(
    private readonly verifier: TokenVerifier | undefined,
    private readonly policy: AccessPolicy = ACCESS_POLICY,
  ) {}

  async authenticate(caller: Caller): Promise<Principal> {
    if (this.verifier === undefined) {
      const subject = certificateSubject(caller.peerCertificate);
      return subject === undefined ? { subject: 'anonymous', roles: EVERY_ROLE, via: 'none' } : { subject, roles: EVERY_ROLE, via: 'client-certificate' };
    }
    return this.verifier.verify(bearerToken(caller.metadata));
  }

  authorize(method: string, principal: Principal): void {
    const rule = this.policy.ruleFor(method);
    const name = method.slice(method.lastIndexOf('/') + 1);
    if (rule === undefined) throw new GrpcError(status.PERMISSION_DENIED, `${method} has no entry in the role table, so it is refused`);
    if (grants(principal.roles, rule.role)) return;
    const held = principal.roles.size === 0 ? 'no role' : `only ${[...principal.roles].join(', ')}`;
    throw new GrpcError(status.PERMISSION_DENIED, `role ${rolesGranting(rule.role).join(' or ')} required for ${name}; ${quoted(principal.subject)} has ${held}`);
  }
}

/** The token of the one `authorization: Bearer <token>` header; UNAUTHENTICATED otherwise. */
export function bearerToken(metadata: Metadata): string {
  const values = metadata.get('authorization');
  if (values.length === 0) throw new GrpcError(status.UNAUTHENTICATED, 'missing bearer token: send metadata "authorization: Bearer <token>"');
  if (values.length > 1) throw new GrpcError(status.UNAUTHENTICATED, 'several authorization headers: send exactly one');
  const value = values[0];
  const match = typeof value === 'string' ? BEARER.exec(value) : null;
  if (!match) throw new GrpcError(status.UNAUTHENTICATED, 'malformed authorization header: expected "Bearer <token>"');
  return match[1] as string;
}

function certificateSubject(certificate: PeerCertificate | undefined): string | undefined {
  const subject = certificate?.subject;
  if (!subject) return undefined;
  const cn = Array.isArray(subject.CN) ? subject.CN[0] : subject.CN;
  return cn ? `CN=${cn}` : Object.entries(subject).map(([key, value]) => `${key}=${String(value)}`).join(',') || undefined;
}
