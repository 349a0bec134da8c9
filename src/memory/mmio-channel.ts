/**
 * Synchronous MMIO from a vCPU worker to the device model on the main thread.
 *
 * The vCPU writes the access into its slot, bumps the request sequence and
 * sleeps until the response sequence matches; the main thread waits on the
 * request sequence with Atomics.waitAsync, so it never blocks its event loop.
 * Sequence numbers (rather than a state word) make the hand-over race-free
 * without either side having to notify twice.
 */

const W_REQ_SEQ = 0;
const W_RESP_SEQ = 1;
const W_SIZE = 2;
const W_WRITE = 3;
const W_STATUS = 4; // 1 = ok, 0 = nothing mapped (access fault)
const D_ADDR = 4; // Float64 slot (byte 32)
const Q_VALUE = 5; // BigInt64 slot (byte 40)
export const MMIO_SLOT_BYTES = 64;

export interface MmioRequest {
  pa: number;
  size: number;
  write: boolean;
  value: bigint;
}

/** Returns the value read (reads) or 0n (writes); undefined means "nothing mapped". */
export type MmioHandler = (req: MmioRequest) => bigint | undefined;

export function createMmioSlot(): SharedArrayBuffer {
  return new SharedArrayBuffer(MMIO_SLOT_BYTES);
}

export class MmioClient {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly i64: BigInt64Array;
  private seq = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i64 = new BigInt64Array(buffer);
    this.seq = Atomics.load(this.i32, W_REQ_SEQ);
  }

  /** Accesses made and time spent waiting for the main thread (TSEMU_STATS). */
  accesses = 0;
  waitMs = 0;

  access(pa: number, size: number, write: boolean, value: bigint): bigint | undefined {
    const t0 = performance.now();
    this.accesses++;
    try {
      return this.roundTrip(pa, size, write, value);
    } finally {
      this.waitMs += performance.now() - t0;
    }
  }

  private roundTrip(pa: number, size: number, write: boolean, value: bigint): bigint | undefined {
    const { i32 } = this;
    this.f64[D_ADDR] = pa;
    i32[W_SIZE] = size;
    i32[W_WRITE] = write ? 1 : 0;
    this.i64[Q_VALUE] = BigInt.asIntN(64, value);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(i32, W_REQ_SEQ, this.seq);
    Atomics.notify(i32, W_REQ_SEQ);
    for (;;) {
      const resp = Atomics.load(i32, W_RESP_SEQ);
      if (resp === this.seq) break;
      Atomics.wait(i32, W_RESP_SEQ, resp, 1000);
    }
    if (i32[W_STATUS] === 0) return undefined;
    return BigInt.asUintN(64, this.i64[Q_VALUE]);
  }
}

/*
 * The main thread's wait has no timeout: the sequence protocol loses no wake-up (a change made
 * before the wait makes it return at once; tests/vcpu/mmio-channel.unit.spec.ts), and V8 arms a
 * host timer for every waitAsync with a timeout that still fires after a notify settled it, so a
 * safety timeout woke the main thread once more for every request served, while the guest idled.
 */

/** Main-thread side: serves one vCPU's slot until `stop()`. */
export class MmioServer {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly i64: BigInt64Array;
  private seen: number;
  private stopped = false;

  constructor(buffer: SharedArrayBuffer, private readonly handler: MmioHandler) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i64 = new BigInt64Array(buffer);
    this.seen = Atomics.load(this.i32, W_REQ_SEQ);
  }

  start(): void {
    this.loop();
  }

  stop(): void {
    this.stopped = true;
    // wake the pending waitAsync so its promise settles
    Atomics.notify(this.i32, W_REQ_SEQ);
  }

  /** Serve a request if one is waiting; true if one was served. */
  poll(): boolean {
    const seq = Atomics.load(this.i32, W_REQ_SEQ);
    if (seq === this.seen) return false;
    this.seen = seq;
    const req: MmioRequest = {
      pa: this.f64[D_ADDR],
      size: this.i32[W_SIZE],
      write: this.i32[W_WRITE] !== 0,
      value: BigInt.asUintN(64, this.i64[Q_VALUE]),
    };
    let result: bigint | undefined;
    try {
      result = this.handler(req);
    } catch {
      result = undefined;
    }
    this.i32[W_STATUS] = result === undefined ? 0 : 1;
    this.i64[Q_VALUE] = BigInt.asIntN(64, result ?? 0n);
    Atomics.store(this.i32, W_RESP_SEQ, seq);
    Atomics.notify(this.i32, W_RESP_SEQ);
    return true;
  }

  private loop(): void {
    while (!this.stopped) {
      if (this.poll()) continue;
      const wait = Atomics.waitAsync(this.i32, W_REQ_SEQ, this.seen);
      if (wait.async) {
        void wait.value.then(() => this.loop());
        return;
      }
    }
  }
}
