/**
 * The dashboard's API client: Connect unary calls as JSON POSTs and WatchExecutions as a Connect
 * stream, to the port that served the page. The bearer token lives in sessionStorage only, so it
 * leaves with the tab.
 */

export class RpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SERVICE = 'jobscheduler.v1.JobSchedulerService';
const TOKEN_KEY = 'jobscheduler.token';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(contentType: string): Record<string, string> {
  const current = token();
  return { 'content-type': contentType, 'connect-protocol-version': '1', ...(current ? { authorization: `Bearer ${current}` } : {}) };
}

// The API's JSON is the protobuf JSON mapping; each page reads the fields it shows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A unary call to `service` (JobSchedulerService unless named: the webhook page reads WebhookService). */
export async function call(method: string, request: object = {}, service = SERVICE): Promise<Json> {
  let response: Response;
  try {
    response = await fetch(`/${service}/${method}`, { method: 'POST', headers: headers('application/json'), body: JSON.stringify(request) });
  } catch {
    throw new RpcError('unavailable', 'the service cannot be reached; is it running?');
  }
  const body = (await response.json().catch(() => ({}))) as Json;
  if (!response.ok) throw new RpcError(body.code ?? 'unknown', body.message ?? `HTTP ${response.status}`);
  return body;
}

/**
 * Reads WatchExecutions until the signal aborts: each event goes to onEvent. Resolves when the
 * stream ends (the server's end frame, or the connection dropped), rejects with its error.
 */
export async function watch(request: object, onEvent: (event: Json) => void, signal: AbortSignal): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(request));
  const framed = new Uint8Array(5 + body.length);
  new DataView(framed.buffer).setUint32(1, body.length);
  framed.set(body, 5);
  const response = await fetch(`/${SERVICE}/WatchExecutions`, { method: 'POST', headers: headers('application/connect+json'), body: framed, signal });
  if (!response.ok || !response.body) throw new RpcError('unavailable', `HTTP ${response.status}`);
  const reader = response.body.getReader();
  let buffered = new Uint8Array(0);
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const joined = new Uint8Array(buffered.length + value.length);
    joined.set(buffered);
    joined.set(value, buffered.length);
    buffered = joined;
    while (buffered.length >= 5) {
      const view = new DataView(buffered.buffer, buffered.byteOffset);
      const length = view.getUint32(1);
      if (buffered.length < 5 + length) break;
      const flags = buffered[0] as number;
      const message = JSON.parse(decoder.decode(buffered.subarray(5, 5 + length))) as Json;
      buffered = buffered.subarray(5 + length);
      if (flags & 0x02) {
        if (message.error) throw new RpcError(message.error.code, message.error.message);
        return;
      }
      onEvent(message.event);
    }
  }
}
