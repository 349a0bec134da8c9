/**
 * fcvt between floats and integers, and between single and double.
 *
 * Float -> integer never needs BigInt: every single and double is an exact JS
 * number, Math.trunc and the fraction v - trunc(v) are exact, and the
 * out-of-range/NaN cases saturate as the ISA's conversion table says (NV,
 * no NX). Integer -> float uses exact doubles where they suffice and the
 * round-to-nearest result plus the sign of the error otherwise.
 */
import { SLOT_F, type VcpuStateViews } from '../../../abi/state-layout.js';
import { isNanD, isNanS, singleValue } from './bits.js';
import { effectiveRoundingMode, FFLAG_NV, FFLAG_NX, raiseFlags, RM_RDN, RM_RNE, RM_RTZ, RM_RUP } from './flags.js';
import { fWord, readSingle, writeXFromIntegral, writeXInt32, writeXWords, xWord } from './regs.js';
import { storeExactAsSingle } from './arith.js';
import { storeRoundedDouble, sumError } from './round.js';
import { DOUBLE, HALF, SINGLE, slowConvertFloat, slowFromInteger } from './slow.js';
import type { FloatFormat } from './softfloat.js';
import { halfValue, readHalf } from './half.js';

const TWO_32 = 4294967296;

const enum IntKind {
  Word, // w: signed 32-bit, sign-extended into x[rd]
  WordUnsigned, // wu: unsigned 32-bit, also sign-extended (RV64 rule)
  Long, // l: signed 64-bit
  LongUnsigned, // lu: unsigned 64-bit
}

/** Smallest valid rounded value for each kind (-0 counts as 0). */
const LOWER = [-(2 ** 31), 0, -(2 ** 63), 0];
/** First rounded value that is too large for each kind. */
const UPPER_EXCLUSIVE = [2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64];

/** v (finite or infinite, not NaN) rounded to an integral value per mode. */
function roundToIntegral(v: number, mode: number): number {
  const t = Math.trunc(v);
  if (t === v) return v;
  const frac = v - t; // exact; |v| < 2^52 here, so t +- 1 is exact too
  switch (mode) {
    case RM_RNE: {
      const half = Math.abs(frac);
      return half > 0.5 || (half === 0.5 && t % 2 !== 0) ? t + Math.sign(v) : t;
    }
    case RM_RTZ:
      return t;
    case RM_RDN:
      return frac < 0 ? t - 1 : t;
    case RM_RUP:
      return frac > 0 ? t + 1 : t;
    default: // RMM
      return Math.abs(frac) >= 0.5 ? t + Math.sign(v) : t;
  }
}

/** Writes the saturated result for an invalid conversion (positive side also covers NaN). */
function writeSaturated(s: VcpuStateViews, rd: number, kind: IntKind, negative: boolean): void {
  switch (kind) {
    case IntKind.Word:
      writeXInt32(s, rd, negative ? -0x80000000 : 0x7fffffff);
      break;
    case IntKind.WordUnsigned:
      writeXInt32(s, rd, negative ? 0 : -1);
      break;
    case IntKind.Long:
      writeXWords(s, rd, negative ? -0x80000000 : 0x7fffffff, negative ? 0 : -1);
      break;
    case IntKind.LongUnsigned:
      writeXWords(s, rd, negative ? 0 : -1, negative ? 0 : -1);
      break;
  }
}

function floatToInt(s: VcpuStateViews, rd: number, v: number, rm: number, kind: IntKind): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  if (v !== v) {
    writeSaturated(s, rd, kind, false);
    raiseFlags(s, FFLAG_NV);
    return true;
  }
  const r = roundToIntegral(v, mode);
  if (r < LOWER[kind] || r >= UPPER_EXCLUSIVE[kind]) {
    writeSaturated(s, rd, kind, v < 0);
    raiseFlags(s, FFLAG_NV);
    return true;
  }
  if (kind === IntKind.Word || kind === IntKind.WordUnsigned) writeXInt32(s, rd, r | 0);
  else writeXFromIntegral(s, rd, r);
  if (r !== v) raiseFlags(s, FFLAG_NX);
  return true;
}

function singleOperand(s: VcpuStateViews, rs1: number): number {
  return singleValue(readSingle(s, rs1)); // NaN patterns (and unboxed values) give NaN
}

export function fcvt_w_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, singleOperand(s, rs1), rm, IntKind.Word);
}
export function fcvt_wu_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, singleOperand(s, rs1), rm, IntKind.WordUnsigned);
}
export function fcvt_l_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, singleOperand(s, rs1), rm, IntKind.Long);
}
export function fcvt_lu_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, singleOperand(s, rs1), rm, IntKind.LongUnsigned);
}
export function fcvt_w_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, s.f64[SLOT_F + rs1], rm, IntKind.Word);
}
export function fcvt_wu_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, s.f64[SLOT_F + rs1], rm, IntKind.WordUnsigned);
}
export function fcvt_l_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, s.f64[SLOT_F + rs1], rm, IntKind.Long);
}
export function fcvt_lu_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, s.f64[SLOT_F + rs1], rm, IntKind.LongUnsigned);
}

// ---------------------------------------------------------------- integer -> float

/** The exact integer held in x[rs1] for a conversion of the given kind. */
function exactIntegerOperand(s: VcpuStateViews, rs1: number, kind: IntKind): bigint {
  const w = xWord(rs1);
  const lo = s.i32[w];
  switch (kind) {
    case IntKind.Word:
      return BigInt(lo);
    case IntKind.WordUnsigned:
      return BigInt(lo >>> 0);
    case IntKind.Long:
      return (BigInt(s.i32[w + 1]) << 32n) | BigInt(lo >>> 0);
    case IntKind.LongUnsigned:
      return (BigInt(s.i32[w + 1] >>> 0) << 32n) | BigInt(lo >>> 0);
  }
}

/**
 * The 64-bit operand as a double that rounds to a single exactly like the
 * integer does: exact below 2^53; above, the low 16 bits (far below a
 * single's rounding point, which is then at 2^29 or higher) are folded into
 * one sticky bit so the value fits in a double's 53 bits.
 */
function singleRoundingProxy(high: number, lo: number, small: boolean): number {
  if (small) return high * TWO_32 + (lo >>> 0);
  const folded = ((lo & 0xffff0000) | ((lo & 0xffff) !== 0 ? 0x8000 : 0)) >>> 0;
  return high * TWO_32 + folded;
}

function intToSingle(s: VcpuStateViews, rd: number, rs1: number, rm: number, kind: IntKind): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const w = xWord(rs1);
  const lo = s.i32[w];
  const hi = s.i32[w + 1];
  let value: number;
  switch (kind) {
    case IntKind.Word:
      value = lo;
      break;
    case IntKind.WordUnsigned:
      value = lo >>> 0;
      break;
    case IntKind.Long:
      value = singleRoundingProxy(hi, lo, hi >= -0x200000 && hi < 0x200000);
      break;
    case IntKind.LongUnsigned:
      value = singleRoundingProxy(hi >>> 0, lo, hi >>> 0 < 0x200000);
      break;
  }
  if (!storeExactAsSingle(s, rd, value, mode)) slowFromInteger(s, SINGLE, rd, exactIntegerOperand(s, rs1, kind), mode);
  return true;
}

function intToDouble(s: VcpuStateViews, rd: number, rs1: number, rm: number, kind: IntKind): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const w = xWord(rs1);
  const lo = s.i32[w];
  if (kind === IntKind.Word || kind === IntKind.WordUnsigned) {
    s.f64[SLOT_F + rd] = kind === IntKind.Word ? lo : lo >>> 0; // exact
    return true;
  }
  const hi = s.i32[w + 1];
  const high = (kind === IntKind.Long ? hi : hi >>> 0) * TWO_32; // exact
  const low = lo >>> 0;
  const value = high + low; // the one rounding of the exact integer
  if (!storeRoundedDouble(s, rd, value, sumError(high, low, value), mode)) {
    slowFromInteger(s, DOUBLE, rd, exactIntegerOperand(s, rs1, kind), mode);
  }
  return true;
}

export function fcvt_s_w(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToSingle(s, rd, rs1, rm, IntKind.Word);
}
export function fcvt_s_wu(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToSingle(s, rd, rs1, rm, IntKind.WordUnsigned);
}
export function fcvt_s_l(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToSingle(s, rd, rs1, rm, IntKind.Long);
}
export function fcvt_s_lu(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToSingle(s, rd, rs1, rm, IntKind.LongUnsigned);
}
export function fcvt_d_w(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToDouble(s, rd, rs1, rm, IntKind.Word);
}
export function fcvt_d_wu(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToDouble(s, rd, rs1, rm, IntKind.WordUnsigned);
}
export function fcvt_d_l(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToDouble(s, rd, rs1, rm, IntKind.Long);
}
export function fcvt_d_lu(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return intToDouble(s, rd, rs1, rm, IntKind.LongUnsigned);
}

// ---------------------------------------------------------------- single <-> double

/** fcvt.s.d: one rounding of the double to single. */
export function fcvt_s_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const w = fWord(rs1);
  const nan = isNanD(s.i32[w + 1], s.i32[w]);
  if (nan || !storeExactAsSingle(s, rd, s.f64[SLOT_F + rs1], mode)) slowConvertFloat(s, DOUBLE, SINGLE, rd, rs1, mode);
  return true;
}

/** fcvt.d.s: exact widening (NaNs become the canonical NaN). */
export function fcvt_d_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  const bits = readSingle(s, rs1);
  if (isNanS(bits)) slowConvertFloat(s, SINGLE, DOUBLE, rd, rs1, mode);
  else s.f64[SLOT_F + rd] = singleValue(bits);
  return true;
}

// ---------------------------------------------------------------- Zfhmin: half <-> single, double

/** One conversion between formats, exactly (softfloat), after the rounding-mode check. */
function convertHalf(s: VcpuStateViews, from: FloatFormat, to: FloatFormat, rd: number, rs1: number, rm: number): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  slowConvertFloat(s, from, to, rd, rs1, mode);
  return true;
}

export function fcvt_s_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return convertHalf(s, HALF, SINGLE, rd, rs1, rm);
}
export function fcvt_h_s(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return convertHalf(s, SINGLE, HALF, rd, rs1, rm);
}
export function fcvt_d_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return convertHalf(s, HALF, DOUBLE, rd, rs1, rm);
}
export function fcvt_h_d(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return convertHalf(s, DOUBLE, HALF, rd, rs1, rm);
}

// ---------------------------------------------------------------- Zfh: half -> integer

/** Every half is an exact double (NaN patterns, and unboxed operands, give NaN). */
function halfOperand(s: VcpuStateViews, rs1: number): number {
  return halfValue(readHalf(s, rs1));
}

export function fcvt_w_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, halfOperand(s, rs1), rm, IntKind.Word);
}
export function fcvt_wu_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, halfOperand(s, rs1), rm, IntKind.WordUnsigned);
}
export function fcvt_l_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, halfOperand(s, rs1), rm, IntKind.Long);
}
export function fcvt_lu_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  return floatToInt(s, rd, halfOperand(s, rs1), rm, IntKind.LongUnsigned);
}
