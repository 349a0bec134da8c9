/* D extension: every double-precision computational, conversion, compare,
 * classify and move instruction, under every static rounding mode and under
 * dynamic rounding (frm), checking results, canonical NaNs and the exact
 * fflags. fcvt.d.s takes NaN-boxed single inputs. Vectors come from an exact
 * reference model (tools/gen-fp-vectors.ts) and were checked against QEMU 7.2.
 * fcvt.d.w[u] and fcvt.d.s are exact, so they are encoded without rm. */
#define FP_SUFFIX "d"
#define FP_MV_SUFFIX "d"
#define FP_BOX_INPUT(x) (x)
#define FP_BOX_OTHER(x) ((x) | 0xffffffff00000000ULL) /* fcvt.d.s reads a boxed single */
#define MK_FCVT_F_W(fn, rm) FP_FN(fn, "fcvt.d.w ft3, %2" FRES)
#define MK_FCVT_F_WU(fn, rm) FP_FN(fn, "fcvt.d.wu ft3, %2" FRES)
#define MK_FCVT_F_F(fn, rm) FP_FN(fn, "fcvt.d.s ft3, ft0" FRES)
#define FP_FORMAT_SPECIFIC                                                                           \
  ONE_VARIANT(op_fcvt_f_w, MK_FCVT_F_W)                                                              \
  ONE_VARIANT(op_fcvt_f_wu, MK_FCVT_F_WU) ONE_VARIANT(op_fcvt_f_f, MK_FCVT_F_F)
#include "fp_runner.h"
#include "fp_vectors_d.h"

int main(void) {
  test_begin("rv64d");
  run_fp_vectors(fpv_table, sizeof(fpv_table) / sizeof(fpv_table[0]), fpv_pool);
  return test_end();
}
