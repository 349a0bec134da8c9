/**
 * Fast-path building blocks: error-free transformations on doubles and the
 * final "store a rounded result" steps shared by the arithmetic, FMA and
 * conversion fast paths.
 *
 * A fast path computes r, the correctly rounded round-to-nearest-even result
 * (as a JS number), and cmp, a number whose sign is the sign of (exact - r).
 * Directed rounding then only has to step r by one unit in the last place.
 * When that is not safe (RMM, overflow or underflow boundaries) the store
 * functions return false *without touching any state* and the caller uses the
 * exact BigInt path instead.
 */
import { SLOT_F, type VcpuStateViews } from '../../../abi/state-layout.js';
import { singleBits } from './bits.js';
import { FFLAG_NX, FFLAG_UF, RM_RDN, RM_RMM, RM_RNE, RM_RUP, raiseFlags } from './flags.js';
import { fWord, writeSingle } from './regs.js';

/** 2^27 + 1: Veltkamp splitting constant for doubles. */
const SPLITTER = 134217729;

/**
 * Exact error a*b - p of the double product p = a*b (Dekker). Exact when
 * |a|, |b| <= 2^995 and |p| >= 2^-960 (no overflow in the split, no underflow
 * in the partial products).
 */
export function productError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Exact error a+b - sum of the double sum = a+b (Knuth's TwoSum; exact without overflow). */
export function sumError(a: number, b: number, sum: number): number {
  const bVirtual = sum - a;
  return a - (sum - bVirtual) + (b - bVirtual);
}

/** Largest finite double. */
export const MAX_DOUBLE = Number.MAX_VALUE;
/** Bounds inside which the Dekker product error is exact (see productError). */
export const SAFE_PRODUCT_MIN = 2 ** -960;
export const SAFE_PRODUCT_MAX = 2 ** 1000;
export const SAFE_SPLIT_MAX = 2 ** 995;

/**
 * Whether a round-to-nearest result must move one step to honour a directed
 * mode, and in which direction: +1 away from zero, -1 towards zero, 0 stay.
 * `negative` is r's sign, cmp the sign of (exact - r) (non-zero).
 */
function directedStep(negative: boolean, cmp: number, mode: number): number {
  const awayMode = negative ? RM_RDN : RM_RUP;
  if (cmp > 0 !== negative) return mode === awayMode ? 1 : 0; // exact is further from zero than r
  return mode === awayMode ? 0 : -1; // exact is closer to zero: RTZ and the opposite directed mode step in
}

/**
 * Stores double result r for mode. Requires r not NaN and, when cmp != 0,
 * 2^-1022 < |r| < MAX_DOUBLE (so no overflow/underflow decision is needed).
 */
export function storeRoundedDouble(s: VcpuStateViews, rd: number, r: number, cmp: number, mode: number): boolean {
  if (cmp === 0) {
    s.f64[SLOT_F + rd] = r;
    return true;
  }
  if (mode === RM_RMM) return false; // ties need the exact value
  s.f64[SLOT_F + rd] = r;
  if (mode !== RM_RNE) {
    const w = fWord(rd);
    const step = directedStep(s.i32[w + 1] < 0, cmp, mode);
    if (step > 0) {
      const lo = (s.i32[w] + 1) | 0;
      s.i32[w] = lo;
      if (lo === 0) s.i32[w + 1] += 1;
    } else if (step < 0) {
      if (s.i32[w] === 0) s.i32[w + 1] -= 1;
      s.i32[w] = (s.i32[w] - 1) | 0;
    }
  }
  raiseFlags(s, FFLAG_NX);
  return true;
}

/** Magnitude bits of the smallest normal single. */
const MIN_NORMAL_S_BITS = 0x00800000;
/** Magnitude bits of the largest finite single. */
const MAX_S_BITS = 0x7f7fffff;

/**
 * Stores single result r (the correctly rounded RNE single, as a number, not
 * NaN) for mode; cmp is the sign of (exact - r). Declines (returns false)
 * for RMM and for inexact results at the overflow threshold or that round to
 * the smallest normal, where the flags depend on more than cmp.
 */
export function storeRoundedSingle(s: VcpuStateViews, rd: number, r: number, cmp: number, mode: number): boolean {
  let bits = singleBits(r);
  if (cmp === 0) {
    writeSingle(s, rd, bits);
    return true;
  }
  if (mode === RM_RMM || (bits & 0x7fffffff) >= MAX_S_BITS) return false;
  if (mode !== RM_RNE) bits += directedStep(bits < 0, cmp, mode);
  const magnitude = bits & 0x7fffffff;
  if (magnitude === MIN_NORMAL_S_BITS) return false; // tininess after rounding is ambiguous here
  writeSingle(s, rd, bits);
  raiseFlags(s, magnitude < MIN_NORMAL_S_BITS ? FFLAG_NX | FFLAG_UF : FFLAG_NX);
  return true;
}
