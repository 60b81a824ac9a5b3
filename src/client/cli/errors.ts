import { status } from '@grpc/grpc-js';

/** Exit codes, as docs/cli.md lists them. */
export const EXIT = {
  ok: 0,
  /** The server answered with an error status (NOT_FOUND, INVALID_ARGUMENT, …), or health is not SERVING. */
  refused: 1,
  /** The command line itself is wrong; nothing was sent. */
  usage: 2,
  /** The server could not be reached, or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED). */
  unreachable: 3,
} as const;

/** A mistake in the command line: reported with the usage hint, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const STATUS_NAMES = new Map<number, string>(Object.entries(status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));

function isServiceError(error: unknown): error is { code: number; details: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number' && 'details' in error;
}

/** One line for stderr and the exit code: `error: NOT_FOUND: job "…" does not exist`. */
export function describeFailure(error: unknown): { line: string; code: number } {
  if (error instanceof UsageError) return { line: `error: ${error.message} (see jobscheduler --help)`, code: EXIT.usage };
  if (isServiceError(error)) {
    const name = STATUS_NAMES.get(error.code) ?? `status ${error.code}`;
    const unreachable = error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED;
    return { line: `error: ${name}: ${error.details || 'no details'}`, code: unreachable ? EXIT.unreachable : EXIT.refused };
  }
  if (error instanceof RangeError || error instanceof TypeError || error instanceof SyntaxError) return { line: `error: ${error.message}`, code: EXIT.usage };
  return { line: `error: ${error instanceof Error ? error.message : String(error)}`, code: EXIT.refused };
}
