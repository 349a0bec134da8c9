/**
 * The UART's fast path between vCPU workers and the device on the main thread.
 *
 * Console drivers poll LSR before every byte and then write THR: two
 * synchronous round trips to the main thread per character. Instead, the
 * main thread keeps a shadow of LSR/LCR/MCR in shared memory after every
 * change, and a vCPU
 *  - answers an LSR read from the shadow when that read has no side effect
 *    (BI and OE clear);
 *  - posts a THR write (DLAB and loopback off) into its own ring buffer and
 *    goes on; the main thread feeds posted bytes to the device before any
 *    other access of that vCPU and whenever the ring rings.
 * Bytes therefore reach the device in program order for each vCPU, exactly
 * as a synchronous write would have, only without waiting for it.
 */
const W_LSR = 0, W_LCR = 1, W_MCR = 2;
export const UART_SHADOW_BYTES = 16;

const LSR_SIDE_EFFECTS = 0x12; // BI | OE: reading clears them
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
const REG_THR = 0;
const REG_LSR = 5;

const RING_SIZE = 4096; // bytes, power of two
const RING_HEAD = 0; // Int32 index: bytes written by the vCPU (total)
const RING_TAIL = 1; // bytes consumed by the main thread (total)
const RING_DATA = 8; // byte offset of the data
export const UART_RING_BYTES = RING_DATA + RING_SIZE;

export function createUartShadow(): SharedArrayBuffer {
  return new SharedArrayBuffer(UART_SHADOW_BYTES);
}

export function createUartRing(): SharedArrayBuffer {
  return new SharedArrayBuffer(UART_RING_BYTES);
}

/** Main thread: publish the device state vCPUs may rely on. */
export function publishUartShadow(shadow: Int32Array, state: { lsr: number; lcr: number; mcr: number }): void {
  Atomics.store(shadow, W_LSR, state.lsr);
  Atomics.store(shadow, W_LCR, state.lcr);
  Atomics.store(shadow, W_MCR, state.mcr);
}

/** vCPU side of the fast path. */
export class UartFastPath {
  private readonly shadow: Int32Array;
  private readonly ring: Int32Array;
  private readonly bytes: Uint8Array;
  posted = 0;
  shadowReads = 0;
  /** Times the reader was rung (TSEMU_STATS). */
  rings = 0;
  /** Bytes were posted to a reader that may be asleep: ring it at the next ringReader(). */
  private ringDue = false;

  /**
   * `postWrites`: only when this is the machine's only vCPU. Each vCPU has its own ring, and the
   * main thread drains the rings one after the other, so bytes two vCPUs wrote in turn (under
   * the guest's port lock) could come out interleaved; with several vCPUs THR writes go to the
   * device synchronously, in the order the vCPUs made them.
   */
  constructor(shadow: SharedArrayBuffer, ring: SharedArrayBuffer, readonly base: number, private readonly postWrites = true) {
    this.shadow = new Int32Array(shadow);
    this.ring = new Int32Array(ring, 0, 2);
    this.bytes = new Uint8Array(ring, RING_DATA, RING_SIZE);
  }

  /** An LSR read answered locally, or undefined when the device must see it. */
  read(pa: number, size: number): bigint | undefined {
    if (pa !== this.base + REG_LSR || size !== 1) return undefined;
    const lsr = Atomics.load(this.shadow, W_LSR);
    if ((lsr & LSR_SIDE_EFFECTS) !== 0 || (Atomics.load(this.shadow, W_LCR) & LCR_DLAB) !== 0) return undefined;
    this.shadowReads++;
    return BigInt(lsr);
  }

  /**
   * Wake the main thread's reader if bytes wait for it. The run loop calls this at every service
   * point (at least every few thousand blocks, and before the vCPU sleeps or pauses), not after
   * each byte: a console driver posts a byte every few microseconds while ringing costs ~10 us of
   * this thread's time (the wake goes through the main thread's event loop), and a whole line then
   * costs one ring instead of one per byte. A synchronous access drains the ring first anyway.
   */
  ringReader(): void {
    if (!this.ringDue) return;
    this.ringDue = false;
    this.rings++;
    Atomics.notify(this.ring, RING_HEAD);
  }

  /** Post a THR write; false when it must go to the device synchronously. */
  write(pa: number, size: number, value: bigint): boolean {
    if (!this.postWrites || pa !== this.base + REG_THR || size !== 1) return false;
    if ((Atomics.load(this.shadow, W_LCR) & LCR_DLAB) !== 0 || (Atomics.load(this.shadow, W_MCR) & MCR_LOOP) !== 0) return false;
    const head = Atomics.load(this.ring, RING_HEAD);
    const tail = Atomics.load(this.ring, RING_TAIL);
    if (head - tail >= RING_SIZE) return false; // full: go synchronous
    this.bytes[head & (RING_SIZE - 1)] = Number(value & 0xffn);
    Atomics.store(this.ring, RING_HEAD, head + 1);
    // The reader needs ringing only when it may sleep: it sleeps only once it has drained
    // everything (tail === the head it waits on). The tail is read again *after* the head is
    // published: a reader that stored its tail and went to sleep before that store is then seen
    // here, and one that looks after it finds the head moved and does not sleep. (Judging from
    // the tail read before the store lost that wake-up: the console stalled mid-line.)
    if (Atomics.load(this.ring, RING_TAIL) === head) this.ringDue = true;
    this.posted++;
    return true;
  }
}

/*
 * The main thread's wait has no timeout: the ring loses no wake-up (the vCPU reads the tail again
 * after publishing a byte; tests/hw/uart-fast-path.unit.spec.ts), and V8 arms a host timer for
 * every waitAsync with a timeout that still fires after a notify settled it, so a safety timeout
 * woke the main thread once more for every wait, while the guest idled.
 */

/** Main-thread side: drain one vCPU's ring into the device. */
export class UartRingReader {
  private readonly ring: Int32Array;
  private readonly bytes: Uint8Array;
  private stopped = false;

  constructor(buffer: SharedArrayBuffer, private readonly deliver: (byte: number) => void) {
    this.ring = new Int32Array(buffer, 0, 2);
    this.bytes = new Uint8Array(buffer, RING_DATA, RING_SIZE);
  }

  /** Feed every posted byte to the device, in order. */
  drain(): void {
    const head = Atomics.load(this.ring, RING_HEAD);
    let tail = Atomics.load(this.ring, RING_TAIL);
    while (tail !== head) {
      this.deliver(this.bytes[tail & (RING_SIZE - 1)]);
      tail++;
    }
    Atomics.store(this.ring, RING_TAIL, tail);
  }

  /** Drain whenever the vCPU posts (waitAsync on the head word). */
  start(): void {
    const loop = (): void => {
      while (!this.stopped) {
        this.drain();
        // wait for the head to move past what was just drained (bytes posted meanwhile: no wait)
        const w = Atomics.waitAsync(this.ring, RING_HEAD, Atomics.load(this.ring, RING_TAIL));
        if (w.async) {
          void w.value.then(loop);
          return;
        }
      }
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    Atomics.notify(this.ring, RING_HEAD);
  }
}
