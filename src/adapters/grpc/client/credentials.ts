import { isIP } from 'node:net';
import {
  credentials as grpcCredentials,
  ChannelCredentials,
  InterceptingCall,
  Metadata,
  status,
  type CallCredentials,
  type ChannelOptions,
  type Interceptor,
} from '@grpc/grpc-js';

/** A bearer token, or a function that returns the current one (called for every call, so it can refresh). */
export type TokenSource = string | (() => string | Promise<string>);

/** PEM text or bytes. */
export type Pem = string | Buffer;

/**
 * How a client reaches a secured server. Pass it where the typed clients take credentials:
 * `createJobSchedulerClient(address, { tls: { ca }, token })`.
 */
export interface ClientSecurity {
  /**
   * true: TLS trusting the system's CAs. An object: `ca` to trust (the server's CA), and `cert`
   * with `key` for mutual TLS; `serverName` when the certificate names another host than the
   * address. Absent or false: plaintext.
   */
  tls?: boolean | { ca?: Pem; cert?: Pem; key?: Pem; serverName?: string };
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: TokenSource;
  /**
   * Over plaintext the token goes through an interceptor (grpc-js refuses call credentials on
   * insecure channels), and only to a loopback address unless this is true.
   */
  allowPlaintextToken?: boolean;
}

/** Call credentials that add the bearer token; combine them with TLS channel credentials. */
export function bearerToken(token: TokenSource): CallCredentials {
  return grpcCredentials.createFromMetadataGenerator((_params, callback) => {
    currentToken(token).then(
      (value) => callback(null, authorization(value)),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  });
}

/**
 * An interceptor that adds the bearer token to every call: for plaintext channels (loopback
 * development, or TLS terminated by a local sidecar), where grpc-js will not send call credentials.
 */
export function bearerTokenInterceptor(token: TokenSource): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        currentToken(token).then(
          (value) => {
            metadata.merge(authorization(value));
            next(metadata, listener);
          },
          (error: unknown) => listener.onReceiveStatus?.({ code: status.UNAUTHENTICATED, details: `no bearer token: ${(error as Error).message ?? String(error)}`, metadata: new Metadata() }),
        );
      },
    });
}

/** The channel credentials and client options a ClientSecurity stands for. */
export function clientSecurity(address: string, security: ClientSecurity, options: ChannelOptions = {}): { credentials: ChannelCredentials; options: ChannelOptions } {
  const tls = security.tls === true ? {} : security.tls || undefined;
  if (tls === undefined) {
    if (security.token === undefined) return { credentials: grpcCredentials.createInsecure(), options };
    if (!security.allowPlaintextToken && !isLoopbackAddress(address)) {
      throw new Error(`refusing to send a bearer token in plaintext to ${address}: use tls, or allowPlaintextToken: true`);
    }
    const interceptors = [...((options.interceptors as Interceptor[] | undefined) ?? []), bearerTokenInterceptor(security.token)];
    return { credentials: grpcCredentials.createInsecure(), options: { ...options, interceptors } };
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new Error('tls.cert and tls.key go together (mutual TLS needs both)');
  const ssl = grpcCredentials.createSsl(bytes(tls.ca), bytes(tls.key), bytes(tls.cert));
  const named = tls.serverName === undefined ? options : { ...options, 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName };
  return {
    credentials: security.token === undefined ? ssl : grpcCredentials.combineChannelCredentials(ssl, bearerToken(security.token)),
    options: named,
  };
}

/** The second argument of the typed client factories: grpc-js credentials as before, or a ClientSecurity. */
export function resolveCredentials(
  address: string,
  security: ChannelCredentials | ClientSecurity | undefined,
  options: ChannelOptions | undefined,
): { credentials: ChannelCredentials | undefined; options: ChannelOptions | undefined } {
  if (security === undefined || security instanceof ChannelCredentials) return { credentials: security, options };
  return clientSecurity(address, security, options);
}

function currentToken(token: TokenSource): Promise<string> {
  return Promise.resolve(typeof token === 'function' ? token() : token).then((value) => {
    if (typeof value !== 'string' || value === '') throw new Error('the token source gave no token');
    return value;
  });
}

function authorization(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

function bytes(pem: Pem | undefined): Buffer | null {
  return pem === undefined ? null : Buffer.isBuffer(pem) ? pem : Buffer.from(pem);
}

/** A grpc-js target on this machine: 127.0.0.0/8, ::1, localhost or a unix socket. */
export function isLoopbackAddress(address: string): boolean {
  if (/^unix(-abstract)?:/.test(address)) return true;
  const target = address.replace(/^(dns|ipv4|ipv6):(\/\/[^/]*\/)?/, '');
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(target);
  const host = (bracketed ? (bracketed[1] as string) : isIP(target) ? target : target.replace(/:\d+$/, '')).toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}
