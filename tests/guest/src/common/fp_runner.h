/* Table-driven F/D instruction tester, included by rv64f.c (FP_FMT_S) and
 * rv64d.c (FP_FMT_D) after defining the format. Each vector names an op, a
 * rounding mode (static rm encoded in the instruction, or dynamic via frm),
 * operands and the expected result and fflags (generated from an exact
 * reference model, see tools/gen-fp-vectors.ts). For static-rm vectors frm is
 * set to a *different* mode first, so ignoring the static field is caught.
 * Single-precision operands are NaN-boxed; single results must come back
 * NaN-boxed (the full 64-bit register is compared). */
#ifndef FP_RUNNER_H
#define FP_RUNNER_H
#include "test.h"

struct fp_vector {
  uint8_t op, rm, flags;
  uint16_t a, b, c, r;
};

/* Op numbering: must match OPS in tools/gen-fp-vectors.ts. */
enum {
  OP_FADD, OP_FSUB, OP_FMUL, OP_FDIV, OP_FSQRT, OP_FMADD, OP_FMSUB, OP_FNMSUB, OP_FNMADD, OP_FMIN, OP_FMAX,
  OP_FSGNJ, OP_FSGNJN, OP_FSGNJX, OP_FEQ, OP_FLT, OP_FLE, OP_FCLASS, OP_FCVT_W, OP_FCVT_WU, OP_FCVT_L,
  OP_FCVT_LU, OP_FCVT_F_W, OP_FCVT_F_WU, OP_FCVT_F_L, OP_FCVT_F_LU, OP_FCVT_F_F, OP_FMV_X_F, OP_FMV_F_X,
  OP_COUNT
};

typedef uint64_t (*fp_fn)(uint64_t a, uint64_t b, uint64_t c, uint64_t *flags);

/* Loads a, b, c into ft0..ft2 (raw 64-bit patterns), clears fflags, runs
 * `body` (result in %0), then reads fflags. */
#define FP_FN(fname, body)                                                                           \
  static uint64_t fname(uint64_t a, uint64_t b, uint64_t c, uint64_t *flags) {                        \
    uint64_t r, f;                                                                                   \
    __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\t"                     \
                     "csrw fflags, zero\n\t" body "\n\tcsrr %1, fflags"                               \
                     : "=&r"(r), "=&r"(f)                                                            \
                     : "r"(a), "r"(b), "r"(c)                                                        \
                     : "ft0", "ft1", "ft2", "ft3", "memory");                                         \
    *flags = f;                                                                                      \
    return r;                                                                                        \
  }

/* Six variants per rounding op: static rne..rmm, then dyn. */
#define RM_VARIANTS(name, make)                                                                      \
  make(name##_0, "rne") make(name##_1, "rtz") make(name##_2, "rdn") make(name##_3, "rup")            \
  make(name##_4, "rmm") make(name##_dyn, "dyn")                                                      \
  static const fp_fn name##_fns[6] = {name##_0, name##_1, name##_2, name##_3, name##_4, name##_dyn};
#define ONE_VARIANT(name, make)                                                                      \
  make(name##_only, "")                                                                              \
  static const fp_fn name##_fns[6] = {name##_only, name##_only, name##_only,                         \
                                      name##_only, name##_only, name##_only};

#define FRES "\n\tfmv.x.d %0, ft3"
#define MK_FADD(fn, rm) FP_FN(fn, "fadd." FP_SUFFIX " ft3, ft0, ft1, " rm FRES)
#define MK_FSUB(fn, rm) FP_FN(fn, "fsub." FP_SUFFIX " ft3, ft0, ft1, " rm FRES)
#define MK_FMUL(fn, rm) FP_FN(fn, "fmul." FP_SUFFIX " ft3, ft0, ft1, " rm FRES)
#define MK_FDIV(fn, rm) FP_FN(fn, "fdiv." FP_SUFFIX " ft3, ft0, ft1, " rm FRES)
#define MK_FSQRT(fn, rm) FP_FN(fn, "fsqrt." FP_SUFFIX " ft3, ft0, " rm FRES)
#define MK_FMADD(fn, rm) FP_FN(fn, "fmadd." FP_SUFFIX " ft3, ft0, ft1, ft2, " rm FRES)
#define MK_FMSUB(fn, rm) FP_FN(fn, "fmsub." FP_SUFFIX " ft3, ft0, ft1, ft2, " rm FRES)
#define MK_FNMSUB(fn, rm) FP_FN(fn, "fnmsub." FP_SUFFIX " ft3, ft0, ft1, ft2, " rm FRES)
#define MK_FNMADD(fn, rm) FP_FN(fn, "fnmadd." FP_SUFFIX " ft3, ft0, ft1, ft2, " rm FRES)
#define MK_FMIN(fn, rm) FP_FN(fn, "fmin." FP_SUFFIX " ft3, ft0, ft1" FRES)
#define MK_FMAX(fn, rm) FP_FN(fn, "fmax." FP_SUFFIX " ft3, ft0, ft1" FRES)
#define MK_FSGNJ(fn, rm) FP_FN(fn, "fsgnj." FP_SUFFIX " ft3, ft0, ft1" FRES)
#define MK_FSGNJN(fn, rm) FP_FN(fn, "fsgnjn." FP_SUFFIX " ft3, ft0, ft1" FRES)
#define MK_FSGNJX(fn, rm) FP_FN(fn, "fsgnjx." FP_SUFFIX " ft3, ft0, ft1" FRES)
#define MK_FEQ(fn, rm) FP_FN(fn, "feq." FP_SUFFIX " %0, ft0, ft1")
#define MK_FLT(fn, rm) FP_FN(fn, "flt." FP_SUFFIX " %0, ft0, ft1")
#define MK_FLE(fn, rm) FP_FN(fn, "fle." FP_SUFFIX " %0, ft0, ft1")
#define MK_FCLASS(fn, rm) FP_FN(fn, "fclass." FP_SUFFIX " %0, ft0")
#define MK_FCVT_W(fn, rm) FP_FN(fn, "fcvt.w." FP_SUFFIX " %0, ft0, " rm)
#define MK_FCVT_WU(fn, rm) FP_FN(fn, "fcvt.wu." FP_SUFFIX " %0, ft0, " rm)
#define MK_FCVT_L(fn, rm) FP_FN(fn, "fcvt.l." FP_SUFFIX " %0, ft0, " rm)
#define MK_FCVT_LU(fn, rm) FP_FN(fn, "fcvt.lu." FP_SUFFIX " %0, ft0, " rm)
#define MK_FCVT_F_L(fn, rm) FP_FN(fn, "fcvt." FP_SUFFIX ".l ft3, %2, " rm FRES)
#define MK_FCVT_F_LU(fn, rm) FP_FN(fn, "fcvt." FP_SUFFIX ".lu ft3, %2, " rm FRES)
#define MK_FMV_X_F(fn, rm) FP_FN(fn, "fmv.x." FP_MV_SUFFIX " %0, ft0")
#define MK_FMV_F_X(fn, rm) FP_FN(fn, "fmv." FP_MV_SUFFIX ".x ft3, %2" FRES)

RM_VARIANTS(op_fadd, MK_FADD)
RM_VARIANTS(op_fsub, MK_FSUB)
RM_VARIANTS(op_fmul, MK_FMUL)
RM_VARIANTS(op_fdiv, MK_FDIV)
RM_VARIANTS(op_fsqrt, MK_FSQRT)
RM_VARIANTS(op_fmadd, MK_FMADD)
RM_VARIANTS(op_fmsub, MK_FMSUB)
RM_VARIANTS(op_fnmsub, MK_FNMSUB)
RM_VARIANTS(op_fnmadd, MK_FNMADD)
ONE_VARIANT(op_fmin, MK_FMIN)
ONE_VARIANT(op_fmax, MK_FMAX)
ONE_VARIANT(op_fsgnj, MK_FSGNJ)
ONE_VARIANT(op_fsgnjn, MK_FSGNJN)
ONE_VARIANT(op_fsgnjx, MK_FSGNJX)
ONE_VARIANT(op_feq, MK_FEQ)
ONE_VARIANT(op_flt, MK_FLT)
ONE_VARIANT(op_fle, MK_FLE)
ONE_VARIANT(op_fclass, MK_FCLASS)
RM_VARIANTS(op_fcvt_w, MK_FCVT_W)
RM_VARIANTS(op_fcvt_wu, MK_FCVT_WU)
RM_VARIANTS(op_fcvt_l, MK_FCVT_L)
RM_VARIANTS(op_fcvt_lu, MK_FCVT_LU)
RM_VARIANTS(op_fcvt_f_l, MK_FCVT_F_L)
RM_VARIANTS(op_fcvt_f_lu, MK_FCVT_F_LU)
ONE_VARIANT(op_fmv_x_f, MK_FMV_X_F)
ONE_VARIANT(op_fmv_f_x, MK_FMV_F_X)
/* Format-specific: fcvt.{s,d}.w[u] and fcvt.s.d / fcvt.d.s (the includer defines
 * op_fcvt_f_w_fns, op_fcvt_f_wu_fns, op_fcvt_f_f_fns via FP_FORMAT_SPECIFIC). */
FP_FORMAT_SPECIFIC

static const fp_fn *const op_table[OP_COUNT] = {
    op_fadd_fns,    op_fsub_fns,     op_fmul_fns,    op_fdiv_fns,      op_fsqrt_fns,      op_fmadd_fns,
    op_fmsub_fns,   op_fnmsub_fns,   op_fnmadd_fns,  op_fmin_fns,      op_fmax_fns,       op_fsgnj_fns,
    op_fsgnjn_fns,  op_fsgnjx_fns,   op_feq_fns,     op_flt_fns,       op_fle_fns,        op_fclass_fns,
    op_fcvt_w_fns,  op_fcvt_wu_fns,  op_fcvt_l_fns,  op_fcvt_lu_fns,   op_fcvt_f_w_fns,   op_fcvt_f_wu_fns,
    op_fcvt_f_l_fns, op_fcvt_f_lu_fns, op_fcvt_f_f_fns, op_fmv_x_f_fns, op_fmv_f_x_fns,
};

static const char *const op_names[OP_COUNT] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmadd", "fmsub", "fnmsub", "fnmadd", "fmin", "fmax", "fsgnj",
    "fsgnjn", "fsgnjx", "feq", "flt", "fle", "fclass", "fcvt.w", "fcvt.wu", "fcvt.l", "fcvt.lu", "fcvt.f.w",
    "fcvt.f.wu", "fcvt.f.l", "fcvt.f.lu", "fcvt.f.f", "fmv.x.f", "fmv.f.x",
};
static const char *const rm_names[6] = {"rne", "rtz", "rdn", "rup", "rmm", "dyn"};

static int op_has_int_input(int op) {
  return op == OP_FCVT_F_W || op == OP_FCVT_F_WU || op == OP_FCVT_F_L || op == OP_FCVT_F_LU || op == OP_FMV_F_X;
}

static int op_has_int_result(int op) {
  return op == OP_FEQ || op == OP_FLT || op == OP_FLE || op == OP_FCLASS || op == OP_FCVT_W || op == OP_FCVT_WU ||
         op == OP_FCVT_L || op == OP_FCVT_LU || op == OP_FMV_X_F;
}

static void run_fp_vectors(const struct fp_vector *table, unsigned count, const uint64_t *pool) {
  for (unsigned i = 0; i < count; i++) {
    const struct fp_vector *v = &table[i];
    int dyn = v->rm >= 8;
    int rm = dyn ? v->rm - 8 : v->rm;
    uint64_t a = pool[v->a], b = pool[v->b], c = pool[v->c], expected = pool[v->r];
    if (v->op == OP_FCVT_F_F)
      a = FP_BOX_OTHER(a);
    else if (!op_has_int_input(v->op))
      a = FP_BOX_INPUT(a);
    b = FP_BOX_INPUT(b);
    c = FP_BOX_INPUT(c);
    if (!op_has_int_result(v->op)) expected = FP_BOX_INPUT(expected);
    /* dyn: frm selects the mode; static: frm holds a different, valid mode */
    csr_write(frm, dyn ? (uint64_t)rm : (uint64_t)((rm + 2) % 5));
    uint64_t flags;
    uint64_t got = op_table[v->op][dyn ? 5 : rm](a, b, c, &flags);
    const char *rmn = dyn ? rm_names[5] : rm_names[rm];
    CHECK_EQ(got, expected, "#%u %s.%s %s(frm=%d) a=0x%lx b=0x%lx c=0x%lx: result", i, op_names[v->op], FP_SUFFIX,
             rmn, (int)csr_read(frm), a, b, c);
    CHECK_EQ(flags, v->flags, "#%u %s.%s %s(frm=%d) a=0x%lx b=0x%lx c=0x%lx: fflags", i, op_names[v->op],
             FP_SUFFIX, rmn, (int)csr_read(frm), a, b, c);
  }
  csr_write(frm, 0);
}

#endif
