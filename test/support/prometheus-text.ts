/** One sample of a Prometheus text exposition: name, labels, value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text format (version 0.0.4) into samples, enough for tests to look values up. */
export class Exposition {
  readonly samples: readonly Sample[];

  constructor(readonly text: string) {
    this.samples = text.split('\n').flatMap((line) => {
      if (line.startsWith('#') || line.trim() === '') return [];
      const match = LINE.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      return [{ name: match[1] as string, labels, value: Number(match[3]) }];
    });
  }

  /** Samples of a metric whose labels include all of `labels`. */
  find(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The value of exactly one matching sample; undefined if there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.find(name, labels);
    if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
    return found[0]?.value;
  }

  /** The sum over matching samples (0 when none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.find(name, labels).reduce((total, s) => total + s.value, 0);
  }

  /** The HELP/TYPE header of a metric, e.g. "counter". */
  type(name: string): string | undefined {
    return new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(this.text)?.[1];
  }
}

/** GET http://address/path. */
export async function httpGet(address: string, path: string): Promise<{ status: number; body: string; contentType: string | null }> {
  const response = await fetch(`http://${address}${path}`);
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}

export async function scrape(address: string): Promise<Exposition> {
  const { status, body } = await httpGet(address, '/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}: ${body}`);
  return new Exposition(body);
}
