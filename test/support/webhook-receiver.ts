import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** What a receiver got: one POST. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** How the receiver answers a request: a status (and headers), or never (the request hangs). */
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A test CA and a server certificate for localhost, 127.0.0.1 and 127.0.0.2, made by the test
 * (selfsigned, as test/support/security.ts does); the CA is written to a file for WEBHOOK_CA_FILE.
 */
export async function webhookPki(): Promise<{ caFile: string; cert: string; key: string; cleanup(): void }> {
  const ca = await generate([{ name: 'commonName', value: 'Webhook Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '127.0.0.2' }] },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'jobscheduler-webhooks-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  return { caFile, cert: leaf.cert, key: leaf.private, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A real HTTPS endpoint on a loopback address: records every POST and answers as told per path
 * (default 200), in order, the last answer repeating.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly answers = new Map<string, Answer[]>();
  private readonly hanging = new Set<() => void>();

  private constructor(
    private readonly server: https.Server,
    readonly origin: string,
  ) {}

  static async start(tls: { cert: string; key: string }, host = '127.0.0.1'): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => receiver!.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    receiver = new WebhookReceiver(server, `https://${host}:${(server.address() as AddressInfo).port}`);
    return receiver;
  }

  /** Answers for requests to `path`, in order; the last one repeats. */
  answer(path: string, ...answers: Answer[]): void {
    this.answers.set(path, answers);
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    for (const release of this.hanging) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: import('node:http').IncomingMessage, body: string, res: import('node:http').ServerResponse): void {
    const path = req.url ?? '/';
    this.received.push({ path, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
    const queue = this.answers.get(path) ?? [{ status: 200 }];
    const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
    if (answer === 'hang') {
      const release = () => res.destroy();
      this.hanging.add(release);
      return;
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end('ok');
  }
}

/** Writes the docs' receiver check to a module file and imports it (the test runs the code the docs print). */
export async function documentedReceiverCheck(apiDoc: string, dir: string): Promise<(secret: string, headers: Record<string, string>, body: string, nowSeconds?: number) => boolean> {
  const match = /<!-- webhook-receiver-check -->\s*```js\n([\s\S]*?)```/.exec(apiDoc);
  if (!match) throw new Error('docs/api.md has no ```js block after <!-- webhook-receiver-check -->');
  const file = join(dir, `verify-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, match[1]!);
  const module = (await import(file)) as { verifyWebhook: (secret: string, headers: Record<string, string>, body: string, nowSeconds?: number) => boolean };
  return module.verifyWebhook;
}
