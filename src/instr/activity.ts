/**
 * Which library callback a thread is running, in shared memory the main thread reads: a callback
 * that never returns (or dies running out of memory) in a vCPU worker or the translator can then
 * be named (library, event, vCPU) and timed by the monitor's `info instr` and at exit. The thread
 * writes four words around every callback (plain stores: a few per event, no clock read):
 *   [0] calls finished so far, [1] library index in load order + 1 (0: none), [2] event id, [3] vCPU.
 * The main thread samples them (CallbackWatch) to tell a long call from many short ones.
 */
export const ACTIVITY_WORDS = 4;

export function newActivityBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * ACTIVITY_WORDS);
}

/** A callback in progress, as the main thread sees it. */
export interface CallbackInProgress {
  /** The thread: 'vCPU 0', 'vCPU 0,1,2' (thread=single), 'translator'. */
  thread: string;
  /** Index of the library in load order. */
  library: number;
  event: number;
  cpu: number;
  /** How long the same call has been seen running (0 on the first sample). */
  seconds: number;
}

interface Watched { thread: string; words: Int32Array; seq: number; since: number | undefined }

/** The main thread's view of every thread's activity words, sampled now and on every read. */
export class CallbackWatch {
  private threads: Watched[] = [];
  private timer: NodeJS.Timeout | undefined;

  add(thread: string, buffer: SharedArrayBuffer): void {
    this.threads.push({ thread, words: new Int32Array(buffer), seq: -1, since: undefined });
    // sampling twice a second gives "how long" without a clock read in the callbacks
    this.timer ??= setInterval(() => this.sample(), 500).unref();
  }

  /** Stop watching a thread (a worker that was terminated). */
  remove(thread: string): void {
    this.threads = this.threads.filter((t) => t.thread !== thread);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Callbacks running now, with how long each has been seen running. */
  inProgress(now = Date.now()): CallbackInProgress[] {
    this.sample(now);
    const out: CallbackInProgress[] = [];
    for (const t of this.threads) {
      const lib = Atomics.load(t.words, 1);
      if (lib === 0 || t.since === undefined) continue;
      out.push({ thread: t.thread, library: lib - 1, event: Atomics.load(t.words, 2), cpu: Atomics.load(t.words, 3), seconds: (now - t.since) / 1000 });
    }
    return out;
  }

  /** The callback `thread` is in now, if any. */
  current(thread: string): CallbackInProgress | undefined {
    return this.inProgress().find((c) => c.thread === thread);
  }

  private sample(now = Date.now()): void {
    for (const t of this.threads) {
      const seq = Atomics.load(t.words, 0);
      const busy = Atomics.load(t.words, 1) !== 0;
      if (!busy) t.since = undefined;
      else if (seq !== t.seq || t.since === undefined) t.since = now;
      t.seq = seq;
    }
  }
}
