import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { DescMethod } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import type { BoundService } from '../grpc/services.js';
import { JsonRequest, methodPath } from '../grpc/service-definition.js';
import { HttpCall, metadataOf } from './http-call.js';
import { protocolOf, singleEnvelope, SUPPORTED_CONTENT_TYPES, type Protocol } from './rpc-protocols.js';
import { RpcResponder } from './rpc-responder.js';

type Implementation = (call: HttpCall, callback?: HttpCall['callback']) => void;

interface Route {
  method: DescMethod;
  implementation: Implementation;
}

/**
 * Serves the bound services over HTTP/1.1 (and HTTP/1.1 over TLS): Connect unary and server
 * streaming, gRPC-Web binary, text and JSON. It only translates framing; each call runs through
 * the same bound implementation the gRPC port registers (see HttpCall).
 */
export class RpcBridge {
  private readonly routes = new Map<string, Route>();

  constructor(
    services: readonly BoundService[],
    /** GRPC_MAX_RECEIVE_BYTES: the same limit as on the gRPC port. */
    private readonly maxReceiveBytes: number,
  ) {
    for (const { service, implementation } of services) {
      for (const method of service.methods) {
        this.routes.set(methodPath(service, method.name), { method, implementation: implementation[method.localName] as unknown as Implementation });
      }
    }
  }

  /** Whether a POST to this path is an RPC (of ours or not: unknown methods get UNIMPLEMENTED, as on the gRPC port). */
  static isRpcPath(path: string): boolean {
    return /^\/[\w.]+\/\w+$/.test(path);
  }

  async serve(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const protocol = protocolOf(request.headers['content-type']);
    if (protocol === undefined) {
      response.writeHead(415, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      response.end(`unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send ${SUPPORTED_CONTENT_TYPES}\n`);
      return;
    }
    const responder = new RpcResponder(response, protocol);
    const route = this.routes.get(path);
    if (route === undefined) {
      request.resume();
      return responder.finish(status.UNIMPLEMENTED, `${path} is not a method of this service; see docs/api.md for the methods`);
    }
    const refusal = refusalOf(route.method, protocol, request);
    if (refusal !== undefined) {
      request.resume();
      return responder.finish(refusal.code, refusal.message);
    }
    const body = await readBody(request, this.maxReceiveBytes);
    if (body === GONE) return;
    if (body === undefined) {
      // Connection: close, as the rest of an oversized body is not read.
      response.shouldKeepAlive = false;
      return responder.finish(status.RESOURCE_EXHAUSTED, `the request is larger than ${this.maxReceiveBytes} bytes, the largest message this service receives (GRPC_MAX_RECEIVE_BYTES)`);
    }
    const message = messageOf(body, protocol);
    if ('problem' in message) return responder.finish(message.code, message.problem);
    const socket = request.socket as TLSSocket;
    const certificate = socket.authorized ? socket.getPeerCertificate() : undefined;
    const call = new HttpCall(message.request, metadataOf(request.headersDistinct), peerOf(request), certificate, responder, route.method.output, protocol.codec);
    response.on('drain', () => call.emit('drain'));
    response.on('close', () => {
      if (response.writableFinished) return;
      call.emit('cancelled');
      // A send waiting for a client that left would wait forever; what it writes now is dropped.
      call.emit('drain');
    });
    const timeoutMs = timeoutOf(request, protocol);
    if (timeoutMs !== undefined) {
      const timer = setTimeout(() => {
        responder.finish(status.DEADLINE_EXCEEDED, `the deadline of ${timeoutMs} ms passed before the call finished`);
        call.emit('cancelled');
      }, timeoutMs);
      response.on('close', () => clearTimeout(timer));
    }
    if (route.method.methodKind === 'unary') route.implementation(call, call.callback);
    else route.implementation(call);
  }
}

function refusalOf(method: DescMethod, protocol: Protocol, request: IncomingMessage): { code: status; message: string } | undefined {
  if (method.methodKind === 'bidi_streaming' || method.methodKind === 'client_streaming') {
    return { code: status.UNIMPLEMENTED, message: `${method.name} streams requests, which HTTP/1.1 cannot carry: call it on the gRPC port (workers there use Work, or AcquireExecutions and CompleteExecution over HTTP)` };
  }
  if (protocol.name === 'connect' && method.methodKind === 'server_streaming') {
    return { code: status.INVALID_ARGUMENT, message: `${method.name} is a server stream: send Content-Type application/connect+json (or +proto) with the request as one enveloped message` };
  }
  if (protocol.name === 'connect-stream' && method.methodKind === 'unary') {
    return { code: status.INVALID_ARGUMENT, message: `${method.name} is unary: send Content-Type application/json (or application/proto) with the request as the body` };
  }
  const version = request.headers['connect-protocol-version'];
  if (version !== undefined && version !== '1') return { code: status.INVALID_ARGUMENT, message: `Connect-Protocol-Version ${JSON.stringify(version)} is not supported: send 1` };
  const encoding = request.headers[protocol.name === 'connect' ? 'content-encoding' : protocol.name === 'connect-stream' ? 'connect-content-encoding' : 'grpc-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return { code: status.UNIMPLEMENTED, message: `compression ${JSON.stringify(encoding)} is not supported: send the request uncompressed` };
  return undefined;
}

/** The client went away before its request arrived in full. */
const GONE = Symbol('gone');

/**
 * The body, or undefined once it passes `limit` bytes. Reading then stops without destroying the
 * request, so the refusal can still be sent (with Connection: close, as the rest is never read).
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined | typeof GONE> {
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.off('data', onData);
      request.pause();
      resolve(undefined);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('close', () => resolve(GONE));
  });
}

function messageOf(body: Buffer, protocol: Protocol): { request: Uint8Array | JsonRequest } | { problem: string; code: status } {
  let data = body;
  if (protocol.name !== 'connect') {
    const framed = singleEnvelope(protocol.name === 'grpc-web-text' ? Buffer.from(body.toString('latin1'), 'base64') : body);
    if ('problem' in framed) return framed;
    data = framed.data;
  }
  return { request: protocol.codec === 'json' ? new JsonRequest(data.toString('utf8')) : new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const GRPC_TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

function timeoutOf(request: IncomingMessage, protocol: Protocol): number | undefined {
  if (protocol.name === 'connect' || protocol.name === 'connect-stream') {
    const value = request.headers['connect-timeout-ms'];
    return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Math.min(Number(value), 2 ** 31 - 1) : undefined;
  }
  const match = GRPC_TIMEOUT.exec(String(request.headers['grpc-timeout'] ?? ''));
  return match ? Math.min(Math.ceil(Number(match[1]) * (GRPC_TIMEOUT_UNIT_MS[match[2] as string] as number)), 2 ** 31 - 1) : undefined;
}

function peerOf(request: IncomingMessage): string {
  const { remoteAddress = 'unknown', remotePort = 0 } = request.socket;
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}
