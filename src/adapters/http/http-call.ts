import { EventEmitter } from 'node:events';
import type { PeerCertificate } from 'node:tls';
import { toBinary, toJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { EncodedMessage, type JsonRequest } from '../grpc/service-definition.js';
import type { Codec } from './rpc-protocols.js';
import type { RpcResponder } from './rpc-responder.js';

/**
 * An HTTP request dressed as the grpc-js server call that service-binding.ts expects (request,
 * metadata, peer, auth context, write/end/'error' for streams, 'cancelled' and 'drain'), so an
 * HTTP call runs through the very same bound implementation as a gRPC call: the guard, decoding
 * after admission, the error table, the log, the metrics and the audit line.
 */
export class HttpCall extends EventEmitter {
  constructor(
    readonly request: Uint8Array | JsonRequest,
    readonly metadata: Metadata,
    private readonly peer: string,
    private readonly certificate: PeerCertificate | undefined,
    private readonly responder: RpcResponder,
    private readonly output: DescMessage,
    private readonly codec: Codec,
  ) {
    super();
  }

  getPeer(): string {
    return this.peer;
  }

  getAuthContext(): { sslPeerCertificate?: PeerCertificate } {
    return this.certificate === undefined ? {} : { sslPeerCertificate: this.certificate };
  }

  /** A stream's message; false asks the binding to wait for 'drain'. */
  write(message: MessageShape<DescMessage> | EncodedMessage): boolean {
    return this.responder.message(this.encode(message));
  }

  end(): void {
    this.responder.finish(status.OK, '');
  }

  /** The unary callback of grpc-js. */
  readonly callback = (error: StatusObject | null, message?: MessageShape<DescMessage> | EncodedMessage): void => {
    if (error) return this.fail(error);
    this.responder.message(this.encode(message as MessageShape<DescMessage> | EncodedMessage));
    // gRPC-Web carries a unary status in its trailer frame; for Connect unary the message was the answer.
    this.responder.finish(status.OK, '');
  };

  /** grpc-js turns a stream's 'error' event into its status; so does this call. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error') {
      this.fail(args[0] as StatusObject);
      return true;
    }
    return super.emit(event, ...args);
  }

  private fail(error: StatusObject): void {
    this.responder.finish(error.code, error.details, trailersOf(error.metadata));
  }

  private encode(message: MessageShape<DescMessage> | EncodedMessage): Uint8Array {
    if (message instanceof EncodedMessage) return this.codec === 'json' ? Buffer.from(toJsonString(this.output, message.message)) : message.encode();
    return this.codec === 'json' ? Buffer.from(toJsonString(this.output, message)) : toBinary(this.output, message);
  }
}

function trailersOf(metadata: Metadata | undefined): Record<string, string> {
  const trailers: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata?.getMap() ?? {})) if (typeof value === 'string') trailers[key] = value;
  return trailers;
}

/** Headers a transport owns; the rest become call metadata, as gRPC's custom metadata would be. */
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-type', 'content-length', 'accept', 'accept-encoding', 'transfer-encoding', 'te', 'keep-alive', 'upgrade', 'origin', 'referer', 'cookie']);

/** The call metadata of an HTTP request: every header but transport and protocol ones; several of one name stay several. */
export function metadataOf(headers: NodeJS.Dict<string[]>): Metadata {
  const metadata = new Metadata();
  for (const [name, values] of Object.entries(headers)) {
    if (values === undefined || TRANSPORT_HEADERS.has(name) || name.startsWith('connect-') || name.startsWith('grpc-') || name.startsWith('sec-')) continue;
    for (const value of values) {
      try {
        if (name.endsWith('-bin')) metadata.add(name, Buffer.from(value, 'base64'));
        else metadata.add(name, value);
      } catch {
        // A header grpc-js would not accept as metadata (its key alphabet is narrower than HTTP's); handlers never read it.
      }
    }
  }
  return metadata;
}
