/**
 * The soft TLB's fast path as a function (and the address arithmetic before it), for the code that runs guest
 * accesses without generating them: the IR interpreter and the loads and
 * stores compiled blocks call (src/vcpu/load-store.ts). backend-js.ts emits
 * the same test inline. Layout: TLB_ENTRY_WORDS words per entry, direct
 * mapped on the virtual page number, one set of entries per MMU mode.
 */
import { TLB_ENTRIES, TLB_ENTRY_WORDS, TLB_HI, TLB_RAM_OFFSET } from '../abi/tlb.js';

const ENTRY_MASK = (TLB_ENTRIES - 1) * TLB_ENTRY_WORDS;

/**
 * Where address hi:lo is in RAM, as an index into the RAM view of
 * `1 << shift`-byte elements, if the entries at `set` (the vCPU's tlbBase)
 * allow the access (`tagWord`: TLB_READ_TAG or TLB_WRITE_TAG) and it is
 * aligned; otherwise -1, and the access must take the context's slow path.
 */
export function tlbHostIndex(tlb: Int32Array, set: number, tagWord: number, lo: number, hi: number, shift: number): number {
  const e = set + ((lo >>> 10) & ENTRY_MASK);
  const tag = lo & (~0xfff | ((1 << shift) - 1)); // the page, plus the low bits that must be zero
  return tlb[e + tagWord] === tag && tlb[e + TLB_HI] === hi ? (tlb[e + TLB_RAM_OFFSET] + (lo & 4095)) >> shift : -1;
}

/** High word of base + imm (imm a sign-extended int32), given the low word `lo` of the sum: carry or borrow out of the low word. */
export function addressHigh(baseLo: number, baseHi: number, imm: number, lo: number): number {
  const wrapped = (lo >>> 0) < (baseLo >>> 0);
  return imm >= 0 ? (baseHi + (wrapped ? 1 : 0)) | 0 : (baseHi - (wrapped ? 0 : 1)) | 0;
}

/**
 * User mode's flat memory (src/abi/tlb.ts FlatLayout): the index of address hi:lo in the RAM view
 * of `1 << shift`-byte elements when it is in the 32-bit space (hi 0), aligned, and its page's byte
 * in the flat table at `table` of `bytes` has `bit` (FLAT_READ / FLAT_WRITE); otherwise -1.
 * Address = offset, so the index is the address itself, shifted.
 */
export function flatHostIndex(bytes: Uint8Array, table: number, bit: number, lo: number, hi: number, shift: number): number {
  return hi === 0 && (lo & ((1 << shift) - 1)) === 0 && (bytes[table + (lo >>> 12)] & bit) !== 0 ? lo >>> shift : -1;
}
