import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../../application/ports/webhook-sender.js';
import type { AddressPolicy } from './address-policy.js';
import { signWebhook } from './signature.js';

/** Host name → its addresses, as the system resolver answers (injectable for tests). */
export type Resolve = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface HttpsSenderOptions {
  readonly policy: AddressPolicy;
  readonly timeoutMs: number;
  /** Redirects followed at most, each target checked like the first; 0 refuses every redirect. */
  readonly maxRedirects: number;
  readonly allowHttp: boolean;
  /** PEM CAs trusted besides the system's (WEBHOOK_CA_FILE). */
  readonly ca?: string;
  readonly resolve?: Resolve;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'JobScheduler-Webhooks/1';

class Refused extends Error {}

/**
 * Sends a signed POST without server-side request forgery: the host is resolved first, every
 * address it resolves to is checked against the policy, and the connection goes to the checked
 * address (the request's lookup answers with it), so DNS cannot answer differently for the
 * connection (no rebinding). A redirect is followed only to a URL that passes the same checks,
 * at most maxRedirects times.
 */
export class HttpsWebhookSender implements WebhookSender {
  private readonly resolve: Resolve;

  constructor(private readonly options: HttpsSenderOptions) {
    this.resolve = options.resolve ?? ((hostname) => dnsLookup(hostname, { all: true, verbatim: true }));
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const timestamp = Math.floor(request.timestamp.getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': request.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(request.secret, request.id, timestamp, request.body),
    };
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let url = request.url;
    try {
      for (let hop = 0; ; hop += 1) {
        const target = await this.checked(url);
        const status = await this.post(target, headers, request.body, signal);
        if (status.code >= 200 && status.code < 300) return { ok: true, status: status.code };
        if (!REDIRECTS.has(status.code)) return { ok: false, status: status.code, error: `the endpoint answered HTTP ${status.code}` };
        if (!status.location) return { ok: false, status: status.code, error: `the endpoint answered HTTP ${status.code} without a Location` };
        if (hop >= this.options.maxRedirects) {
          return { ok: false, status: status.code, error: `the endpoint redirected (HTTP ${status.code}) more than the ${this.options.maxRedirects} redirect(s) WEBHOOK_MAX_REDIRECTS allows` };
        }
        url = new URL(status.location, url).toString();
      }
    } catch (error) {
      if (error instanceof Refused) return { ok: false, status: undefined, error: error.message, refused: true };
      if (signal.aborted) return { ok: false, status: undefined, error: `no answer within ${this.options.timeoutMs} ms (WEBHOOK_TIMEOUT)` };
      const e = error as { code?: string; message?: string };
      return { ok: false, status: undefined, error: `request failed: ${e.code ? `${e.code} ` : ''}${e.message ?? String(error)}`.slice(0, 500) };
    }
  }

  /** The URL, and the one address to connect to, after the policy's checks. */
  private async checked(raw: string): Promise<{ url: URL; address: string; family: number }> {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && !(this.options.allowHttp && url.protocol === 'http:')) throw new Refused(`destination refused: ${url.protocol} URLs are not allowed (${url.origin})`);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await this.resolve(hostname).catch((error: { code?: string }) => {
      throw new Error(`could not resolve ${hostname}: ${error.code ?? String(error)}`);
    });
    if (addresses.length === 0) throw new Error(`could not resolve ${hostname}: no addresses`);
    // Every address is checked, not only the one used: a name that resolves to an internal
    // address among public ones is refused as a whole.
    for (const { address } of addresses) {
      const refusal = this.options.policy.refusal(address);
      if (refusal) throw new Refused(`destination refused: ${hostname} resolves to ${refusal}`);
    }
    const [first] = addresses as [{ address: string; family: number }];
    return { url, address: first.address, family: first.family };
  }

  private post(target: { url: URL; address: string; family: number }, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<{ code: number; location: string | undefined }> {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const transport = target.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        target.url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          agent: false,
          signal,
          ...(target.url.protocol === 'https:' && this.options.ca ? { ca: this.options.ca } : {}),
        },
        (res) => {
          // The body is not needed; read (and drop) it so the connection closes cleanly.
          res.resume();
          res.on('end', () => resolve({ code: res.statusCode ?? 0, location: res.headers.location }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
