import { InterceptingCall, status, type Interceptor } from '@grpc/grpc-js';

/** INTERNAL and UNKNOWN: answers a client should never be given. */
export function isUnexpected(code: number): boolean {
  return code === status.INTERNAL || code === status.UNKNOWN;
}

/** Counts by key, sorted, as "key ×n, key ×n". */
export function describeCounts(counts: Iterable<[string, number]>): string {
  return [...counts]
    .sort()
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ');
}

/**
 * Counts the final status of every call made through a client, by method and code name
 * ("AcquireExecutions UNAVAILABLE"), so a test can assert what clients were told.
 */
export class CallCodes {
  readonly counts = new Map<string, number>();
  /** Details of every INTERNAL or UNKNOWN answer. */
  readonly unexpected: string[] = [];

  readonly interceptor: Interceptor = (options, nextCall) => {
    const method = String(options.method_definition.path).split('/').pop() ?? '?';
    return new InterceptingCall(nextCall(options), {
      start: (metadata, _listener, next) => {
        next(metadata, {
          onReceiveStatus: (received, nextStatus) => {
            this.note(method, received.code, received.details);
            nextStatus(received);
          },
        });
      },
    });
  };

  note(method: string, code: number, details = ''): void {
    const key = `${method} ${status[code] ?? code}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (isUnexpected(code)) this.unexpected.push(`${key}: ${details}`);
  }

  count(code: status): number {
    return [...this.counts].filter(([key]) => key.endsWith(` ${status[code]}`)).reduce((sum, [, n]) => sum + n, 0);
  }

  describe(): string {
    return describeCounts([...this.counts].filter(([key]) => !key.endsWith(' OK')));
  }
}
