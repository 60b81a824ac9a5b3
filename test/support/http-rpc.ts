/** Minimal Connect and gRPC-Web clients over fetch, written from the protocol texts, for testing the HTTP port. */

export interface UnaryAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const SCHEDULER = 'jobscheduler.v1.JobSchedulerService';

/** A Connect unary call with a JSON body. */
export async function connectUnary(base: string, method: string, message: unknown, headers: Record<string, string> = {}, service = SCHEDULER): Promise<UnaryAnswer> {
  const response = await fetch(`${base}/${service}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(message),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export function frame(flags: number, data: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + data.length);
  out[0] = flags;
  out.writeUInt32BE(data.length, 1);
  out.set(data, 5);
  return out;
}

/** Splits an enveloped body into its frames. */
export function frames(body: Buffer): Array<{ flags: number; data: Buffer }> {
  const out: Array<{ flags: number; data: Buffer }> = [];
  let at = 0;
  while (at + 5 <= body.length) {
    const length = body.readUInt32BE(at + 1);
    out.push({ flags: body[at] as number, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/**
 * A Connect server-streaming call with JSON messages: yields each message, and returns the end
 * frame's contents. Reading stops when `until` says so (the call is then aborted).
 */
export async function connectStream(
  base: string,
  method: string,
  message: unknown,
  options: { headers?: Record<string, string>; until?: (message: Record<string, unknown>) => boolean; signal?: AbortSignal } = {},
): Promise<{ status: number; messages: Array<Record<string, unknown>>; end: Record<string, unknown> | undefined }> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort());
  const response = await fetch(`${base}/${SCHEDULER}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/connect+json', ...options.headers },
    body: frame(0, Buffer.from(JSON.stringify(message))),
    signal: controller.signal,
  });
  const messages: Array<Record<string, unknown>> = [];
  let buffered = Buffer.alloc(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered = Buffer.concat([buffered, value]);
      for (;;) {
        if (buffered.length < 5) break;
        const length = buffered.readUInt32BE(1);
        if (buffered.length < 5 + length) break;
        const flags = buffered[0] as number;
        const data = JSON.parse(buffered.subarray(5, 5 + length).toString()) as Record<string, unknown>;
        buffered = buffered.subarray(5 + length);
        if (flags & 0x02) return { status: response.status, messages, end: data };
        messages.push(data);
        if (options.until?.(data)) {
          controller.abort();
          return { status: response.status, messages, end: undefined };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: response.status, messages, end: undefined };
}

/** A gRPC-Web call with a binary message; the messages and the trailer frame's fields. */
export async function grpcWeb(base: string, path: string, request: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; messages: Buffer[]; trailers: Record<string, string> }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', ...headers }, body: frame(0, request) });
  const body = Buffer.from(await response.arrayBuffer());
  const messages: Buffer[] = [];
  const trailers: Record<string, string> = {};
  for (const { flags, data } of frames(body)) {
    if (flags & 0x80) {
      for (const line of data.toString().split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
    } else messages.push(data);
  }
  return { status: response.status, contentType: response.headers.get('content-type'), messages, trailers };
}
