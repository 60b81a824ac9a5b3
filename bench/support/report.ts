import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileStamp } from './time.js';

export interface ScenarioResult {
  scenario: string;
  /** Figures by name; latencies in ms, rates per second. */
  figures: Record<string, number>;
  configuration: Record<string, unknown>;
  /** Supporting data for the analysis (top statements, database counters), JSON only. */
  details?: Record<string, unknown>;
}

/** Prints one table row per figure and writes the whole run as one JSON document. */
export function report(results: readonly ScenarioResult[], environment: Record<string, unknown>, outDir: string): string {
  const rows = results.flatMap((result) => Object.entries(result.figures).map(([name, value]) => [result.scenario, name, format(value)] as const));
  const widths = [0, 1, 2].map((i) => Math.max(...[['scenario', 'figure', 'value'], ...rows].map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${line(['scenario', 'figure', 'value'])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-${fileStamp()}.json`);
  writeFileSync(file, `${JSON.stringify({ created_at: new Date().toISOString(), ...environment, results }, null, 2)}\n`);
  return file;
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
