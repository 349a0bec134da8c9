/**
 * Fused multiply-add family (fmadd, fmsub, fnmsub, fnmadd): one rounding of
 * the exact a*b + c.
 *
 * Singles: a*b is exact in a double; the sum p + c is split exactly into
 * sum + t (TwoSum), and the single nearest to sum + t is found by checking
 * that sum and a point just beyond sum + t round to the same single.
 *
 * Doubles: the exact value is rewritten, with error-free transformations
 * only, as r + z + zerr where r is a double and |z + zerr| is compared to half
 * the gap between r and its neighbour; when it is smaller, r is the correctly
 * rounded result and sign(z) the sign of its error. Everything else (ties,
 * NaN, infinities, extreme exponents, exact zeros) goes to the BigInt path.
 */
import { SLOT_F, type VcpuStateViews } from '../../../abi/state-layout.js';
import { doubleHighWord, doubleLowWord, singleValue } from './bits.js';
import { effectiveRoundingMode, RM_RDN } from './flags.js';
import { readSingle } from './regs.js';
import {
  productError,
  SAFE_PRODUCT_MAX,
  SAFE_PRODUCT_MIN,
  SAFE_SPLIT_MAX,
  storeRoundedDouble,
  storeRoundedSingle,
  sumError,
} from './round.js';
import { DOUBLE, SINGLE, slowFma } from './slow.js';

/** ULP_BY_EXPONENT[e] = 2^(e - 1075): the ulp of a normal double with biased exponent e. */
const ULP_BY_EXPONENT = new Float64Array(2048);
ULP_BY_EXPONENT[1] = Number.MIN_VALUE;
for (let e = 2; e < 2048; e++) ULP_BY_EXPONENT[e] = ULP_BY_EXPONENT[e - 1] * 2;

/** Sum of an exact zero-or-exact product p and addend c, with the IEEE sign of zero results. */
function exactSum(p: number, c: number, mode: number): number {
  const sum = p + c;
  return sum === 0 && mode === RM_RDN ? -(-p + -c) : sum;
}

function fmaDouble(s: VcpuStateViews, rd: number, a: number, b: number, c: number, mode: number): boolean {
  const p = a * b;
  const absP = Math.abs(p);
  if (!(absP >= SAFE_PRODUCT_MIN && absP <= SAFE_PRODUCT_MAX)) {
    // A zero factor times a finite one: the result is c (or a signed zero), exactly.
    if (p === 0 && (a === 0 || b === 0) && Math.abs(c) < Infinity) {
      return storeRoundedDouble(s, rd, exactSum(p, c, mode), 0, mode);
    }
    return false;
  }
  if (Math.abs(a) > SAFE_SPLIT_MAX || Math.abs(b) > SAFE_SPLIT_MAX || !(Math.abs(c) <= SAFE_PRODUCT_MAX)) return false;
  const e = productError(a, b, p); // a*b = p + e
  const sum = p + c;
  const t = sumError(p, c, sum); // p + c = sum + t
  const x = t + e;
  const y1 = sumError(t, e, x); // t + e = x + y1
  const r = sum + x;
  const y2 = sumError(sum, x, r); // a*b + c = r + y2 + y1
  const z = y2 + y1; // sign(z) = sign(y2 + y1); |z| < h implies |y2 + y1| < h for a power of two h
  if (r === 0) return false; // exact cancellation: the sign of zero needs the exact path
  if (z === 0) return storeRoundedDouble(s, rd, r, 0, mode);
  const absR = Math.abs(r);
  if (!(absR >= SAFE_PRODUCT_MIN && absR <= SAFE_PRODUCT_MAX)) return false;
  const hi = doubleHighWord(r);
  const ulp = ULP_BY_EXPONENT[(hi >>> 20) & 0x7ff];
  const powerOfTwo = (hi & 0xfffff) === 0 && doubleLowWord(r) === 0;
  // Below a power of two the neighbour is only half an ulp away.
  const halfGap = powerOfTwo && z > 0 !== r > 0 ? ulp / 4 : ulp / 2;
  if (!(Math.abs(z) < halfGap)) return false; // a tie or r is not the nearest: exact path
  return storeRoundedDouble(s, rd, r, z, mode);
}

function fmaSingle(s: VcpuStateViews, rd: number, a: number, b: number, c: number, mode: number): boolean {
  if (!(Math.abs(a) < Infinity && Math.abs(b) < Infinity && Math.abs(c) < Infinity)) return false;
  const p = a * b; // exact
  const sum = p + c;
  if (sum === 0) return storeRoundedSingle(s, rd, exactSum(p, c, mode), 0, mode);
  const t = sumError(p, c, sum); // p + c = sum + t, |t| <= half an ulp of sum
  const r = Math.fround(sum);
  if (t !== 0) {
    // sum + t lies strictly between sum and `beyond`; if both round to r, so does sum + t.
    const beyond = sum + (t > 0 ? Math.abs(sum) : -Math.abs(sum)) * 2 ** -52;
    if (Math.fround(beyond) !== r) return false;
  }
  return storeRoundedSingle(s, rd, r, sum !== r ? sum - r : t, mode);
}

function fmaD(
  s: VcpuStateViews,
  rd: number,
  rs1: number,
  rs2: number,
  rs3: number,
  rm: number,
  negateProduct: boolean,
  negateAddend: boolean,
): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const a = s.f64[SLOT_F + rs1];
  const c = s.f64[SLOT_F + rs3];
  const done = fmaDouble(s, rd, negateProduct ? -a : a, s.f64[SLOT_F + rs2], negateAddend ? -c : c, mode);
  if (!done) slowFma(s, DOUBLE, rd, rs1, rs2, rs3, mode, negateProduct, negateAddend);
  return true;
}

function fmaS(
  s: VcpuStateViews,
  rd: number,
  rs1: number,
  rs2: number,
  rs3: number,
  rm: number,
  negateProduct: boolean,
  negateAddend: boolean,
): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const a = singleValue(readSingle(s, rs1));
  const b = singleValue(readSingle(s, rs2));
  const c = singleValue(readSingle(s, rs3));
  const done = fmaSingle(s, rd, negateProduct ? -a : a, b, negateAddend ? -c : c, mode);
  if (!done) slowFma(s, SINGLE, rd, rs1, rs2, rs3, mode, negateProduct, negateAddend);
  return true;
}

/** rd = rs1*rs2 + rs3 */
export function fmadd_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaS(s, rd, rs1, rs2, rs3, rm, false, false);
}

/** rd = rs1*rs2 - rs3 */
export function fmsub_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaS(s, rd, rs1, rs2, rs3, rm, false, true);
}

/** rd = -(rs1*rs2) + rs3 */
export function fnmsub_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaS(s, rd, rs1, rs2, rs3, rm, true, false);
}

/** rd = -(rs1*rs2) - rs3 */
export function fnmadd_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaS(s, rd, rs1, rs2, rs3, rm, true, true);
}

/** rd = rs1*rs2 + rs3 */
export function fmadd_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaD(s, rd, rs1, rs2, rs3, rm, false, false);
}

/** rd = rs1*rs2 - rs3 */
export function fmsub_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaD(s, rd, rs1, rs2, rs3, rm, false, true);
}

/** rd = -(rs1*rs2) + rs3 */
export function fnmsub_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaD(s, rd, rs1, rs2, rs3, rm, true, false);
}

/** rd = -(rs1*rs2) - rs3 */
export function fnmadd_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  return fmaD(s, rd, rs1, rs2, rs3, rm, true, true);
}
