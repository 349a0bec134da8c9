/**
 * Operation codes that translated code passes to the vCPU's helpers as constants: which CSR
 * operation a `csrAccess` call performs, which AMO an `amo` call performs, which FP operation an
 * `fpuOp` call performs (an index into FP_OPS). src/abi/helpers.ts declares the helpers.
 */

/** The CSR instructions' operation (csrrw/csrrs/csrrc and their immediate forms): `csrAccess`'s `op`. */
export const enum CsrOp { Write = 1, Set = 2, Clear = 3 }

/** The AMO, LR and SC operations of the `amo` helper. */
export const enum AMO { swap, add, xor, and, or, min, max, minu, maxu, lr, sc }

/**
 * Every computational FP instruction is one helper call: fpuOp(index in FP_OPS, rd, rs1, rs2, rs3,
 * rm, ...). The vCPU looks the index up in a table built once (src/target/riscv/fpu/op-table.ts)
 * that says which of those fields the operation reads.
 */
export const FP_OPS = [
  'fadd_s', 'fsub_s', 'fmul_s', 'fdiv_s', 'fsqrt_s', 'fsgnj_s', 'fsgnjn_s', 'fsgnjx_s', 'fmin_s', 'fmax_s',
  'fcvt_w_s', 'fcvt_wu_s', 'fcvt_l_s', 'fcvt_lu_s', 'fmv_x_w', 'feq_s', 'flt_s', 'fle_s', 'fclass_s',
  'fcvt_s_w', 'fcvt_s_wu', 'fcvt_s_l', 'fcvt_s_lu', 'fmv_w_x',
  'fadd_d', 'fsub_d', 'fmul_d', 'fdiv_d', 'fsqrt_d', 'fsgnj_d', 'fsgnjn_d', 'fsgnjx_d', 'fmin_d', 'fmax_d',
  'fcvt_s_d', 'fcvt_d_s', 'feq_d', 'flt_d', 'fle_d', 'fclass_d',
  'fcvt_w_d', 'fcvt_wu_d', 'fcvt_l_d', 'fcvt_lu_d', 'fcvt_d_w', 'fcvt_d_wu', 'fcvt_d_l', 'fcvt_d_lu',
  'fmv_x_d', 'fmv_d_x',
  'fmadd_s', 'fmsub_s', 'fnmsub_s', 'fnmadd_s', 'fmadd_d', 'fmsub_d', 'fnmsub_d', 'fnmadd_d',
  // Zfhmin
  'fcvt_s_h', 'fcvt_h_s', 'fcvt_d_h', 'fcvt_h_d', 'fmv_x_h', 'fmv_h_x',
  // Zfh
  'fadd_h', 'fsub_h', 'fmul_h', 'fdiv_h', 'fsqrt_h', 'fsgnj_h', 'fsgnjn_h', 'fsgnjx_h', 'fmin_h', 'fmax_h',
  'fcvt_w_h', 'fcvt_wu_h', 'fcvt_l_h', 'fcvt_lu_h', 'feq_h', 'flt_h', 'fle_h', 'fclass_h',
  'fcvt_h_w', 'fcvt_h_wu', 'fcvt_h_l', 'fcvt_h_lu', 'fmadd_h', 'fmsub_h', 'fnmsub_h', 'fnmadd_h',
] as const;

/** The name of an FP operation (as the decoder names the instruction). */
export type FpOpName = (typeof FP_OPS)[number];
