/**
 * What each FP operation of the `fpuOp` helper does with its operand fields, by its index in
 * FP_OPS (src/abi/ops.ts): which of rs1, rs2, rs3 and rm the function takes, whether it writes
 * an f register, and the function. Built once at load, so executing an FP instruction is one
 * table load and one call with the right arguments: no name parsing and no argument array.
 */
import type { VcpuStateViews } from '../../../abi/state-layout.js';
import { FP_OPS, type FpOpName } from '../../../abi/ops.js';
import * as fpu from './index.js';

/** The operand fields an FP operation reads besides rd (rd is always its destination). */
export const enum FpOperands {
  /** fmv, fclass: rs1. */
  Rs1,
  /** fsqrt, fcvt: rs1, rm. */
  Rs1Rm,
  /** fsgnj*, fmin/fmax, feq/flt/fle: rs1, rs2. */
  Rs1Rs2,
  /** fadd, fsub, fmul, fdiv: rs1, rs2, rm. */
  Rs1Rs2Rm,
  /** The fused multiply-adds: rs1, rs2, rs3, rm. */
  Rs1Rs2Rs3Rm,
}

type Fn<Args extends number[]> = (s: VcpuStateViews, rd: number, ...args: Args) => boolean;

/** How the function is called: `operands` says which fields follow rd. */
type Call =
  | { readonly operands: FpOperands.Rs1; readonly fn: Fn<[rs1: number]> }
  | { readonly operands: FpOperands.Rs1Rm; readonly fn: Fn<[rs1: number, rm: number]> }
  | { readonly operands: FpOperands.Rs1Rs2; readonly fn: Fn<[rs1: number, rs2: number]> }
  | { readonly operands: FpOperands.Rs1Rs2Rm; readonly fn: Fn<[rs1: number, rs2: number, rm: number]> }
  | { readonly operands: FpOperands.Rs1Rs2Rs3Rm; readonly fn: Fn<[rs1: number, rs2: number, rs3: number, rm: number]> };

type Described = Call & {
  /** The result goes to f[rd] (mstatus.FS becomes dirty); otherwise to x[rd] (FS unchanged, as QEMU). */
  readonly writesFreg: boolean;
};

/** One FP operation. */
export type FpOpEntry = Described & { readonly name: FpOpName };

const toF = true;
const toX = false;
const rs1 = (fn: Fn<[number]>, writesFreg: boolean): Described => ({ operands: FpOperands.Rs1, fn, writesFreg });
const rs1Rm = (fn: Fn<[number, number]>, writesFreg: boolean): Described => ({ operands: FpOperands.Rs1Rm, fn, writesFreg });
const rs1Rs2 = (fn: Fn<[number, number]>, writesFreg: boolean): Described => ({ operands: FpOperands.Rs1Rs2, fn, writesFreg });
const rs1Rs2Rm = (fn: Fn<[number, number, number]>): Described => ({ operands: FpOperands.Rs1Rs2Rm, fn, writesFreg: toF });
const fused = (fn: Fn<[number, number, number, number]>): Described => ({ operands: FpOperands.Rs1Rs2Rs3Rm, fn, writesFreg: toF });

/** Every FP operation by name (a missing or unknown name does not compile). */
const BY_NAME: Record<FpOpName, Described> = {
  fadd_s: rs1Rs2Rm(fpu.fadd_s), fsub_s: rs1Rs2Rm(fpu.fsub_s), fmul_s: rs1Rs2Rm(fpu.fmul_s), fdiv_s: rs1Rs2Rm(fpu.fdiv_s),
  fadd_d: rs1Rs2Rm(fpu.fadd_d), fsub_d: rs1Rs2Rm(fpu.fsub_d), fmul_d: rs1Rs2Rm(fpu.fmul_d), fdiv_d: rs1Rs2Rm(fpu.fdiv_d),
  fsqrt_s: rs1Rm(fpu.fsqrt_s, toF), fsqrt_d: rs1Rm(fpu.fsqrt_d, toF),
  fsgnj_s: rs1Rs2(fpu.fsgnj_s, toF), fsgnjn_s: rs1Rs2(fpu.fsgnjn_s, toF), fsgnjx_s: rs1Rs2(fpu.fsgnjx_s, toF),
  fsgnj_d: rs1Rs2(fpu.fsgnj_d, toF), fsgnjn_d: rs1Rs2(fpu.fsgnjn_d, toF), fsgnjx_d: rs1Rs2(fpu.fsgnjx_d, toF),
  fmin_s: rs1Rs2(fpu.fmin_s, toF), fmax_s: rs1Rs2(fpu.fmax_s, toF), fmin_d: rs1Rs2(fpu.fmin_d, toF), fmax_d: rs1Rs2(fpu.fmax_d, toF),
  feq_s: rs1Rs2(fpu.feq_s, toX), flt_s: rs1Rs2(fpu.flt_s, toX), fle_s: rs1Rs2(fpu.fle_s, toX),
  feq_d: rs1Rs2(fpu.feq_d, toX), flt_d: rs1Rs2(fpu.flt_d, toX), fle_d: rs1Rs2(fpu.fle_d, toX),
  fclass_s: rs1(fpu.fclass_s, toX), fclass_d: rs1(fpu.fclass_d, toX),
  fcvt_s_h: rs1Rm(fpu.fcvt_s_h, toF), fcvt_h_s: rs1Rm(fpu.fcvt_h_s, toF), fcvt_d_h: rs1Rm(fpu.fcvt_d_h, toF), fcvt_h_d: rs1Rm(fpu.fcvt_h_d, toF),
  fmv_x_h: rs1(fpu.fmv_x_h, toX), fmv_h_x: rs1(fpu.fmv_h_x, toF),
  fmv_x_w: rs1(fpu.fmv_x_w, toX), fmv_x_d: rs1(fpu.fmv_x_d, toX), fmv_w_x: rs1(fpu.fmv_w_x, toF), fmv_d_x: rs1(fpu.fmv_d_x, toF),
  fcvt_w_s: rs1Rm(fpu.fcvt_w_s, toX), fcvt_wu_s: rs1Rm(fpu.fcvt_wu_s, toX), fcvt_l_s: rs1Rm(fpu.fcvt_l_s, toX), fcvt_lu_s: rs1Rm(fpu.fcvt_lu_s, toX),
  fcvt_w_d: rs1Rm(fpu.fcvt_w_d, toX), fcvt_wu_d: rs1Rm(fpu.fcvt_wu_d, toX), fcvt_l_d: rs1Rm(fpu.fcvt_l_d, toX), fcvt_lu_d: rs1Rm(fpu.fcvt_lu_d, toX),
  fcvt_s_w: rs1Rm(fpu.fcvt_s_w, toF), fcvt_s_wu: rs1Rm(fpu.fcvt_s_wu, toF), fcvt_s_l: rs1Rm(fpu.fcvt_s_l, toF), fcvt_s_lu: rs1Rm(fpu.fcvt_s_lu, toF),
  fcvt_d_w: rs1Rm(fpu.fcvt_d_w, toF), fcvt_d_wu: rs1Rm(fpu.fcvt_d_wu, toF), fcvt_d_l: rs1Rm(fpu.fcvt_d_l, toF), fcvt_d_lu: rs1Rm(fpu.fcvt_d_lu, toF),
  fcvt_s_d: rs1Rm(fpu.fcvt_s_d, toF), fcvt_d_s: rs1Rm(fpu.fcvt_d_s, toF),
  fmadd_s: fused(fpu.fmadd_s), fmsub_s: fused(fpu.fmsub_s), fnmsub_s: fused(fpu.fnmsub_s), fnmadd_s: fused(fpu.fnmadd_s),
  fmadd_d: fused(fpu.fmadd_d), fmsub_d: fused(fpu.fmsub_d), fnmsub_d: fused(fpu.fnmsub_d), fnmadd_d: fused(fpu.fnmadd_d),
  fadd_h: rs1Rs2Rm(fpu.fadd_h), fsub_h: rs1Rs2Rm(fpu.fsub_h), fmul_h: rs1Rs2Rm(fpu.fmul_h), fdiv_h: rs1Rs2Rm(fpu.fdiv_h),
  fsqrt_h: rs1Rm(fpu.fsqrt_h, toF),
  fsgnj_h: rs1Rs2(fpu.fsgnj_h, toF), fsgnjn_h: rs1Rs2(fpu.fsgnjn_h, toF), fsgnjx_h: rs1Rs2(fpu.fsgnjx_h, toF),
  fmin_h: rs1Rs2(fpu.fmin_h, toF), fmax_h: rs1Rs2(fpu.fmax_h, toF),
  feq_h: rs1Rs2(fpu.feq_h, toX), flt_h: rs1Rs2(fpu.flt_h, toX), fle_h: rs1Rs2(fpu.fle_h, toX), fclass_h: rs1(fpu.fclass_h, toX),
  fcvt_w_h: rs1Rm(fpu.fcvt_w_h, toX), fcvt_wu_h: rs1Rm(fpu.fcvt_wu_h, toX), fcvt_l_h: rs1Rm(fpu.fcvt_l_h, toX), fcvt_lu_h: rs1Rm(fpu.fcvt_lu_h, toX),
  fcvt_h_w: rs1Rm(fpu.fcvt_h_w, toF), fcvt_h_wu: rs1Rm(fpu.fcvt_h_wu, toF), fcvt_h_l: rs1Rm(fpu.fcvt_h_l, toF), fcvt_h_lu: rs1Rm(fpu.fcvt_h_lu, toF),
  fmadd_h: fused(fpu.fmadd_h), fmsub_h: fused(fpu.fmsub_h), fnmsub_h: fused(fpu.fnmsub_h), fnmadd_h: fused(fpu.fnmadd_h),
};

/** FP_OP_TABLE[i] describes FP_OPS[i]. */
export const FP_OP_TABLE: readonly FpOpEntry[] = FP_OPS.map((name) => ({ name, ...BY_NAME[name] }));
