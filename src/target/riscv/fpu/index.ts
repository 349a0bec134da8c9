/**
 * RISC-V F and D extension semantics, called by translated code.
 *
 * Every function reads its operands from the vCPU state (f registers as raw
 * bits, x registers as 64-bit integers), writes rd, ORs exception flags into
 * fflags and returns true. Functions with a rounding-mode operand return false,
 * having changed nothing, when the mode is reserved (rm 5/6, or DYN with frm
 * 5..7): the caller then raises an illegal-instruction exception.
 */
export { fadd_d, fadd_s, fdiv_d, fdiv_s, fmul_d, fmul_s, fsqrt_d, fsqrt_s, fsub_d, fsub_s } from './arith.js';
export { fmadd_d, fmadd_s, fmsub_d, fmsub_s, fnmadd_d, fnmadd_s, fnmsub_d, fnmsub_s } from './fma.js';
export {
  fcvt_d_l,
  fcvt_d_lu,
  fcvt_d_s,
  fcvt_d_w,
  fcvt_d_wu,
  fcvt_l_d,
  fcvt_l_s,
  fcvt_lu_d,
  fcvt_lu_s,
  fcvt_s_d,
  fcvt_s_l,
  fcvt_s_lu,
  fcvt_s_w,
  fcvt_s_wu,
  fcvt_w_d,
  fcvt_w_s,
  fcvt_wu_d,
  fcvt_wu_s,
  fcvt_s_h,
  fcvt_h_s,
  fcvt_d_h,
  fcvt_h_d,
  fcvt_w_h,
  fcvt_wu_h,
  fcvt_l_h,
  fcvt_lu_h,
} from './convert.js';
export {
  fadd_h, fsub_h, fmul_h, fdiv_h, fsqrt_h, fmadd_h, fmsub_h, fnmsub_h, fnmadd_h, fsgnj_h, fsgnjn_h, fsgnjx_h,
  feq_h, flt_h, fle_h, fmin_h, fmax_h, fclass_h, fcvt_h_w, fcvt_h_wu, fcvt_h_l, fcvt_h_lu,
} from './half.js';
export {
  fclass_d,
  fclass_s,
  feq_d,
  feq_s,
  fle_d,
  fle_s,
  flt_d,
  flt_s,
  fmax_d,
  fmax_s,
  fmin_d,
  fmin_s,
} from './compare.js';
export {
  fmv_d_x,
  fmv_h_x,
  fmv_x_h,
  fmv_w_x,
  fmv_x_d,
  fmv_x_w,
  fsgnj_d,
  fsgnj_s,
  fsgnjn_d,
  fsgnjn_s,
  fsgnjx_d,
  fsgnjx_s,
} from './move.js';
export {
  FFLAG_DZ,
  FFLAG_NV,
  FFLAG_NX,
  FFLAG_OF,
  FFLAG_UF,
  RM_DYN,
  RM_RDN,
  RM_RMM,
  RM_RNE,
  RM_RTZ,
  RM_RUP,
  effectiveRoundingMode,
} from './flags.js';
export { CANONICAL_NAN_S, nanBoxSingle, readSingle, writeSingle } from './regs.js';
