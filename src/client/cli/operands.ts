import { UsageError } from './errors.js';
import type { Context } from './context.js';

/** The command's single operand (an id), or a usage error naming it. */
export function operand(context: Context, name: string): string {
  const [value, ...rest] = context.operands;
  if (value === undefined || value === '') throw new UsageError(`${name} is missing`);
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.map((r) => JSON.stringify(r)).join(' ')} after ${name}`);
  return value;
}

export function noOperands(context: Context): void {
  if (context.operands.length > 0) throw new UsageError(`unexpected ${context.operands.map((r) => JSON.stringify(r)).join(' ')}`);
}

/** A flag's value as `parse` reads it; what `parse` refuses is a usage error naming the flag. */
export function parsedFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

/** "--limit 20": a whole number in range. */
export function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return number;
}

/** "--label team=payments" (repeatable) as a map. */
export function labels(values: string[] | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const pair of values) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--label takes key=value, got ${JSON.stringify(pair)}`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

/** "--payload '{"to":"a@b"}'" or "--payload-file p.json" (- for stdin) as a JSON object. */
export function jsonObject(text: string | undefined, flag: string): Record<string, never> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${flag} is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--${flag} must be a JSON object`);
  return parsed as Record<string, never>;
}
