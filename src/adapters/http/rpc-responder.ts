import type { ServerResponse } from 'node:http';
import { status } from '@grpc/grpc-js';
import { connectCode, envelope, FLAG_CONNECT_END, FLAG_GRPC_WEB_TRAILER, percentEncode, type Protocol } from './rpc-protocols.js';

/** Response headers every API answer carries. */
const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/**
 * Writes one call's answer in its protocol: messages as they come, then the status once. After
 * the status (or after the client went away) everything else is ignored, so a late handler
 * result after a deadline cannot write into a finished response.
 */
export class RpcResponder {
  private finished = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly protocol: Protocol,
  ) {}

  get done(): boolean {
    return this.finished || this.response.destroyed;
  }

  /** Sends one encoded message; false when the client is slow (wait for 'drain'). */
  message(data: Uint8Array): boolean {
    if (this.done) return true;
    if (this.protocol.name === 'connect') {
      // A unary answer: the message is the whole body, and the status is implied.
      this.finished = true;
      this.response.writeHead(200, { ...API_HEADERS, 'content-type': this.protocol.contentType, 'content-length': data.length });
      this.response.end(data);
      return true;
    }
    this.startStream();
    return this.writeFrame(envelope(0, data));
  }

  /** Ends the call with a status; `metadata` holds trailers such as x-correlation-id. */
  finish(code: status, message: string, metadata: Record<string, string> = {}): void {
    if (this.done) return;
    this.finished = true;
    const { name, httpStatus } = connectCode(code);
    switch (this.protocol.name) {
      case 'connect': {
        const body = JSON.stringify({ code: name, message });
        this.response.writeHead(code === status.OK ? 200 : httpStatus, { ...API_HEADERS, ...metadata, 'content-type': 'application/json' });
        this.response.end(body);
        return;
      }
      case 'connect-stream': {
        this.startStream();
        const end = { ...(code === status.OK ? {} : { error: { code: name, message } }), metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, [value]])) };
        this.writeFrame(envelope(FLAG_CONNECT_END, Buffer.from(JSON.stringify(end))));
        this.response.end();
        return;
      }
      default: {
        this.startStream();
        const lines = [`grpc-status: ${code}`, ...(message ? [`grpc-message: ${percentEncode(message)}`] : []), ...Object.entries(metadata).map(([key, value]) => `${key}: ${value}`)];
        this.writeFrame(envelope(FLAG_GRPC_WEB_TRAILER, Buffer.from(`${lines.join('\r\n')}\r\n`)));
        this.response.end();
      }
    }
  }

  private startStream(): void {
    if (this.response.headersSent) return;
    const expose = this.protocol.name === 'connect-stream' ? {} : { 'access-control-expose-headers': 'grpc-status, grpc-message' };
    this.response.writeHead(200, { ...API_HEADERS, ...expose, 'content-type': this.protocol.contentType });
    // Each message goes out at once: a live view waits for it.
    this.response.flushHeaders();
  }

  private writeFrame(frame: Buffer): boolean {
    // grpc-web-text: each frame base64 on its own, which the text decoders accept back to back.
    return this.response.write(this.protocol.name === 'grpc-web-text' ? frame.toString('base64') : frame);
  }
}
