/** Fresh unique ids (UUIDs) and lease tokens; injected so the core stays deterministic under test. */
export interface IdGenerator {
  newId(): string;
}

/** Uniform in [0, 1); injected for the same reason (retry jitter). */
export type Random = () => number;
