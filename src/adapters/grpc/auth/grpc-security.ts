import type { ServerCredentials, ServerOptions } from '@grpc/grpc-js';
import type { Logger } from '../../../application/ports/logger.js';
import { isLoopback, type SecurityConfig } from '../../config/security-config.js';
import { serverCredentials, serverOptions } from '../tls.js';
import { ACCESS_POLICY } from './access-policy.js';
import { auditLog, type AuditHook } from './audit-log.js';
import { CallGuard, type Guard } from './call-guard.js';
import { TokenVerifier } from './token-verifier.js';

export interface GrpcSecurity {
  /** For BindingOptions: runs before every handler of our services. */
  guard: Guard;
  /** For BindingOptions: the audit log. */
  audit: AuditHook;
  /** For GrpcServerOptions. */
  credentials: ServerCredentials;
  serverOptions: ServerOptions;
  /** Set when reflection needs a token (AUTH_REFLECTION=authenticated and authentication on). */
  reflectionGuard: Guard | undefined;
}

/** Everything the gRPC adapter needs from the security configuration; logs the posture once. */
export function grpcSecurity(config: SecurityConfig, host: string, logger: Logger): GrpcSecurity {
  if (ACCESS_POLICY.missing.length > 0) {
    logger.error({ methods: ACCESS_POLICY.missing }, 'RPCs without an entry in the role table are refused to everyone');
  }
  const guard = new CallGuard(config.auth === undefined ? undefined : new TokenVerifier(config.auth));
  logPosture(config, host, logger);
  return {
    guard,
    audit: auditLog(logger),
    credentials: serverCredentials(config.tls),
    serverOptions: serverOptions(config.transport),
    reflectionGuard: config.auth !== undefined && config.reflection === 'authenticated' ? guard : undefined,
  };
}

function logPosture(config: SecurityConfig, host: string, logger: Logger): void {
  const { auth, tls } = config;
  logger.info(
    {
      authentication: auth === undefined ? 'off' : auth.keys.kind === 'secret' ? `jwt ${auth.keys.algorithm}` : `jwt ${auth.keys.algorithms.join('/')} (${auth.keys.keys.length} keys)`,
      transport: tls === undefined ? 'plaintext' : tls.clientCa === undefined ? 'tls' : 'mutual tls',
      reflection: auth === undefined ? 'public' : config.reflection,
      max_receive_bytes: config.transport.maxReceiveBytes,
      max_concurrent_streams: config.transport.maxConcurrentStreams,
    },
    'security settings',
  );
  const exposed = !isLoopback(host);
  if (exposed && auth === undefined && tls?.clientCa === undefined) {
    logger.warn({ host }, 'ALLOW_INSECURE=true: serving unauthenticated callers on a non-loopback address; anyone who reaches the port has full access');
  }
  if (exposed && auth !== undefined && tls === undefined) {
    logger.warn({ host }, 'bearer tokens travel in plaintext: set TLS_CERT_FILE and TLS_KEY_FILE (or terminate TLS in front of this port)');
  }
  if (auth !== undefined && auth.audience === undefined) {
    logger.warn({}, 'AUTH_AUDIENCE is unset: tokens for any audience signed by the configured keys are accepted');
  }
}
