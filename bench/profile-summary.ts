import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * node dist/bench/profile-summary.js FILE.cpuprofile [--top N]
 * Summarises a V8 CPU profile (node --cpu-prof, or bench --profile): self time by area (our
 * src/ layers, pg, grpc-js, protobuf-es, pino, prom-client, node internals, GC, idle) and the
 * functions with the most self time. Time is from the sample counts, so it is the process's
 * on-CPU time as V8 saw it. A FILE.heapprofile (bench --alloc-profile) is summarised the same
 * way in bytes allocated.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
/** A sampling heap profile: a tree of frames, each with the bytes sampled as allocated there. */
interface HeapNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapNode[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const AREAS: [RegExp, string][] = [
  [/\/src\/domain\//, 'app: domain'],
  [/\/src\/application\//, 'app: application'],
  [/\/src\/adapters\/pg\//, 'app: adapters/pg'],
  [/\/src\/adapters\/grpc\//, 'app: adapters/grpc'],
  [/\/src\/adapters\/metrics\//, 'app: adapters/metrics'],
  [/\/src\/adapters\//, 'app: adapters (other)'],
  [/\/src\/sdk\//, 'app: sdk'],
  [/\/src\/gen\//, 'app: generated'],
  [/\/bench\//, 'bench harness'],
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-\w+|pgpass)\//, 'pg driver'],
  [/node_modules\/@grpc\//, 'grpc-js'],
  [/node_modules\/@bufbuild\//, 'protobuf-es'],
  [/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free|atomic-sleep|safe-stable-stringify)\//, 'pino'],
  [/node_modules\/(prom-client|tdigest|bintrees)\//, 'prom-client'],
  [/node_modules\/(inversify|@inversifyjs)/, 'inversify'],
  [/node_modules\//, 'other packages'],
  [/^node:/, 'node internals'],
];

function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'program (native, unattributed)';
  if (url === '') return 'native / builtins';
  for (const [pattern, name] of AREAS) if (pattern.test(url)) return name;
  return 'other';
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
  const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
  const callersAt = args.indexOf('--callers');
  const callersOf = callersAt >= 0 ? args[callersAt + 1] : undefined;
  for (const file of files.filter((f) => f !== callersOf)) {
    if (file.endsWith('.heapprofile')) {
      summariseAllocations(file, top);
      continue;
    }
    summarise(file, top);
    if (callersOf) callers(file, callersOf, top);
  }
}

/** Bytes allocated by area and by function (self), and by our own functions with their callees. */
function summariseAllocations(file: string, top: number): void {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node: HeapNode, ours: readonly string[]) => {
    const where = node.callFrame.url ? `${basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
    const name = `${node.callFrame.functionName || '(anonymous)'} ${where}`;
    const inOurs = /\/src\//.test(node.callFrame.url) && !ours.includes(name) ? [...ours, name] : ours;
    if (node.selfSize > 0) {
      const area = areaOf({ id: 0, callFrame: node.callFrame });
      total += node.selfSize;
      add(areas, area, node.selfSize);
      add(functions, `${name} [${area}]`, node.selfSize);
      for (const own of inOurs) add(inclusive, own, node.selfSize);
    }
    for (const child of node.children) walk(child, inOurs);
  };
  walk(head, []);
  const mib = (bytes: number) => (bytes / 1_048_576).toFixed(1).padStart(8);
  const pct = (bytes: number) => `${((bytes / total) * 100).toFixed(1).padStart(5)}%`;
  const list = (title: string, map: Map<string, number>) => {
    process.stdout.write(`\n  ${title}\n`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${mib(bytes)} MiB ${pct(bytes)}  ${key}\n`);
  };
  process.stdout.write(`\n${file}\n  allocated (sampled, collected objects included) ${mib(total)} MiB\n`);
  list('by area', areas);
  list(`top ${top} functions by bytes allocated`, functions);
  list(`top ${top} of our functions (src/) by bytes allocated, callees included`, inclusive);
}

/** Where a function's self time comes from: the stacks above it, by their nearest frames. */
function callers(file: string, name: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stacks = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (byId.get(id)?.callFrame.functionName !== name) return;
    const frames: string[] = [];
    for (let at = parent.get(id); at !== undefined && frames.length < 14; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      frames.push(`${f.functionName || '(anon)'}@${basename(f.url)}:${f.lineNumber + 1}`);
    }
    const key = frames.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  process.stdout.write(`\n  callers of ${name}\n`);
  for (const [stack, time] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${(time / 1000).toFixed(0).padStart(7)} ms  ${stack}\n`);
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id)!;
    const area = areaOf(node);
    areas.set(area, (areas.get(area) ?? 0) + time);
    if (area === 'idle') continue;
    const where = node.callFrame.url ? `${basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where} [${area}]`;
    functions.set(key, (functions.get(key) ?? 0) + time);
  }
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  process.stdout.write(`\n${file}\n  wall ${ms(profile.endTime - profile.startTime)} ms, on CPU ${ms(busy)} ms (idle ${ms(idle)} ms)\n\n  self time by area (share of on-CPU time)\n`);
  for (const [area, time] of [...areas].filter(([a]) => a !== 'idle').sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${ms(time)} ms ${pct(time)}  ${area}\n`);
  process.stdout.write(`\n  top ${top} functions by self time\n`);
  for (const [name, time] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${ms(time)} ms ${pct(time)}  ${name}\n`);
  // Inclusive time of our own functions (src/): where a use case's time goes, callees included.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      if (!/\/src\//.test(node.callFrame.url)) continue;
      const key = `${node.callFrame.functionName || '(anonymous)'} ${basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + time);
    }
  }
  process.stdout.write(`\n  top ${top} of our functions (src/) by inclusive time\n`);
  for (const [name, time] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${ms(time)} ms ${pct(time)}  ${name}\n`);
}

main();
