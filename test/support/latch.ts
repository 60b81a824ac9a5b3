/** A promise opened from outside: `await latch.promise` until someone calls `latch.open()`. */
export class Latch {
  open!: () => void;
  readonly promise = new Promise<void>((resolve) => (this.open = resolve));
}

/** Resolves for everyone once `parties` callers are waiting: all read before anyone writes. */
export class Barrier {
  private waiting = 0;
  private readonly latch = new Latch();

  constructor(private readonly parties: number) {}

  arrive(): Promise<void> {
    this.waiting += 1;
    if (this.waiting === this.parties) this.latch.open();
    return this.latch.promise;
  }
}
