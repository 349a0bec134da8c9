/**
 * Guest loads and stores as generated code calls them: `ls.ld64(rs1, imm, pc, i)`
 * reads x[rs1] + imm through the soft TLB (RAM hit: one typed-array access)
 * and falls back to the context's slow path (page walk, MMIO, faults).
 *
 * Why functions and not inline code: a block's source is compiled on first
 * use, and most blocks run only a handful of times, so compile time and the
 * interpreter's first runs dominate a boot. One short call per access keeps
 * the source small and runs warm, already-optimized code even in a cold
 * block; once a block is hot, V8 inlines these small monomorphic functions
 * and the machine code is what the inline version produced.
 *
 * Each size has its own function on purpose: closures made from one shared
 * literal would share V8's type feedback, and the typed-array accesses would
 * turn polymorphic.
 *
 * A slow path that must end the block (a fault, a device write, a write to
 * translated code) throws BLOCK_EXIT; the run loop catches it and continues
 * at `c.brkPc`. Throwing is rare (traps and MMIO stores), so the common path
 * carries no check at all.
 */
import type { VcpuContext } from './context.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import { TLB_ENTRIES, TLB_ENTRY_WORDS, TLB_HI, TLB_RAM_OFFSET, TLB_READ_TAG, TLB_WRITE_TAG } from '../tcg/backend-js.js';

/** Thrown by a load/store helper whose slow path ended the block; not an Error (no stack to capture). */
export const BLOCK_EXIT: unique symbol = Symbol('block exit');

export interface LoadStoreHelpers {
  ld8s(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld8u(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld16s(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld16u(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld32s(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld32u(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld64(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  /** `value` is the low 32 bits of the register (only the low `size` bytes are stored). */
  st8(rs1: number, imm: number, value: number, pc: number, insnIndex: number, insnLength: number): void;
  st16(rs1: number, imm: number, value: number, pc: number, insnIndex: number, insnLength: number): void;
  st32(rs1: number, imm: number, value: number, pc: number, insnIndex: number, insnLength: number): void;
  st64(rs1: number, imm: number, value: bigint, pc: number, insnIndex: number, insnLength: number): void;
  /**
   * The TLB's fast path alone, for the IR interpreter: the index into the RAM
   * view of element size `1 << shift` that address hi:lo hits for reading
   * (writing), or -1 when the access must take the context's slow path.
   */
  readIndex(lo: number, hi: number, shift: number): number;
  writeIndex(lo: number, hi: number, shift: number): number;
}

const ENTRY_MASK = (TLB_ENTRIES - 1) * TLB_ENTRY_WORDS;
/** TLB tag to compare with: the page, plus the low address bits that must be zero for an aligned access. */
const TAG_1 = ~0xfff, TAG_2 = ~0xfff | 1, TAG_4 = ~0xfff | 3, TAG_8 = ~0xfff | 7;
/** The tag for an access of `1 << shift` bytes. */
const TAG_BY_SHIFT = [TAG_1, TAG_2, TAG_4, TAG_8];

export function createLoadStoreHelpers(c: VcpuContext, xi: Int32Array, mem: GuestMemory): LoadStoreHelpers {
  const tlb = c.tlb;
  const { m8, mu8, m16, mu16, m32, mu32, m64 } = mem;

  /** High word of x[rs1] + imm, given the low word `lo` (carry or borrow out of the low word). */
  const hiOf = (rs1: number, imm: number, lo: number): number => {
    const b = xi[rs1 << 1];
    const h = xi[(rs1 << 1) | 1];
    return imm >= 0 ? (h + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0 : (h - ((lo >>> 0) < (b >>> 0) ? 0 : 1)) | 0;
  };
  const entryOf = (lo: number): number => c.tlbBase + ((lo >>> 10) & ENTRY_MASK);
  const hostIndex = (e: number, lo: number, shift: number): number => (tlb[e + TLB_RAM_OFFSET] + (lo & 4095)) >> shift;

  const slowLoad = (lo: number, hi: number, size: number, signed: number, pc: number, insnIndex: number): bigint => {
    const v = c.ld(lo, hi, size, signed, pc, insnIndex);
    if (c.brk) {
      c.brk = false;
      throw BLOCK_EXIT;
    }
    return v;
  };
  const slowStore = (lo: number, hi: number, size: number, value: bigint, pc: number, insnIndex: number, insnLength: number): void => {
    c.st(lo, hi, size, value, pc, insnIndex, insnLength);
    if (c.brk) {
      c.brk = false;
      throw BLOCK_EXIT;
    }
  };
  const readHit = (e: number, lo: number, hi: number, tag: number): boolean =>
    tlb[e + TLB_READ_TAG] === (lo & tag) && tlb[e + TLB_HI] === hi;
  const writeHit = (e: number, lo: number, hi: number, tag: number): boolean =>
    tlb[e + TLB_WRITE_TAG] === (lo & tag) && tlb[e + TLB_HI] === hi;

  return {
    ld8s(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_1) ? BigInt(m8[hostIndex(e, lo, 0)]) : slowLoad(lo, hi, 1, 1, pc, insnIndex);
    },
    ld8u(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_1) ? BigInt(mu8[hostIndex(e, lo, 0)]) : slowLoad(lo, hi, 1, 0, pc, insnIndex);
    },
    ld16s(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_2) ? BigInt(m16[hostIndex(e, lo, 1)]) : slowLoad(lo, hi, 2, 1, pc, insnIndex);
    },
    ld16u(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_2) ? BigInt(mu16[hostIndex(e, lo, 1)]) : slowLoad(lo, hi, 2, 0, pc, insnIndex);
    },
    ld32s(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_4) ? BigInt(m32[hostIndex(e, lo, 2)]) : slowLoad(lo, hi, 4, 1, pc, insnIndex);
    },
    ld32u(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_4) ? BigInt(mu32[hostIndex(e, lo, 2)]) : slowLoad(lo, hi, 4, 0, pc, insnIndex);
    },
    ld64(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      return readHit(e, lo, hi, TAG_8) ? m64[hostIndex(e, lo, 3)] : slowLoad(lo, hi, 8, 1, pc, insnIndex);
    },
    st8(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      if (writeHit(e, lo, hi, TAG_1)) m8[hostIndex(e, lo, 0)] = value;
      else slowStore(lo, hi, 1, BigInt(value), pc, insnIndex, insnLength);
    },
    st16(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      if (writeHit(e, lo, hi, TAG_2)) m16[hostIndex(e, lo, 1)] = value;
      else slowStore(lo, hi, 2, BigInt(value), pc, insnIndex, insnLength);
    },
    st32(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      if (writeHit(e, lo, hi, TAG_4)) m32[hostIndex(e, lo, 2)] = value;
      else slowStore(lo, hi, 4, BigInt(value), pc, insnIndex, insnLength);
    },
    st64(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), e = entryOf(lo);
      if (writeHit(e, lo, hi, TAG_8)) m64[hostIndex(e, lo, 3)] = value;
      else slowStore(lo, hi, 8, value, pc, insnIndex, insnLength);
    },
    readIndex(lo, hi, shift) {
      const e = entryOf(lo);
      return readHit(e, lo, hi, TAG_BY_SHIFT[shift]) ? hostIndex(e, lo, shift) : -1;
    },
    writeIndex(lo, hi, shift) {
      const e = entryOf(lo);
      return writeHit(e, lo, hi, TAG_BY_SHIFT[shift]) ? hostIndex(e, lo, shift) : -1;
    },
  };
}
