import type { QuotaKey } from '../../domain/quota/quota.js';
import type { QuotaClaim } from '../ports/execution-store.js';
import type { EngineObserver } from '../ports/engine-observer.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { WakeUps } from '../ports/wake-ups.js';

/**
 * This replica's knowledge of which job types have quotas, so that claims of the other types
 * (almost always all of them) run as if quotas did not exist. Loaded on first use and again
 * whenever any replica reports a change ("quotas changed" wake-up, or a LISTEN reconnect).
 *
 * Being stale is safe for claims: the plain claim skips a type that has a quota in the database
 * (see AcquireRequest.quotas). The hand-off, which has no statement of its own to check with,
 * is refused for a limited type and while the set is being reloaded.
 */
export class QuotaTypes {
  private types: ReadonlySet<string> | undefined;
  private loading: Promise<ReadonlySet<string>> | undefined;
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    wakeUps: WakeUps,
    private readonly logger: Logger,
  ) {
    this.unsubscribe = wakeUps.onQuotasChanged(() => this.invalidate());
  }

  /** The types with quotas; a statement only after a change. */
  current(): Promise<ReadonlySet<string>> {
    if (this.types) return Promise.resolve(this.types);
    this.loading ??= this.load();
    return this.loading;
  }

  /** The claim's view for one acquisition. */
  async claim(observer: EngineObserver): Promise<QuotaClaim> {
    const limitedTypes = await this.current();
    return { limitedTypes, throttled: (keys: readonly QuotaKey[]) => observer.throttled?.(keys) };
  }

  /** Whether a new execution of `type` may be handed straight to a waiting worker. */
  allowsHandOff(type: string): boolean {
    if (!this.types) {
      void this.current().catch(() => undefined);
      return false;
    }
    return !this.types.has(type);
  }

  /** Whether `type` is known to have a quota. */
  isLimited(type: string): boolean {
    return this.types?.has(type) ?? false;
  }

  invalidate(): void {
    this.generation += 1;
    this.types = undefined;
    this.loading = undefined;
  }

  close(): void {
    this.unsubscribe();
  }

  private async load(): Promise<ReadonlySet<string>> {
    const generation = this.generation;
    try {
      const types = new Set(await this.store.transaction((tx) => tx.quotas.limitedTypes(), { readOnly: true }));
      if (generation === this.generation) this.types = types;
      return types;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read which job types have quotas; claims leave those types waiting until it can');
      if (generation === this.generation) this.loading = undefined;
      // Every type is claimed by the plain claim, which skips types that have a quota: they
      // wait rather than exceed it.
      return new Set();
    }
  }
}

/** QuotaTypes for composition without quotas (unit tests of other parts). */
export const NO_QUOTA_TYPES = {
  claim: async () => undefined,
  allowsHandOff: () => true,
  isLimited: () => false,
} satisfies Pick<QuotaTypes, 'allowsHandOff' | 'isLimited'> & { claim(observer: EngineObserver): Promise<QuotaClaim | undefined> };

export type QuotaTypesView = Pick<QuotaTypes, 'allowsHandOff' | 'isLimited'> & { claim(observer: EngineObserver): Promise<QuotaClaim | undefined> };
