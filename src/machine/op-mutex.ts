/**
 * A FIFO mutex for asynchronous operations. Machine-wide operations (CPU
 * hot-plug, library load/unload, log and trace output changes) each span
 * several threads and awaits; two of them interleaving would see each other
 * half done (a hart added while a library loads in the workers, say). So they
 * queue here and run one at a time, in call order.
 */
export class OpMutex {
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Run `op` once every operation queued before it has settled (fulfilled or
   * rejected); its result or rejection goes to the caller only, the queue
   * goes on. Not reentrant: `op` must not wait for another `run` on the same
   * mutex, which would queue behind it.
   */
  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op, op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
