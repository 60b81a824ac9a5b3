/**
 * Runs async tasks one after another: a task started while another runs waits for it. The loops
 * below may be run by their timer and by hand (tests, start-up) at once; this keeps their
 * bookkeeping (what was logged, what was reported) free of races.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
