/**
 * The exact BigInt reference (src/target/riscv/fpu/slow.ts) called with the
 * same shape as the public functions, for every instruction that rounds.
 */
import { BinaryOp, DOUBLE, SINGLE, slowBinary, slowConvertFloat, slowFma, slowFromInteger, slowSqrt } from '../../src/target/riscv/fpu/slow.js';
import type { FloatFormat } from '../../src/target/riscv/fpu/softfloat.js';
import { SLOT_X, type VcpuStateViews } from '../../src/abi/state-layout.js';
import type { OpShape } from './vector-file.js';

type Call = OpShape['call'];

function binary(fmt: FloatFormat, op: BinaryOp): Call {
  return (s, rd, rs, rm) => {
    slowBinary(s, fmt, op, rd, rs[0]!, rs[1]!, rm);
    return true;
  };
}

function sqrt(fmt: FloatFormat): Call {
  return (s, rd, rs, rm) => {
    slowSqrt(s, fmt, rd, rs[0]!, rm);
    return true;
  };
}

function fma(fmt: FloatFormat, negateProduct: boolean, negateAddend: boolean): Call {
  return (s, rd, rs, rm) => {
    slowFma(s, fmt, rd, rs[0]!, rs[1]!, rs[2]!, rm, negateProduct, negateAddend);
    return true;
  };
}

function convertFloat(from: FloatFormat, to: FloatFormat): Call {
  return (s, rd, rs, rm) => {
    slowConvertFloat(s, from, to, rd, rs[0]!, rm);
    return true;
  };
}

function fromInteger(fmt: FloatFormat, bits: 32 | 64, signed: boolean): Call {
  return (s: VcpuStateViews, rd, rs, rm) => {
    const raw = s.i64[SLOT_X + rs[0]!]!;
    const value = signed ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw);
    slowFromInteger(s, fmt, rd, value, rm);
    return true;
  };
}

export const REFERENCE: Readonly<Record<string, Call>> = {
  'fadd.s': binary(SINGLE, BinaryOp.Add),
  'fsub.s': binary(SINGLE, BinaryOp.Sub),
  'fmul.s': binary(SINGLE, BinaryOp.Mul),
  'fdiv.s': binary(SINGLE, BinaryOp.Div),
  'fadd.d': binary(DOUBLE, BinaryOp.Add),
  'fsub.d': binary(DOUBLE, BinaryOp.Sub),
  'fmul.d': binary(DOUBLE, BinaryOp.Mul),
  'fdiv.d': binary(DOUBLE, BinaryOp.Div),
  'fsqrt.s': sqrt(SINGLE),
  'fsqrt.d': sqrt(DOUBLE),
  'fmadd.s': fma(SINGLE, false, false),
  'fmsub.s': fma(SINGLE, false, true),
  'fnmsub.s': fma(SINGLE, true, false),
  'fnmadd.s': fma(SINGLE, true, true),
  'fmadd.d': fma(DOUBLE, false, false),
  'fmsub.d': fma(DOUBLE, false, true),
  'fnmsub.d': fma(DOUBLE, true, false),
  'fnmadd.d': fma(DOUBLE, true, true),
  'fcvt.s.d': convertFloat(DOUBLE, SINGLE),
  'fcvt.d.s': convertFloat(SINGLE, DOUBLE),
  'fcvt.s.w': fromInteger(SINGLE, 32, true),
  'fcvt.s.wu': fromInteger(SINGLE, 32, false),
  'fcvt.s.l': fromInteger(SINGLE, 64, true),
  'fcvt.s.lu': fromInteger(SINGLE, 64, false),
  'fcvt.d.w': fromInteger(DOUBLE, 32, true),
  'fcvt.d.wu': fromInteger(DOUBLE, 32, false),
  'fcvt.d.l': fromInteger(DOUBLE, 64, true),
  'fcvt.d.lu': fromInteger(DOUBLE, 64, false),
};
