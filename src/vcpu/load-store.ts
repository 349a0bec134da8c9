/**
 * Guest loads and stores as generated code calls them (LoadStoreHelpers, src/abi/helpers.ts): `ls.ld64(rs1, imm, pc, i)`
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
 * at `c.resumePc`. Throwing is rare (traps and MMIO stores), so the common path
 * carries no check at all.
 */
import type { VcpuContext } from './context.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import { FLAT_READ, FLAT_WRITE, TLB_READ_TAG, TLB_WRITE_TAG } from '../abi/tlb.js';
import type { LoadStoreHelpers } from '../abi/helpers.js';
import { addressHigh, flatHostIndex, tlbHostIndex } from '../tcg/tlb-probe.js';

/** Thrown by a load/store helper whose slow path ended the block; not an Error (no stack to capture). */
export const BLOCK_EXIT: unique symbol = Symbol('block exit');

export function createLoadStoreHelpers(c: VcpuContext, xi: Int32Array, mem: GuestMemory): LoadStoreHelpers {
  if (c.flat !== undefined) {
    // user mode's flat memory (src/abi/tlb.ts FlatLayout): the page's byte in the flat table
    // instead of the TLB probe (address = offset), the slow path unchanged
    const { mu8 } = mem;
    const table = c.flat.table;
    return helpersOver(c, xi, mem,
      (lo, hi, shift) => flatHostIndex(mu8, table, FLAT_READ, lo, hi, shift),
      (lo, hi, shift) => flatHostIndex(mu8, table, FLAT_WRITE, lo, hi, shift));
  }
  const tlb = c.tlb;
  return helpersOver(c, xi, mem,
    (lo, hi, shift) => tlbHostIndex(tlb, c.tlbBase, TLB_READ_TAG, lo, hi, shift),
    (lo, hi, shift) => tlbHostIndex(tlb, c.tlbBase, TLB_WRITE_TAG, lo, hi, shift));
}

/** RAM index of a read (write) hit for `1 << shift` bytes at lo/hi, or -1. */
type HostIndex = (lo: number, hi: number, shift: number) => number;

/**
 * The helpers over one way of finding RAM: a process uses one of the two (system mode's TLB or
 * user mode's flat table), so every call site inside stays monomorphic.
 */
function helpersOver(c: VcpuContext, xi: Int32Array, mem: GuestMemory, readAt: HostIndex, writeAt: HostIndex): LoadStoreHelpers {
  const { m8, mu8, m16, mu16, m32, mu32, m64 } = mem;
  /** High word of x[rs1] + imm, given the low word `lo`. */
  const hiOf = (rs1: number, imm: number, lo: number): number => addressHigh(xi[rs1 << 1], xi[(rs1 << 1) | 1], imm, lo);

  const slowLoad = (lo: number, hi: number, size: number, signed: number, pc: number, insnIndex: number): bigint => {
    const v = c.ld(lo, hi, size, signed, pc, insnIndex);
    if (c.endBlock) {
      c.endBlock = false;
      throw BLOCK_EXIT;
    }
    return v;
  };
  const slowStore = (lo: number, hi: number, size: number, value: bigint, pc: number, insnIndex: number, insnLength: number): void => {
    c.st(lo, hi, size, value, pc, insnIndex, insnLength);
    if (c.endBlock) {
      c.endBlock = false;
      throw BLOCK_EXIT;
    }
  };
  return {
    ld8s(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 0);
      return i >= 0 ? BigInt(m8[i]) : slowLoad(lo, hi, 1, 1, pc, insnIndex);
    },
    ld8u(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 0);
      return i >= 0 ? BigInt(mu8[i]) : slowLoad(lo, hi, 1, 0, pc, insnIndex);
    },
    ld16s(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 1);
      return i >= 0 ? BigInt(m16[i]) : slowLoad(lo, hi, 2, 1, pc, insnIndex);
    },
    ld16u(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 1);
      return i >= 0 ? BigInt(mu16[i]) : slowLoad(lo, hi, 2, 0, pc, insnIndex);
    },
    ld32s(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 2);
      return i >= 0 ? BigInt(m32[i]) : slowLoad(lo, hi, 4, 1, pc, insnIndex);
    },
    ld32u(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 2);
      return i >= 0 ? BigInt(mu32[i]) : slowLoad(lo, hi, 4, 0, pc, insnIndex);
    },
    ld64(rs1, imm, pc, insnIndex) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = readAt(lo, hi, 3);
      return i >= 0 ? m64[i] : slowLoad(lo, hi, 8, 1, pc, insnIndex);
    },
    st8(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = writeAt(lo, hi, 0);
      if (i >= 0) m8[i] = value;
      else slowStore(lo, hi, 1, BigInt(value), pc, insnIndex, insnLength);
    },
    st16(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = writeAt(lo, hi, 1);
      if (i >= 0) m16[i] = value;
      else slowStore(lo, hi, 2, BigInt(value), pc, insnIndex, insnLength);
    },
    st32(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = writeAt(lo, hi, 2);
      if (i >= 0) m32[i] = value;
      else slowStore(lo, hi, 4, BigInt(value), pc, insnIndex, insnLength);
    },
    st64(rs1, imm, value, pc, insnIndex, insnLength) {
      const lo = (xi[rs1 << 1] + imm) | 0, hi = hiOf(rs1, imm, lo), i = writeAt(lo, hi, 3);
      if (i >= 0) m64[i] = value;
      else slowStore(lo, hi, 8, value, pc, insnIndex, insnLength);
    },
  };
}
