/**
 * Register-level wrappers around the exact BigInt implementation in
 * softfloat.ts. The fast paths fall back to these; tests also call them
 * directly to check the reference against QEMU on its own.
 *
 * `mode` is an already-resolved rounding mode (0..4).
 */
import { SLOT_F, type VcpuStateViews } from '../../../abi/state-layout.js';
import { raiseFlags } from './flags.js';
import { readSingle, writeSingle } from './regs.js';
import * as soft from './softfloat.js';
import { DOUBLE, HALF, SINGLE, type FlagSink, type FloatFormat } from './softfloat.js';

/** The canonical half NaN, what an f register holds for a half that is not NaN-boxed. */
const CANONICAL_NAN_H = 0x7e00n;

/** Bits of the half in f[reg]: the low 16 bits when the upper 48 are all ones, else the canonical NaN. */
function readBitsH(s: VcpuStateViews, reg: number): bigint {
  const v = BigInt.asUintN(64, s.i64[SLOT_F + reg]);
  return v >> 16n === 0xffffffffffffn ? v & 0xffffn : CANONICAL_NAN_H;
}

const SIGN_S = 0x80000000n;
const SIGN_D = 0x8000000000000000n;

function readBitsS(s: VcpuStateViews, reg: number): bigint {
  return BigInt(readSingle(s, reg) >>> 0);
}

function readBitsD(s: VcpuStateViews, reg: number): bigint {
  return BigInt.asUintN(64, s.i64[SLOT_F + reg]);
}

function readBits(s: VcpuStateViews, reg: number, fmt: FloatFormat): bigint {
  if (fmt === HALF) return readBitsH(s, reg);
  return fmt === SINGLE ? readBitsS(s, reg) : readBitsD(s, reg);
}

function writeBits(s: VcpuStateViews, rd: number, bits: bigint, fmt: FloatFormat): void {
  if (fmt === SINGLE) writeSingle(s, rd, Number(bits) | 0);
  else if (fmt === HALF) s.i64[SLOT_F + rd] = BigInt.asIntN(64, 0xffffffffffff0000n | bits); // NaN-boxed
  else s.i64[SLOT_F + rd] = BigInt.asIntN(64, bits);
}

function signBit(fmt: FloatFormat): bigint {
  if (fmt === HALF) return 0x8000n;
  return fmt === SINGLE ? SIGN_S : SIGN_D;
}

/** Writes a result computed by `compute` and raises the flags it collected. */
function commit(s: VcpuStateViews, rd: number, fmt: FloatFormat, compute: (sink: FlagSink) => bigint): void {
  const sink: FlagSink = { flags: 0 };
  const bits = compute(sink);
  writeBits(s, rd, bits, fmt);
  raiseFlags(s, sink.flags);
}

export const enum BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
}

export function slowBinary(
  s: VcpuStateViews,
  fmt: FloatFormat,
  op: BinaryOp,
  rd: number,
  rs1: number,
  rs2: number,
  mode: number,
): void {
  const a = readBits(s, rs1, fmt);
  const b = readBits(s, rs2, fmt);
  commit(s, rd, fmt, (sink) => {
    switch (op) {
      case BinaryOp.Add:
        return soft.add(a, b, fmt, mode, sink);
      case BinaryOp.Sub:
        return soft.add(a, b ^ signBit(fmt), fmt, mode, sink);
      case BinaryOp.Mul:
        return soft.mul(a, b, fmt, mode, sink);
      case BinaryOp.Div:
        return soft.div(a, b, fmt, mode, sink);
    }
  });
}

export function slowSqrt(s: VcpuStateViews, fmt: FloatFormat, rd: number, rs1: number, mode: number): void {
  const a = readBits(s, rs1, fmt);
  commit(s, rd, fmt, (sink) => soft.sqrt(a, fmt, mode, sink));
}

/**
 * Fused multiply-add family: (negateProduct ? -(a*b) : a*b) + (negateAddend ? -c : c),
 * rounded once.
 */
export function slowFma(
  s: VcpuStateViews,
  fmt: FloatFormat,
  rd: number,
  rs1: number,
  rs2: number,
  rs3: number,
  mode: number,
  negateProduct: boolean,
  negateAddend: boolean,
): void {
  const sign = signBit(fmt);
  const a = readBits(s, rs1, fmt) ^ (negateProduct ? sign : 0n);
  const b = readBits(s, rs2, fmt);
  const c = readBits(s, rs3, fmt) ^ (negateAddend ? sign : 0n);
  commit(s, rd, fmt, (sink) => soft.fma(a, b, c, fmt, mode, sink));
}

/** fcvt.s.d (from DOUBLE to SINGLE) and fcvt.d.s. */
export function slowConvertFloat(
  s: VcpuStateViews,
  from: FloatFormat,
  to: FloatFormat,
  rd: number,
  rs1: number,
  mode: number,
): void {
  const a = readBits(s, rs1, from);
  commit(s, rd, to, (sink) => soft.convert(a, from, to, mode, sink));
}

/** fcvt.{s,d}.{w,wu,l,lu} of an exact integer value. */
export function slowFromInteger(s: VcpuStateViews, fmt: FloatFormat, rd: number, value: bigint, mode: number): void {
  commit(s, rd, fmt, (sink) => soft.fromInteger(value, fmt, mode, sink));
}

export { DOUBLE, HALF, SINGLE };
