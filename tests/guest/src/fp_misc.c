/* F/D state and encoding rules that the table-driven rv64f/rv64d tests do not
 * cover: flw/fsw/fld/fsd (NaN-boxing on load, low-word store), NaN-boxing of
 * inputs (improperly boxed singles read as the canonical NaN), fcsr/frm/fflags
 * access through every csr instruction form and their masking, flag
 * accumulation, reserved rounding modes (static rm 5/6 and dynamic with frm
 * 5..7 are illegal), and mstatus.FS: off -> illegal, and which instructions
 * mark the state Dirty (with SD). Checked against QEMU 7.2; items marked
 * "QEMU" are implementation choices the spec leaves open. */
#include "test.h"
#include "trap.h"

#define BOX(x) (0xffffffff00000000ULL | (uint32_t)(x))
#define ONE_S 0x3f800000U
#define ONE_D 0x3ff0000000000000ULL
#define CANON_S BOX(0x7fc00000U)

static inline void set_f0(uint64_t v) { __asm__ volatile("fmv.d.x ft0, %0" ::"r"(v)); }
static inline void set_f1(uint64_t v) { __asm__ volatile("fmv.d.x ft1, %0" ::"r"(v)); }
static inline uint64_t get_f2(void) {
  uint64_t r;
  __asm__ volatile("fmv.x.d %0, ft2" : "=r"(r));
  return r;
}

static volatile uint64_t mem[4] __attribute__((aligned(16)));

static void test_loads_stores(void) {
  mem[0] = 0x1122334455667788ULL;
  mem[1] = 0x99aabbccddeeff00ULL;
  uint64_t r;
  __asm__ volatile("flw ft2, 4(%0)" ::"r"(mem) : "ft2", "memory");
  CHECK_EQ(get_f2(), BOX(0x11223344), "flw NaN-boxes");
  __asm__ volatile("flw ft2, -4(%0)" ::"r"(&mem[1]) : "ft2", "memory");
  CHECK_EQ(get_f2(), BOX(0x11223344), "flw negative offset");
  __asm__ volatile("fld ft2, 8(%0)" ::"r"(mem) : "ft2", "memory");
  CHECK_EQ(get_f2(), 0x99aabbccddeeff00ULL, "fld");
  /* fsw stores the low 32 bits whatever the upper half holds */
  set_f0(0x0123456789abcdefULL);
  __asm__ volatile("fsw ft0, 16(%0)" ::"r"(mem) : "memory");
  CHECK_EQ(mem[2], 0x0ULL | 0x89abcdefULL, "fsw stores low word of an unboxed value");
  mem[3] = 0;
  __asm__ volatile("fsd ft0, 24(%0)" ::"r"(mem) : "memory");
  CHECK_EQ(mem[3], 0x0123456789abcdefULL, "fsd");
  /* fmv.x.w takes the low word of an unboxed value and sign-extends it */
  __asm__ volatile("fmv.x.w %0, ft0" : "=r"(r));
  CHECK_EQ(r, 0xffffffff89abcdefULL, "fmv.x.w of an unboxed value");
  __asm__ volatile("fmv.w.x ft2, %0" ::"r"(0x5555555580000000ULL) : "ft2");
  CHECK_EQ(get_f2(), BOX(0x80000000U), "fmv.w.x boxes the low word");
}

static void test_nan_boxing_inputs(void) {
  uint64_t r, fl;
  /* unboxed 1.0f in ft0 reads as the canonical NaN */
  set_f0(ONE_S);
  set_f1(BOX(ONE_S));
  csr_write(fflags, 0);
  __asm__ volatile("fadd.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), CANON_S, "fadd.s unboxed input -> canonical NaN");
  CHECK_EQ(csr_read(fflags), 0, "fadd.s unboxed input: no flags (canonical NaN is quiet)");
  /* upper half not all ones (one bit clear) is also unboxed */
  set_f0(0xfffffffe00000000ULL | ONE_S);
  __asm__ volatile("fmul.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), CANON_S, "fmul.s partially boxed input -> canonical NaN");
  set_f0(ONE_S);
  __asm__ volatile("fsgnj.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), CANON_S, "fsgnj.s unboxed rs1 -> canonical NaN magnitude");
  __asm__ volatile("fsgnjn.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), BOX(0xffc00000U), "fsgnjn.s unboxed rs1");
  set_f0(BOX(ONE_S));
  set_f1(0x00000000bf800000ULL); /* unboxed -1.0f as sign source: reads as +NaN */
  __asm__ volatile("fsgnj.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), BOX(ONE_S), "fsgnj.s unboxed rs2 gives positive sign");
  set_f0(ONE_S);
  __asm__ volatile("fclass.s %0, ft0" : "=r"(r));
  CHECK_EQ(r, 1 << 9, "fclass.s unboxed -> quiet NaN");
  csr_write(fflags, 0);
  set_f1(BOX(ONE_S));
  __asm__ volatile("feq.s %0, ft0, ft1" : "=r"(r));
  fl = csr_read(fflags);
  CHECK_EQ(r, 0, "feq.s unboxed");
  CHECK_EQ(fl, 0, "feq.s unboxed: quiet");
  __asm__ volatile("flt.s %0, ft0, ft1" : "=r"(r));
  CHECK_EQ(csr_read(fflags), FFLAG_NV, "flt.s unboxed signals invalid");
  __asm__ volatile("fcvt.d.s ft2, ft0" ::: "ft2");
  CHECK_EQ(get_f2(), 0x7ff8000000000000ULL, "fcvt.d.s unboxed -> canonical NaN");
  __asm__ volatile("fcvt.w.s %0, ft0, rtz" : "=r"(r));
  CHECK_EQ(r, 0x7fffffff, "fcvt.w.s unboxed -> NaN conversion");
  /* double ops do not care about boxing */
  set_f0(ONE_S);
  set_f1(0);
  __asm__ volatile("fadd.d ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), ONE_S, "fadd.d on a small double (no boxing rules)");
}

static void test_fcsr_access(void) {
  uint64_t r;
  csr_write(fcsr, 0);
  /* csrrw / csrrs / csrrc on fflags, frm, fcsr */
  r = csr_swap(fflags, 0xff);
  CHECK_EQ(r, 0, "csrrw fflags old");
  CHECK_EQ(csr_read(fflags), 0x1f, "fflags keeps 5 bits");
  CHECK_EQ(csr_read(fcsr), 0x1f, "fcsr shows fflags");
  r = csr_swap(frm, 0xfc);
  CHECK_EQ(r, 0, "csrrw frm old");
  CHECK_EQ(csr_read(frm), 4, "frm keeps 3 bits");
  CHECK_EQ(csr_read(fcsr), (4 << 5) | 0x1f, "fcsr = frm<<5 | fflags");
  r = csr_clear(fflags, FFLAG_NX | FFLAG_NV);
  CHECK_EQ(r, 0x1f, "csrrc fflags old");
  CHECK_EQ(csr_read(fflags), FFLAG_UF | FFLAG_OF | FFLAG_DZ, "csrrc fflags");
  r = csr_set(frm, 3);
  CHECK_EQ(r, 4, "csrrs frm old");
  CHECK_EQ(csr_read(frm), 7, "csrrs frm");
  csr_write(fcsr, 0xffffffffffffffffULL);
  CHECK_EQ(csr_read(fcsr), 0xff, "fcsr keeps 8 bits");
  __asm__ volatile("csrrwi %0, fcsr, 0x15" : "=r"(r));
  CHECK_EQ(r, 0xff, "csrrwi fcsr old");
  CHECK_EQ(csr_read(fcsr), 0x15, "csrrwi fcsr");
  CHECK_EQ(csr_read(frm), 0, "csrrwi fcsr clears frm");
  __asm__ volatile("csrrsi %0, frm, 2" : "=r"(r));
  CHECK_EQ(csr_read(fcsr), (2 << 5) | 0x15, "csrrsi frm");
  __asm__ volatile("csrrci %0, fflags, 0x5" : "=r"(r));
  CHECK_EQ(r, 0x15, "csrrci fflags old");
  CHECK_EQ(csr_read(fcsr), (2 << 5) | 0x10, "csrrci fflags");
  __asm__ volatile("csrrsi %0, fflags, 0" : "=r"(r));
  CHECK_EQ(r, 0x10, "csrrsi fflags 0 reads");
  __asm__ volatile("frcsr %0" : "=r"(r));
  CHECK_EQ(r, (2 << 5) | 0x10, "frcsr");
  __asm__ volatile("fsrm %0, %1" : "=r"(r) : "r"(1UL));
  CHECK_EQ(r, 2, "fsrm returns old frm");
  __asm__ volatile("fsflags %0, %1" : "=r"(r) : "r"(3UL));
  CHECK_EQ(r, 0x10, "fsflags returns old flags");
  CHECK_EQ(csr_read(fcsr), (1 << 5) | 3, "fsrm/fsflags result");

  /* flags accumulate across instructions */
  csr_write(fcsr, 0);
  set_f0(BOX(ONE_S));
  set_f1(BOX(0));
  __asm__ volatile("fdiv.s ft2, ft0, ft1" ::: "ft2"); /* DZ */
  set_f1(BOX(0x40400000)); /* 3.0 */
  __asm__ volatile("fdiv.s ft2, ft0, ft1" ::: "ft2"); /* NX */
  CHECK_EQ(csr_read(fflags), FFLAG_DZ | FFLAG_NX, "fflags accumulate");
  /* the dynamic rounding mode is read at execution time */
  csr_write(frm, RM_RUP);
  __asm__ volatile("fdiv.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), BOX(0x3eaaaaab), "1/3 with frm=RUP");
  csr_write(frm, RM_RDN);
  __asm__ volatile("fdiv.s ft2, ft0, ft1" ::: "ft2");
  CHECK_EQ(get_f2(), BOX(0x3eaaaaaa), "1/3 with frm=RDN");
  csr_write(fcsr, 0);
}

static void test_reserved_rounding_modes(void) {
  set_f0(BOX(ONE_S));
  set_f1(BOX(ONE_S));
  for (unsigned frm = 5; frm <= 7; frm++) {
    csr_write(frm, frm);
    CHECK_EQ(csr_read(frm), frm, "frm=%u is writable", frm);
    trap_expect();
    __asm__ volatile(".option push\n.option norvc\nfadd.s ft2, ft0, ft1, dyn\n.option pop" ::: "ft2");
    /* fadd.s ft2, ft0, ft1, dyn = 0x00107153 */
    check_trap("fadd.s dyn with reserved frm", CAUSE_ILLEGAL_INSN, 0x00107153, PRV_M);
    trap_expect();
    __asm__ volatile("fadd.s ft2, ft0, ft1, rne" ::: "ft2");
    check_no_trap("static rm ignores reserved frm");
  }
  csr_write(frm, 0);
  trap_expect();
  __asm__ volatile(".word 0x0010d153" ::: "ft2"); /* fadd.s ft2, ft0, ft1 with rm=5 */
  check_trap("fadd.s static rm=5", CAUSE_ILLEGAL_INSN, 0x0010d153, PRV_M);
  trap_expect();
  __asm__ volatile(".word 0x0010e153" ::: "ft2"); /* rm=6 */
  check_trap("fadd.s static rm=6", CAUSE_ILLEGAL_INSN, 0x0010e153, PRV_M);
  trap_expect();
  __asm__ volatile(".word 0x0010e1d3" ::: "ft3"); /* fadd.s ft3, ft0, ft1 rm=6 */
  check_trap("fadd.s static rm=6 (ft3)", CAUSE_ILLEGAL_INSN, 0x0010e1d3, PRV_M);
}

static uint64_t fs_field(void) { return (csr_read(mstatus) & MSTATUS_FS) >> MSTATUS_FS_SHIFT; }
static void set_fs(uint64_t fs) {
  csr_clear(mstatus, MSTATUS_FS);
  csr_set(mstatus, fs << MSTATUS_FS_SHIFT);
}

static void check_fs_after(const char *what, uint64_t expect) {
  uint64_t ms = csr_read(mstatus);
  CHECK_EQ((ms & MSTATUS_FS) >> MSTATUS_FS_SHIFT, expect, "FS after %s", what);
  CHECK_EQ(ms >> 63, expect == FS_DIRTY, "SD after %s", what);
}

static void test_fs_tracking(void) {
  uint64_t r;
  set_fs(FS_CLEAN);
  CHECK_EQ(fs_field(), FS_CLEAN, "FS writable (clean)");
  CHECK_EQ(csr_read(mstatus) >> 63, 0, "SD clear when FS clean");
  CHECK_EQ(csr_read(sstatus) & MSTATUS_FS, FS_CLEAN << MSTATUS_FS_SHIFT, "sstatus.FS mirrors mstatus");

  __asm__ volatile("fadd.d ft2, ft0, ft1" ::: "ft2");
  check_fs_after("fadd.d", FS_DIRTY);
  CHECK_EQ(csr_read(sstatus) >> 63, 1, "sstatus.SD when dirty");

  set_fs(FS_INITIAL);
  __asm__ volatile("flw ft2, 0(%0)" ::"r"(mem) : "ft2");
  check_fs_after("flw", FS_DIRTY);
  set_fs(FS_CLEAN);
  __asm__ volatile("fmv.w.x ft2, zero" ::: "ft2");
  check_fs_after("fmv.w.x", FS_DIRTY);
  set_fs(FS_CLEAN);
  csr_write(fflags, 0);
  check_fs_after("csrw fflags", FS_DIRTY);
  set_fs(FS_CLEAN);
  csr_write(frm, 0);
  check_fs_after("csrw frm", FS_DIRTY);

  /* instructions that only read FP state */
  set_fs(FS_CLEAN);
  __asm__ volatile("fsd ft0, 0(%0)" ::"r"(mem) : "memory");
  check_fs_after("fsd (QEMU: reads only)", FS_CLEAN);
  set_fs(FS_CLEAN);
  __asm__ volatile("fmv.x.d %0, ft0" : "=r"(r));
  check_fs_after("fmv.x.d (QEMU: reads only)", FS_CLEAN);
  set_fs(FS_CLEAN);
  r = csr_read(fcsr);
  check_fs_after("csrr fcsr (QEMU: reads only)", FS_CLEAN);

  /* FS = Off: every FP instruction and FP CSR access is illegal */
  set_fs(FS_OFF);
  CHECK_EQ(fs_field(), FS_OFF, "FS off");
  trap_expect();
  __asm__ volatile(".option push\n.option norvc\nfadd.d ft2, ft0, ft1, rne\n.option pop" ::: "ft2");
  check_trap("fadd.d with FS off", CAUSE_ILLEGAL_INSN, 0x02100153, PRV_M);
  trap_expect();
  __asm__ volatile(".option push\n.option norvc\nflw ft2, 0(%0)\n.option pop" ::"r"(mem) : "ft2");
  check_trap_cause("flw with FS off", CAUSE_ILLEGAL_INSN, PRV_M);
  trap_expect();
  __asm__ volatile(".option push\n.option norvc\nfmv.x.d %0, ft0\n.option pop" : "=r"(r));
  check_trap_cause("fmv.x.d with FS off", CAUSE_ILLEGAL_INSN, PRV_M);
  {
    register uint64_t rd __asm__("a5");
    trap_expect();
    __asm__ volatile(".option push\n.option norvc\ncsrr a5, fcsr\n.option pop" : "=r"(rd));
    check_trap("csrr a5, fcsr with FS off", CAUSE_ILLEGAL_INSN, 0x003027f3, PRV_M);
  }
  {
    register uint64_t base __asm__("a0") = (uint64_t)mem;
    trap_expect();
    __asm__ volatile(".option push\n.option rvc\nc.fld fa5, 0(a0)\n.option pop" ::"r"(base) : "fa5");
    /* c.fld fa5, 0(a0) = 0x211c */
    check_trap("c.fld with FS off", CAUSE_ILLEGAL_INSN, 0x211c, PRV_M);
  }
  CHECK_EQ(fs_field(), FS_OFF, "FS stays off after illegal FP instructions");
  set_fs(FS_INITIAL);
}

int main(void) {
  test_begin("fp_misc");
  test_loads_stores();
  test_nan_boxing_inputs();
  test_fcsr_access();
  test_reserved_rounding_modes();
  test_fs_tracking();
  return test_end();
}
