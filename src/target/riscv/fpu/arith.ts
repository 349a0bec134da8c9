/**
 * fadd, fsub, fmul, fdiv, fsqrt for singles and doubles.
 *
 * Doubles: the JS operation gives the round-to-nearest-even result; an
 * error-free transformation gives the sign of the rounding error, which
 * decides NX and the directed-rounding step. Singles: operands are exact
 * doubles, the double result rounded again with Math.fround is the correctly
 * rounded single (double rounding is innocuous for + - * / sqrt because
 * 53 >= 2*24+2), and the sign of the error is found with exact double
 * arithmetic. Anything outside the safe ranges goes to the BigInt path.
 */
import { SLOT_F, type VcpuStateViews } from '../../../abi/state-layout.js';
import { singleValue } from './bits.js';
import { effectiveRoundingMode, RM_RDN } from './flags.js';
import { readSingle } from './regs.js';
import {
  MAX_DOUBLE,
  productError,
  SAFE_PRODUCT_MAX,
  SAFE_PRODUCT_MIN,
  SAFE_SPLIT_MAX,
  storeRoundedDouble,
  storeRoundedSingle,
  sumError,
} from './round.js';
import { BinaryOp, DOUBLE, SINGLE, slowBinary, slowSqrt } from './slow.js';

// ---------------------------------------------------------------- doubles

/** a + b for doubles (b already negated for fsub). Returns false to request the slow path. */
function addDouble(s: VcpuStateViews, rd: number, a: number, b: number, mode: number): boolean {
  let sum = a + b;
  // NaN, infinity (operand or overflow) and the largest finite value go to the exact path.
  if (!(Math.abs(sum) < MAX_DOUBLE)) return false;
  const err = sumError(a, b, sum);
  if (err !== err) return false; // an intermediate overflowed
  // An exact zero of opposite-signed operands is -0 when rounding down (JS gives +0).
  if (sum === 0 && mode === RM_RDN) sum = -(-a + -b);
  // Sums that are tiny are exact, so cmp != 0 implies |sum| is a normal well above 2^-1022.
  return storeRoundedDouble(s, rd, sum, err, mode);
}

function mulDouble(s: VcpuStateViews, rd: number, a: number, b: number, mode: number): boolean {
  const p = a * b;
  const magnitude = Math.abs(p);
  if (magnitude >= SAFE_PRODUCT_MIN && magnitude <= SAFE_PRODUCT_MAX) {
    if (Math.abs(a) > SAFE_SPLIT_MAX || Math.abs(b) > SAFE_SPLIT_MAX) return false;
    return storeRoundedDouble(s, rd, p, productError(a, b, p), mode);
  }
  // A zero operand times a finite value: exact zero with the JS (IEEE) sign.
  if (p === 0 && (a === 0 || b === 0)) return storeRoundedDouble(s, rd, p, 0, mode);
  return false;
}

function divDouble(s: VcpuStateViews, rd: number, a: number, b: number, mode: number): boolean {
  const q = a / b;
  const magnitude = Math.abs(q);
  if (magnitude >= SAFE_PRODUCT_MIN && magnitude <= SAFE_SPLIT_MAX) {
    const absA = Math.abs(a);
    if (Math.abs(b) > SAFE_SPLIT_MAX || absA < SAFE_PRODUCT_MIN || absA > SAFE_PRODUCT_MAX) return false;
    // sign(a/b - q) = sign(a - q*b) * sign(b); a - hi is exact (Sterbenz), the
    // final subtraction keeps the sign of the exact remainder.
    const hi = q * b;
    const remainder = a - hi - productError(q, b, hi);
    return storeRoundedDouble(s, rd, q, b > 0 ? remainder : -remainder, mode);
  }
  // 0/x and x/inf are exact zeros.
  if (q === 0 && (a === 0 || Math.abs(b) === Infinity)) return storeRoundedDouble(s, rd, q, 0, mode);
  return false;
}

function sqrtDouble(s: VcpuStateViews, rd: number, a: number, mode: number): boolean {
  if (a >= SAFE_PRODUCT_MIN && a <= SAFE_PRODUCT_MAX) {
    const r = Math.sqrt(a);
    const square = r * r;
    return storeRoundedDouble(s, rd, r, a - square - productError(r, r, square), mode);
  }
  // sqrt(+-0) = +-0 and sqrt(+inf) = +inf, exactly.
  if (a === 0 || a === Infinity) return storeRoundedDouble(s, rd, a, 0, mode);
  return false;
}

function binaryD(
  s: VcpuStateViews,
  op: BinaryOp,
  rd: number,
  rs1: number,
  rs2: number,
  rm: number,
): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const a = s.f64[SLOT_F + rs1];
  const b = s.f64[SLOT_F + rs2];
  let done: boolean;
  switch (op) {
    case BinaryOp.Add:
      done = addDouble(s, rd, a, b, mode);
      break;
    case BinaryOp.Sub:
      done = addDouble(s, rd, a, -b, mode);
      break;
    case BinaryOp.Mul:
      done = mulDouble(s, rd, a, b, mode);
      break;
    case BinaryOp.Div:
      done = divDouble(s, rd, a, b, mode);
      break;
  }
  if (!done) slowBinary(s, DOUBLE, op, rd, rs1, rs2, mode);
  return true;
}

export function fadd_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryD(s, BinaryOp.Add, rd, rs1, rs2, rm);
}

export function fsub_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryD(s, BinaryOp.Sub, rd, rs1, rs2, rm);
}

export function fmul_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryD(s, BinaryOp.Mul, rd, rs1, rs2, rm);
}

export function fdiv_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryD(s, BinaryOp.Div, rd, rs1, rs2, rm);
}

export function fsqrt_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  if (!sqrtDouble(s, rd, s.f64[SLOT_F + rs1], mode)) slowSqrt(s, DOUBLE, rd, rs1, mode);
  return true;
}

// ---------------------------------------------------------------- singles

/**
 * Stores the single nearest to `exact`, an exact double (single products and
 * conversions of exact values). Infinite values are exact here.
 */
export function storeExactAsSingle(s: VcpuStateViews, rd: number, exact: number, mode: number): boolean {
  const r = Math.fround(exact);
  return storeRoundedSingle(s, rd, r, exact === r ? 0 : exact - r, mode);
}

function addSingle(s: VcpuStateViews, rd: number, a: number, b: number, mode: number): boolean {
  let sum = a + b; // within double range: only an infinite operand makes it infinite
  if (sum !== sum) return false;
  if (Math.abs(sum) === Infinity) return storeRoundedSingle(s, rd, sum, 0, mode);
  if (sum === 0 && mode === RM_RDN) sum = -(-a + -b);
  const r = Math.fround(sum);
  // |sum - r| is a multiple of sum's ulp, so it dominates the TwoSum error when non-zero.
  return storeRoundedSingle(s, rd, r, sum !== r ? sum - r : sumError(a, b, sum), mode);
}

function divSingle(s: VcpuStateViews, rd: number, a: number, b: number, mode: number): boolean {
  // Division by zero, infinities and NaNs go to the exact path.
  if (b === 0 || !(Math.abs(a) < Infinity) || !(Math.abs(b) < Infinity)) return false;
  const r = Math.fround(a / b);
  if (Math.abs(r) === Infinity) return false; // overflow
  // r*b is exact (24x24 bits); sign(a/b - r) = sign(a - r*b) * sign(b).
  const remainder = a - r * b;
  return storeRoundedSingle(s, rd, r, b > 0 ? remainder : -remainder, mode);
}

function sqrtSingle(s: VcpuStateViews, rd: number, a: number, mode: number): boolean {
  if (!(a >= 0)) return false; // NaN, negative (invalid); -0 compares equal to 0 and is kept
  if (a === Infinity) return storeRoundedSingle(s, rd, a, 0, mode);
  const r = Math.fround(Math.sqrt(a));
  return storeRoundedSingle(s, rd, r, a - r * r, mode); // r*r is exact
}

function binaryS(
  s: VcpuStateViews,
  op: BinaryOp,
  rd: number,
  rs1: number,
  rs2: number,
  rm: number,
): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const a = singleValue(readSingle(s, rs1));
  const b = singleValue(readSingle(s, rs2));
  let done: boolean;
  switch (op) {
    case BinaryOp.Add:
      done = addSingle(s, rd, a, b, mode);
      break;
    case BinaryOp.Sub:
      done = addSingle(s, rd, a, -b, mode);
      break;
    case BinaryOp.Mul: {
      const p = a * b; // exact: 48-bit significand, exponent within double range
      done = p === p && storeExactAsSingle(s, rd, p, mode);
      break;
    }
    case BinaryOp.Div:
      done = divSingle(s, rd, a, b, mode);
      break;
  }
  if (!done) slowBinary(s, SINGLE, op, rd, rs1, rs2, mode);
  return true;
}

export function fadd_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryS(s, BinaryOp.Add, rd, rs1, rs2, rm);
}

export function fsub_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryS(s, BinaryOp.Sub, rd, rs1, rs2, rm);
}

export function fmul_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryS(s, BinaryOp.Mul, rd, rs1, rs2, rm);
}

export function fdiv_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean {
  return binaryS(s, BinaryOp.Div, rd, rs1, rs2, rm);
}

export function fsqrt_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  if (!sqrtSingle(s, rd, singleValue(readSingle(s, rs1)), mode)) slowSqrt(s, SINGLE, rd, rs1, mode);
  return true;
}

