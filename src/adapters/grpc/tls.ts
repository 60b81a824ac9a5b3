import { ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import type { SecurityConfig, TlsConfig } from '../config/security-config.js';

/**
 * The listener's credentials: plaintext, TLS with TLS_CERT_FILE/TLS_KEY_FILE, or mutual TLS when
 * TLS_CLIENT_CA_FILE is set (a client must present a certificate that chains to one of those CAs,
 * or the handshake fails before any call).
 */
export function serverCredentials(tls: TlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.clientCa ?? null, [{ private_key: tls.key, cert_chain: tls.cert }], tls.clientCa !== undefined);
}

/**
 * Transport limits against abuse: the largest message a caller may send and calls in flight per
 * connection. Channelz is off: no channelz service is registered to read what it counts, and its
 * bookkeeping ran on every call.
 */
export function serverOptions(transport: SecurityConfig['transport']): ServerOptions {
  return {
    'grpc.max_receive_message_length': transport.maxReceiveBytes,
    'grpc.max_concurrent_streams': transport.maxConcurrentStreams,
    'grpc.enable_channelz': 0,
  };
}
