/* F extension: every single-precision computational, conversion, compare,
 * classify and move instruction, under every static rounding mode and under
 * dynamic rounding (frm), checking results (including NaN-boxing of results
 * and canonical NaNs) and the exact fflags. Vectors come from an exact
 * reference model (tools/gen-fp-vectors.ts) and were checked against QEMU 7.2.
 * flw/fsw and NaN-boxing of inputs are covered by fp_misc.c. */
#define FP_SUFFIX "s"
#define FP_MV_SUFFIX "w"
#define FP_BOX_INPUT(x) ((x) | 0xffffffff00000000ULL)
#define FP_BOX_OTHER(x) (x) /* fcvt.s.d reads a double */
#define MK_FCVT_F_W(fn, rm) FP_FN(fn, "fcvt.s.w ft3, %2, " rm FRES)
#define MK_FCVT_F_WU(fn, rm) FP_FN(fn, "fcvt.s.wu ft3, %2, " rm FRES)
#define MK_FCVT_F_F(fn, rm) FP_FN(fn, "fcvt.s.d ft3, ft0, " rm FRES)
#define FP_FORMAT_SPECIFIC                                                                           \
  RM_VARIANTS(op_fcvt_f_w, MK_FCVT_F_W)                                                              \
  RM_VARIANTS(op_fcvt_f_wu, MK_FCVT_F_WU) RM_VARIANTS(op_fcvt_f_f, MK_FCVT_F_F)
#include "fp_runner.h"
#include "fp_vectors_s.h"

int main(void) {
  test_begin("rv64f");
  run_fp_vectors(fpv_table, sizeof(fpv_table) / sizeof(fpv_table[0]), fpv_pool);
  return test_end();
}
