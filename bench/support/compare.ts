import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScenarioResult } from './report.js';
import { median } from './stats.js';
import { fileStamp } from './time.js';

/** The options that belong to the comparison itself, not to the runs it makes. */
const OWN_OPTIONS = new Set(['--compare', '--rounds', '--out']);

/** The command line of one run: the caller's options without the comparison's own. */
export function runArguments(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (!OWN_OPTIONS.has(name)) kept.push(arg);
    else if (!arg.includes('=')) i += 1;
  }
  return kept;
}

/** Which side runs first in each round: alternated, so that neither always meets the machine warmer. */
export function roundOrder(rounds: number): ('base' | 'this')[][] {
  return Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? ['base', 'this'] : ['this', 'base']));
}

export interface ComparedFigure {
  scenario: string;
  figure: string;
  base: number[];
  this: number[];
  base_median: number;
  this_median: number;
  /** this_median / base_median − 1; null when the base median is 0. */
  change: number | null;
}

/**
 * Lines up the figures of every run: a scenario that a run reports more than once (burst at two
 * concurrencies) is told apart by its place, as `burst[2]`. A figure missing from some run (an
 * older build that did not report it, or a run that could not take it) is compared over the runs
 * that have it, and left out when one side has none.
 */
export function compareRuns(base: readonly ScenarioResult[][], current: readonly ScenarioResult[][]): ComparedFigure[] {
  const collect = (runs: readonly ScenarioResult[][]) => {
    const values = new Map<string, number[]>();
    for (const results of runs) {
      const total = countBy(results.map((r) => r.scenario));
      const seen = new Map<string, number>();
      for (const result of results) {
        const count = (seen.get(result.scenario) ?? 0) + 1;
        seen.set(result.scenario, count);
        const scenario = total.get(result.scenario)! > 1 ? `${result.scenario}[${count}]` : result.scenario;
        for (const [figure, value] of Object.entries(result.figures)) {
          // A figure a run could not take (NaN, written as null) is not a value to take the median of.
          if (typeof value !== 'number' || !Number.isFinite(value)) continue;
          const key = `${scenario}\u0000${figure}`;
          values.set(key, [...(values.get(key) ?? []), value]);
        }
      }
    }
    return values;
  };
  const baseValues = collect(base);
  const thisValues = collect(current);
  const figures: ComparedFigure[] = [];
  for (const [key, values] of thisValues) {
    const before = baseValues.get(key);
    if (!before) continue;
    const [scenario, figure] = key.split('\u0000') as [string, string];
    const baseMedian = median(before);
    const thisMedian = median(values);
    figures.push({ scenario, figure, base: before, this: values, base_median: baseMedian, this_median: thisMedian, change: baseMedian === 0 ? null : thisMedian / baseMedian - 1 });
  }
  return figures;
}

function countBy(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

export function formatComparison(figures: readonly ComparedFigure[]): string {
  const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));
  const rows = figures.map((f) => [
    f.scenario,
    f.figure,
    number(f.base_median),
    number(f.this_median),
    f.change === null ? '' : `${f.change >= 0 ? '+' : ''}${(f.change * 100).toFixed(1)}%`,
    f.base.map(number).join(' / '),
    f.this.map(number).join(' / '),
  ]);
  const header = ['scenario', 'figure', 'base (median)', 'this (median)', 'change', 'base runs', 'this runs'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const numeric = new Set([2, 3, 4]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface CompareOptions {
  /** A built checkout to compare with (its dist/bench/main.js runs the base side). */
  baseDir: string;
  /** This checkout's dist/bench/main.js. */
  thisMain: string;
  rounds: number;
  /** The options every run gets (scenarios, size, environment). */
  runArgs: readonly string[];
  out: string;
  progress: (line: string) => void;
}

/**
 * Runs the same benchmark on another build and on this one, alternately, each run a process of
 * its own with its own PostgreSQL, and reports the medians side by side: the way every figure in
 * docs/performance.md was taken, made one command.
 */
export async function compareBuilds(options: CompareOptions): Promise<{ file: string; table: string }> {
  const baseMain = join(resolve(options.baseDir), 'dist', 'bench', 'main.js');
  if (!existsSync(baseMain)) throw new Error(`--compare needs a built checkout: ${baseMain} does not exist (run npm ci && npm run build in ${options.baseDir})`);
  // Absolute: the base side runs in its own checkout.
  const dir = resolve(options.out, `compare-${fileStamp()}`);
  const runs = { base: [] as ScenarioResult[][], this: [] as ScenarioResult[][] };
  const order = roundOrder(options.rounds);
  for (const [round, sides] of order.entries()) {
    for (const side of sides) {
      const out = join(dir, `${side}-${round + 1}`);
      mkdirSync(out, { recursive: true });
      options.progress(`round ${round + 1} of ${options.rounds}: ${side} …`);
      const main = side === 'base' ? baseMain : options.thisMain;
      const code = await runChild(main, [...options.runArgs, '--out', out], side === 'base' ? resolve(options.baseDir) : process.cwd());
      if (code !== 0) throw new Error(`the ${side} run of round ${round + 1} failed (exit ${code}); its output is above`);
      runs[side].push(readResults(out));
    }
  }
  const figures = compareRuns(runs.base, runs.this);
  const file = join(dir, 'comparison.json');
  writeFileSync(
    file,
    `${JSON.stringify({ created_at: new Date().toISOString(), base_dir: resolve(options.baseDir), this_dir: process.cwd(), rounds: options.rounds, order, run_arguments: options.runArgs, figures }, null, 2)}\n`,
  );
  return { file, table: formatComparison(figures) };
}

function runChild(main: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    // The run's own table goes to stderr with its progress: stdout is the comparison's.
    const child = spawn(process.execPath, [main, ...args], { cwd, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

function readResults(out: string): ScenarioResult[] {
  const files = readdirSync(out).filter((name) => /^bench-.*\.json$/.test(name));
  if (files.length !== 1) throw new Error(`expected one bench-*.json in ${out}, found ${files.length}`);
  return (JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as { results: ScenarioResult[] }).results;
}
