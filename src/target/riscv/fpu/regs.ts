/**
 * Raw access to f and x registers in the vCPU state buffer.
 *
 * f registers are read and written through their two Int32 halves whenever the
 * value may be a NaN: a round trip through a JS double is not guaranteed to
 * keep NaN payloads or signalling bits. Doubles that are known not to be NaN
 * go through the Float64Array view, which is exact for them.
 */
import { SLOT_F, SLOT_X, type VcpuStateViews } from '../../../abi/state-layout.js';

/** The canonical single NaN; also what an improperly NaN-boxed single reads as. */
export const CANONICAL_NAN_S = 0x7fc00000;
/** High word of the canonical double NaN 0x7ff8000000000000 (low word 0). */
const CANONICAL_NAN_D_HI = 0x7ff80000;

/** Index of the low Int32 word of f register `reg`. */
export function fWord(reg: number): number {
  return 2 * (SLOT_F + reg);
}

/** Index of the low Int32 word of x register `reg`. */
export function xWord(reg: number): number {
  return 2 * (SLOT_X + reg);
}

/**
 * Bits of the single held in f register `reg` (as a signed 32-bit number):
 * the low word when the value is properly NaN-boxed (upper 32 bits all ones),
 * otherwise the canonical NaN, as the F extension specifies.
 */
export function readSingle(s: VcpuStateViews, reg: number): number {
  const w = fWord(reg);
  return s.i32[w + 1] === -1 ? s.i32[w] : CANONICAL_NAN_S;
}

/** Writes a single to f register `reg`, NaN-boxed (flw, and every single result). */
export function writeSingle(s: VcpuStateViews, reg: number, bits32: number): void {
  const w = fWord(reg);
  s.i32[w] = bits32;
  s.i32[w + 1] = -1;
}

/** The 64-bit register image of a NaN-boxed single, as a signed BigInt (for i64 slots). */
export function nanBoxSingle(bits32: number): bigint {
  return BigInt.asIntN(64, 0xffffffff00000000n | BigInt(bits32 >>> 0));
}

/** Writes the canonical double NaN. */
export function writeCanonicalNanD(s: VcpuStateViews, reg: number): void {
  const w = fWord(reg);
  s.i32[w] = 0;
  s.i32[w + 1] = CANONICAL_NAN_D_HI;
}

/** Writes a double given as two 32-bit halves. */
export function writeDoubleWords(s: VcpuStateViews, reg: number, hi: number, lo: number): void {
  const w = fWord(reg);
  s.i32[w] = lo;
  s.i32[w + 1] = hi;
}

/** Writes a 32-bit integer result to x register `rd`, sign-extended (x0 stays 0). */
export function writeXInt32(s: VcpuStateViews, rd: number, value: number): void {
  if (rd === 0) return;
  const w = xWord(rd);
  s.i32[w] = value;
  s.i32[w + 1] = value >> 31;
}

/** Writes a 64-bit result given as two 32-bit halves to x register `rd` (x0 stays 0). */
export function writeXWords(s: VcpuStateViews, rd: number, hi: number, lo: number): void {
  if (rd === 0) return;
  const w = xWord(rd);
  s.i32[w] = lo;
  s.i32[w + 1] = hi;
}

/**
 * Writes an integer-valued double in [-2^63, 2^64) to x register `rd` as its
 * 64-bit two's-complement image (x0 stays 0).
 */
export function writeXFromIntegral(s: VcpuStateViews, rd: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  writeXWords(s, rd, hi | 0, (value - hi * 4294967296) | 0);
}
