/**
 * Zfh: half-precision arithmetic, sign injection, comparisons, fmin/fmax, fclass and the
 * conversions to and from integers (the conversions between half and single/double are Zfhmin's,
 * in convert.ts). Operands are read through the NaN-boxing check (a half whose upper 48 register
 * bits are not all ones is the canonical NaN 0x7e00), results are NaN-boxed, as QEMU 7.2's
 * check_nanbox_h / nanbox_h.
 *
 * Rounding goes through the exact softfloat (softfloat.ts, HALF format) for every operation, fma
 * included: one rounding of the exact result straight to half, so no double rounding through a
 * wider format can creep in. Half arithmetic is rare enough that BigInt cost does not matter.
 */
import { SLOT_F, SLOT_X, type VcpuStateViews } from '../../../abi/state-layout.js';
import { FClass } from './bits.js';
import { effectiveRoundingMode, FFLAG_NV, raiseFlags } from './flags.js';
import { writeXInt32 } from './regs.js';
import { BinaryOp, HALF, slowBinary, slowFma, slowFromInteger, slowSqrt } from './slow.js';

/** The canonical half NaN. */
const CANONICAL_NAN_H = 0x7e00;

/** The half in f[reg] (16 bits), or the canonical NaN when it is not NaN-boxed. */
export function readHalf(s: VcpuStateViews, reg: number): number {
  const w = 2 * (SLOT_F + reg);
  return s.i32[w + 1] === -1 && s.i32[w] >>> 16 === 0xffff ? s.i32[w] & 0xffff : CANONICAL_NAN_H;
}

/** Writes a half NaN-boxed into f[rd]. */
export function writeHalf(s: VcpuStateViews, rd: number, bits16: number): void {
  const w = 2 * (SLOT_F + rd);
  s.i32[w] = (bits16 & 0xffff) | -0x10000;
  s.i32[w + 1] = -1;
}

function isNanH(h: number): boolean {
  return (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
}

function isSignalingNanH(h: number): boolean {
  return isNanH(h) && (h & 0x200) === 0;
}

/** The exact value of a non-NaN half. */
export function halfValue(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * frac * 2 ** -24;
  return sign * (frac + 1024) * 2 ** (exp - 25);
}

function classifyHalf(h: number): FClass {
  const negative = (h & 0x8000) !== 0;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0x1f) {
    if (frac !== 0) return (frac & 0x200) !== 0 ? FClass.QuietNan : FClass.SignalingNan;
    return negative ? FClass.NegInf : FClass.PosInf;
  }
  if (exp === 0) {
    if (frac === 0) return negative ? FClass.NegZero : FClass.PosZero;
    return negative ? FClass.NegSubnormal : FClass.PosSubnormal;
  }
  return negative ? FClass.NegNormal : FClass.PosNormal;
}

// ---------------------------------------------------------------- arithmetic

function binary(op: BinaryOp) {
  return (s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number): boolean => {
    const mode = effectiveRoundingMode(s, rm);
    if (mode < 0) return false;
    slowBinary(s, HALF, op, rd, rs1, rs2, mode);
    return true;
  };
}

export const fadd_h = binary(BinaryOp.Add);
export const fsub_h = binary(BinaryOp.Sub);
export const fmul_h = binary(BinaryOp.Mul);
export const fdiv_h = binary(BinaryOp.Div);

export function fsqrt_h(s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean {
  const mode = effectiveRoundingMode(s, rm);
  if (mode < 0) return false;
  slowSqrt(s, HALF, rd, rs1, mode);
  return true;
}

function fused(negateProduct: boolean, negateAddend: boolean) {
  return (s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean => {
    const mode = effectiveRoundingMode(s, rm);
    if (mode < 0) return false;
    slowFma(s, HALF, rd, rs1, rs2, rs3, mode, negateProduct, negateAddend);
    return true;
  };
}

export const fmadd_h = fused(false, false);
export const fmsub_h = fused(false, true);
export const fnmsub_h = fused(true, false);
export const fnmadd_h = fused(true, true);

// ---------------------------------------------------------------- sign injection

function inject(sign: (a: number, b: number) => number) {
  return (s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean => {
    const a = readHalf(s, rs1);
    writeHalf(s, rd, (a & 0x7fff) | (sign(a, readHalf(s, rs2)) & 0x8000));
    return true;
  };
}

export const fsgnj_h = inject((_a, b) => b);
export const fsgnjn_h = inject((_a, b) => ~b);
export const fsgnjx_h = inject((a, b) => a ^ b);

// ---------------------------------------------------------------- comparisons, min/max, class

/** feq (quiet: NV only for a signalling NaN), flt and fle (signalling: NV for any NaN). */
function compare(relation: (a: number, b: number) => boolean, quiet: boolean) {
  return (s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean => {
    const a = readHalf(s, rs1);
    const b = readHalf(s, rs2);
    if (isNanH(a) || isNanH(b)) {
      if (!quiet || isSignalingNanH(a) || isSignalingNanH(b)) raiseFlags(s, FFLAG_NV);
      writeXInt32(s, rd, 0);
      return true;
    }
    writeXInt32(s, rd, relation(halfValue(a), halfValue(b)) ? 1 : 0);
    return true;
  };
}

export const feq_h = compare((a, b) => a === b, true);
export const flt_h = compare((a, b) => a < b, false);
export const fle_h = compare((a, b) => a <= b, false);

/** IEEE 754-2019 minimumNumber/maximumNumber (QEMU 7.2 with priv spec 1.12), as fmin.s. */
function minMax(wantMax: boolean) {
  return (s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean => {
    const a = readHalf(s, rs1);
    const b = readHalf(s, rs2);
    const aNan = isNanH(a);
    const bNan = isNanH(b);
    if (aNan || bNan) {
      if (isSignalingNanH(a) || isSignalingNanH(b)) raiseFlags(s, FFLAG_NV);
      writeHalf(s, rd, aNan && bNan ? CANONICAL_NAN_H : aNan ? b : a);
      return true;
    }
    const va = halfValue(a);
    const vb = halfValue(b);
    const first = va !== vb ? va < vb !== wantMax : (a & 0x8000) !== 0 !== wantMax;
    writeHalf(s, rd, first ? a : b);
    return true;
  };
}

export const fmin_h = minMax(false);
export const fmax_h = minMax(true);

export function fclass_h(s: VcpuStateViews, rd: number, rs1: number): boolean {
  writeXInt32(s, rd, 1 << classifyHalf(readHalf(s, rs1)));
  return true;
}

// ---------------------------------------------------------------- integer -> half

function fromInt(read: (s: VcpuStateViews, rs1: number) => bigint) {
  return (s: VcpuStateViews, rd: number, rs1: number, rm: number): boolean => {
    const mode = effectiveRoundingMode(s, rm);
    if (mode < 0) return false;
    slowFromInteger(s, HALF, rd, read(s, rs1), mode);
    return true;
  };
}

const xReg = (s: VcpuStateViews, r: number): bigint => s.i64[SLOT_X + r];

export const fcvt_h_w = fromInt((s, r) => BigInt.asIntN(32, xReg(s, r)));
export const fcvt_h_wu = fromInt((s, r) => BigInt.asUintN(32, xReg(s, r)));
export const fcvt_h_l = fromInt((s, r) => BigInt.asIntN(64, xReg(s, r)));
export const fcvt_h_lu = fromInt((s, r) => BigInt.asUintN(64, xReg(s, r)));
