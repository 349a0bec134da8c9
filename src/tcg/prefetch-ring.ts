/**
 * Translation ahead of need: while a vCPU compiles and runs the block it just
 * asked for, the translator service translates that block's likely
 * successors (branch targets, fall-through, return points of calls on the
 * same page) and appends them to the vCPU's prefetch ring. When the vCPU
 * then misses in its block cache, it looks in the ring before paying for a
 * request round trip (two futex wake-ups and the translation itself).
 *
 * One ring per vCPU in shared memory, one producer (the service) and one
 * consumer (the vCPU): the producer owns the write position, the consumer the
 * read position, both free-running 32-bit byte counters. Records are never
 * split: one that does not fit before the end is preceded by a skip marker.
 * A full ring drops the speculation; nothing depends on a record arriving.
 *
 * The other way, the vCPU posts which prefetched block it took last, so the
 * service can go on translating ahead from where the vCPU really is.
 */
import type { BlockCode } from '../vcpu/block-cache.js';

export const RING_BYTES = 256 * 1024; // a power of two
const MASK = RING_BYTES - 1;
/** Control words in front of the ring data: positions (int32), then the vCPU's progress. */
const CONTROL_BYTES = 32;
const W_WRITE = 0, W_READ = 1, W_TAKEN_SEQ = 2;
const D_TAKEN_PC = 2, D_TAKEN_PA = 3; // float64 indices
export const PREFETCH_BYTES_PER_VCPU = CONTROL_BYTES + RING_BYTES;

// record header: int32 words, float64 slots, int32 words; then the fetched pairs, then the text
const R_SIZE = 0, R_TEXT_LEN = 1, R_PAGE = 2, R_GEN = 3, R_COUNT = 4, R_EPOCH = 5;
const R_PC = 3, R_PA = 4, R_PA2 = 5; // float64 indices
const R_FETCHED_WORDS = 12, R_FLAGS = 13;
const FLAG_MADE_CODE_PAGE = 1;
const RECORD_HEADER_BYTES = 56;
const SKIP_MARKER = -1;

export interface PrefetchedBlock extends BlockCode {
  pc: number;
  pa: number;
  pa2: number;
  /** Translation epoch (GuestMemory.epoch) the code was generated in. */
  epoch: number;
  ahead: AheadCheck;
}

/**
 * What a vCPU checks before running a translation made ahead: the vCPU was
 * running meanwhile and may have stored into that code through its TLB's
 * fast path, which no page generation sees.
 */
export interface AheadCheck {
  /** [byte offset from the block's physical address, raw instruction bits] per instruction. */
  fetched: readonly number[];
  /** The translation made its page a code page: other vCPUs must drop fast writes to it. */
  madeCodePage: boolean;
}

class RingViews {
  readonly control: Int32Array;
  readonly controlF64: Float64Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Uint8Array;
  constructor(buffer: SharedArrayBuffer, vcpuIndex: number) {
    const base = vcpuIndex * PREFETCH_BYTES_PER_VCPU;
    this.control = new Int32Array(buffer, base, CONTROL_BYTES / 4);
    this.controlF64 = new Float64Array(buffer, base, CONTROL_BYTES / 8);
    this.i32 = new Int32Array(buffer, base + CONTROL_BYTES, RING_BYTES / 4);
    this.f64 = new Float64Array(buffer, base + CONTROL_BYTES, RING_BYTES / 8);
    this.bytes = new Uint8Array(buffer, base + CONTROL_BYTES, RING_BYTES);
  }
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Service side: appends speculative translations for one vCPU. */
export class PrefetchProducer {
  private readonly ring: RingViews;
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(16 * 1024);

  constructor(buffer: SharedArrayBuffer, vcpuIndex: number) {
    this.ring = new RingViews(buffer, vcpuIndex);
  }

  /** Append one translation; false if the ring is too full (the speculation is dropped). */
  push(block: PrefetchedBlock): boolean {
    const text = this.encode(block.source);
    const fetched = block.ahead.fetched;
    const textAt = RECORD_HEADER_BYTES + 4 * fetched.length;
    const size = align8(textAt + text.length);
    const { control, i32, f64, bytes } = this.ring;
    const write = control[W_WRITE];
    const read = Atomics.load(control, W_READ);
    const pos = write & MASK;
    const tail = RING_BYTES - pos;
    const needed = size <= tail ? size : tail + size;
    if (RING_BYTES - ((write - read) | 0) < needed) return false;
    let at = pos;
    let next = write;
    if (size > tail) {
      i32[pos >> 2] = SKIP_MARKER;
      next = (next + tail) | 0;
      at = 0;
    }
    const w = at >> 2, d = at >> 3;
    i32[w + R_SIZE] = size;
    i32[w + R_TEXT_LEN] = text.length;
    i32[w + R_PAGE] = block.page;
    i32[w + R_GEN] = block.gen;
    i32[w + R_COUNT] = block.insnCount;
    i32[w + R_EPOCH] = block.epoch;
    f64[d + R_PC] = block.pc;
    f64[d + R_PA] = block.pa;
    f64[d + R_PA2] = block.pa2;
    i32[w + R_FETCHED_WORDS] = fetched.length;
    i32[w + R_FLAGS] = block.ahead.madeCodePage ? FLAG_MADE_CODE_PAGE : 0;
    const firstPair = w + RECORD_HEADER_BYTES / 4;
    for (let i = 0; i < fetched.length; i++) i32[firstPair + i] = fetched[i];
    bytes.set(text, at + textAt);
    Atomics.store(control, W_WRITE, (next + size) | 0); // publishes the record
    return true;
  }

  /** The block the vCPU took from the ring most recently, if it took one since `seq`. */
  takenSince(seq: number): { seq: number; pc: number; pa: number } | undefined {
    const now = Atomics.load(this.ring.control, W_TAKEN_SEQ);
    if (now === seq) return undefined;
    // a torn pair only makes a poor guess: the vCPU checks what it takes
    return { seq: now, pc: this.ring.controlF64[D_TAKEN_PC], pa: this.ring.controlF64[D_TAKEN_PA] };
  }

  private encode(source: string): Uint8Array {
    if (this.scratch.length < source.length * 3) this.scratch = new Uint8Array(source.length * 3);
    const r = this.encoder.encodeInto(source, this.scratch);
    return this.scratch.subarray(0, r.written);
  }
}

/** vCPU side: takes every record published so far. */
export class PrefetchConsumer {
  private readonly ring: RingViews;
  private readonly decoder = new TextDecoder('latin1');

  constructor(buffer: SharedArrayBuffer, vcpuIndex: number) {
    this.ring = new RingViews(buffer, vcpuIndex);
  }

  /** Cheap check before draining: has the service published anything new? */
  get pending(): boolean {
    const { control } = this.ring;
    return Atomics.load(control, W_WRITE) !== control[W_READ];
  }

  /** Tell the service this vCPU has just taken the block at (pc, pa) from the ring. */
  noteTaken(pc: number, pa: number): void {
    this.ring.controlF64[D_TAKEN_PC] = pc;
    this.ring.controlF64[D_TAKEN_PA] = pa;
    Atomics.add(this.ring.control, W_TAKEN_SEQ, 1);
  }

  drain(take: (block: PrefetchedBlock) => void): void {
    const { control, i32, f64, bytes } = this.ring;
    const write = Atomics.load(control, W_WRITE);
    let read = control[W_READ];
    while (read !== write) {
      const at = read & MASK;
      const w = at >> 2, d = at >> 3;
      const size = i32[w + R_SIZE];
      if (size === SKIP_MARKER) {
        read = (read + RING_BYTES - at) | 0;
        continue;
      }
      const fetchedWords = i32[w + R_FETCHED_WORDS];
      const firstPair = w + RECORD_HEADER_BYTES / 4;
      const fetched = Array.from(i32.subarray(firstPair, firstPair + fetchedWords));
      const start = at + RECORD_HEADER_BYTES + 4 * fetchedWords;
      // copy out of shared memory before decoding (TextDecoder refuses shared views)
      const source = this.decoder.decode(bytes.slice(start, start + i32[w + R_TEXT_LEN]));
      take({
        source, page: i32[w + R_PAGE], gen: i32[w + R_GEN], insnCount: i32[w + R_COUNT], epoch: i32[w + R_EPOCH],
        pc: f64[d + R_PC], pa: f64[d + R_PA], pa2: f64[d + R_PA2],
        ahead: { fetched, madeCodePage: (i32[w + R_FLAGS] & FLAG_MADE_CODE_PAGE) !== 0 },
      });
      read = (read + size) | 0;
    }
    Atomics.store(control, W_READ, read);
  }
}
