/**
 * "Something arrived" for the test drivers that read a child's output or a
 * socket: readers wait (with a timeout) until the data handler wakes them,
 * then look again at what they have.
 */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next wake() or after `timeoutMs`, whichever comes first. */
  next(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(waiter, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
