/**
 * The UART's fast path between vCPU workers and the device on the main thread.
 *
 * Console drivers poll LSR before every byte and then write THR: two
 * synchronous round trips to the main thread per character. Instead, the
 * main thread keeps a shadow of LSR/LCR/MCR in shared memory after every
 * change, and a vCPU
 *  - answers an LSR read from the shadow when that read has no side effect
 *    (BI and OE clear);
 *  - posts a THR write (DLAB and loopback off) into the machine's ring of
 *    posted bytes and goes on; the main thread feeds posted bytes to the
 *    device before any other device access and whenever the ring rings.
 * Bytes therefore reach the device in the order the vCPUs wrote them, exactly
 * as synchronous writes would have, only without waiting for them. (With a
 * ring per vCPU, bytes of two vCPUs taking turns under the guest's port lock
 * could come out interleaved, so with several vCPUs every byte was a ~65 us
 * round trip made while holding that lock: 5,700 bytes and 0.4 s of a 4-vCPU
 * Linux boot, and the other vCPUs spinning on the lock meanwhile.)
 */
const W_LSR = 0, W_LCR = 1, W_MCR = 2;
export const UART_SHADOW_BYTES = 16;

const LSR_SIDE_EFFECTS = 0x12; // BI | OE: reading clears them
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
const REG_THR = 0;
const REG_LSR = 5;

/*
 * The ring: one per machine, every vCPU posts into it. A writer reserves the next index with a
 * compare-and-swap on HEAD (so bytes are ordered as the writes were: the guest's port lock
 * orders the writes of several vCPUs, and each reservation happens inside it), stores the byte,
 * then publishes it by storing index + 1 in the slot's sequence word. The reader delivers slots
 * in index order while each holds its expected sequence number, so a slot reserved but not yet
 * published holds back the ones after it, never skipped.
 */
const RING_SIZE = 4096; // bytes, power of two
const RING_MASK = RING_SIZE - 1;
const RING_HEAD = 0; // Int32 index: bytes reserved by writers (total, wrapping at 2^32)
const RING_TAIL = 1; // bytes consumed by the main thread (total)
const RING_SEQ = 8; // byte offset of the sequence words (Int32, one per slot)
const RING_DATA = RING_SEQ + 4 * RING_SIZE; // byte offset of the bytes
export const UART_RING_BYTES = RING_DATA + RING_SIZE;

interface RingViews {
  readonly ring: Int32Array;
  readonly seq: Int32Array;
  readonly bytes: Uint8Array;
}

function ringViews(buffer: SharedArrayBuffer): RingViews {
  return { ring: new Int32Array(buffer, 0, 2), seq: new Int32Array(buffer, RING_SEQ, RING_SIZE), bytes: new Uint8Array(buffer, RING_DATA, RING_SIZE) };
}

export function createUartShadow(): SharedArrayBuffer {
  return new SharedArrayBuffer(UART_SHADOW_BYTES);
}

/** The machine's ring of posted THR bytes (every vCPU writes into the same one). */
export function createUartRing(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(UART_RING_BYTES);
  // as if a lap had gone before: slot i unpublished for index i holds i + 1 - RING_SIZE
  const { seq } = ringViews(buffer);
  for (let i = 0; i < RING_SIZE; i++) seq[i] = i + 1 - RING_SIZE;
  return buffer;
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
  private readonly seq: Int32Array;
  private readonly bytes: Uint8Array;
  posted = 0;
  shadowReads = 0;
  /** Times the reader was rung (TSEMU_STATS). */
  rings = 0;
  /** The slot of a byte posted to a reader that may be asleep on it (-1: none): rung at the next ringReader(). */
  private ringSlot = -1;
  /** The reader's tail when this vCPU last found the ring full. */
  private fullAt = -1;

  constructor(shadow: SharedArrayBuffer, ring: SharedArrayBuffer, readonly base: number) {
    this.shadow = new Int32Array(shadow);
    ({ ring: this.ring, seq: this.seq, bytes: this.bytes } = ringViews(ring));
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
    if (this.ringSlot < 0) return;
    Atomics.notify(this.seq, this.ringSlot);
    this.ringSlot = -1;
    this.rings++;
  }

  /** Post a THR write; false when it must go to the device synchronously. */
  write(pa: number, size: number, value: bigint): boolean {
    if (pa !== this.base + REG_THR || size !== 1) return false;
    if ((Atomics.load(this.shadow, W_LCR) & LCR_DLAB) !== 0 || (Atomics.load(this.shadow, W_MCR) & MCR_LOOP) !== 0) return false;
    let head: number;
    do {
      head = Atomics.load(this.ring, RING_HEAD);
      const tail = Atomics.load(this.ring, RING_TAIL);
      if (((head - tail) | 0) >= RING_SIZE) {
        // full: go synchronous (the main thread drains first), and ring the reader wherever it
        // sleeps (the vCPU that owes it a ring may not reach a service point soon), once for
        // each place it may sleep at
        if (tail !== this.fullAt) this.ringSlot = tail & RING_MASK;
        this.fullAt = tail;
        return false;
      }
    } while (Atomics.compareExchange(this.ring, RING_HEAD, head, (head + 1) | 0) !== head);
    const slot = head & RING_MASK;
    this.bytes[slot] = Number(value & 0xffn);
    Atomics.store(this.seq, slot, (head + 1) | 0);
    // The reader sleeps only on the slot at its tail, once it has delivered everything before
    // it; it needs ringing only if that is this slot. The tail is read *after* the byte is
    // published: a reader that stored its tail and went to sleep before that store is then seen
    // here, and one that looks after it finds the slot published and does not sleep. (Judging from
    // the tail read before the store lost that wake-up: the console stalled mid-line.)
    // (A slot still to be rung from before is left: the reader has got past it.)
    if (Atomics.load(this.ring, RING_TAIL) === head) this.ringSlot = slot;
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

/** Main-thread side: deliver the machine's posted bytes to the device. */
export class UartRingReader {
  private readonly ring: Int32Array;
  private readonly seq: Int32Array;
  private readonly bytes: Uint8Array;
  private stopped = false;

  constructor(buffer: SharedArrayBuffer, private readonly deliver: (byte: number) => void) {
    ({ ring: this.ring, seq: this.seq, bytes: this.bytes } = ringViews(buffer));
  }

  /** Feed every published byte to the device, in order (up to the first one reserved but not yet written). */
  drain(): void {
    let tail = Atomics.load(this.ring, RING_TAIL);
    while (Atomics.load(this.seq, tail & RING_MASK) === ((tail + 1) | 0)) {
      this.deliver(this.bytes[tail & RING_MASK]);
      tail = (tail + 1) | 0;
    }
    Atomics.store(this.ring, RING_TAIL, tail);
  }

  /** Drain whenever a vCPU posts (waitAsync on the sequence word of the slot at the tail). */
  start(): void {
    const loop = (): void => {
      while (!this.stopped) {
        this.drain();
        const tail = Atomics.load(this.ring, RING_TAIL);
        // sleep while the slot at the tail holds its last lap's number (published meanwhile: no wait)
        const w = Atomics.waitAsync(this.seq, tail & RING_MASK, (tail + 1 - RING_SIZE) | 0);
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
    Atomics.notify(this.seq, Atomics.load(this.ring, RING_TAIL) & RING_MASK);
  }
}
