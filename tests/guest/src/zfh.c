/* Zfh (-cpu rv64,Zfh=true): every half-precision computational instruction on edge values (zeros,
 * subnormals, the smallest normal, one, the largest finite, infinities, quiet and signalling NaNs,
 * values whose sums and products round) and random operands, under every rounding mode, with the
 * fflags each one raises; operands that are not NaN-boxed; the Zfhmin instructions Zfh brings with
 * it. Per instruction the first edge results are printed in full and everything else as an FNV-1a
 * hash; the diff suite compares the output with QEMU 7.2's. Built with -march=rv64gc_zfh. */
#include "test.h"

static uint64_t fnv(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3;
  return h;
}

static uint64_t rng = 0x13198a2e03707344;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

#define BOX 0xffffffffffff0000UL
#define SETUP "csrw frm, %[rm]\n csrw fflags, zero\n"
#define FLAGS "csrr %[fl], fflags\n"

/* f <- op(f, f): register images in and out (fmv.d.x / fmv.x.d keep the boxing visible) */
#define BIN_F(fn, insn)                                                                                 \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint64_t *fl) {                  \
    (void)c;                                                                                            \
    uint64_t out;                                                                                       \
    __asm__ volatile(SETUP "fmv.d.x ft0, %[a]\n fmv.d.x ft1, %[b]\n " insn " ft2, ft0, ft1\n"           \
                     "fmv.x.d %[out], ft2\n" FLAGS                                                      \
                     : [out] "=r"(out), [fl] "=r"(*fl) : [a] "r"(a), [b] "r"(b), [rm] "r"(rm)          \
                     : "ft0", "ft1", "ft2");                                                            \
    return out;                                                                                         \
  }
/* x <- op(f, f) */
#define BIN_X(fn, insn)                                                                                 \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint64_t *fl) {                  \
    (void)c;                                                                                            \
    uint64_t out;                                                                                       \
    __asm__ volatile(SETUP "fmv.d.x ft0, %[a]\n fmv.d.x ft1, %[b]\n " insn " %[out], ft0, ft1\n" FLAGS \
                     : [out] "=r"(out), [fl] "=r"(*fl) : [a] "r"(a), [b] "r"(b), [rm] "r"(rm)          \
                     : "ft0", "ft1");                                                                   \
    return out;                                                                                         \
  }
/* f <- op(f, f, f) */
#define FMA(fn, insn)                                                                                   \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint64_t *fl) {                  \
    uint64_t out;                                                                                       \
    __asm__ volatile(SETUP "fmv.d.x ft0, %[a]\n fmv.d.x ft1, %[b]\n fmv.d.x ft2, %[c]\n"               \
                     insn " ft3, ft0, ft1, ft2\n fmv.x.d %[out], ft3\n" FLAGS                           \
                     : [out] "=r"(out), [fl] "=r"(*fl) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [rm] "r"(rm) \
                     : "ft0", "ft1", "ft2", "ft3");                                                     \
    return out;                                                                                         \
  }
/* f <- op(f) */
#define UN_F(fn, insn)                                                                                  \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint64_t *fl) {                  \
    (void)b, (void)c;                                                                                   \
    uint64_t out;                                                                                       \
    __asm__ volatile(SETUP "fmv.d.x ft0, %[a]\n " insn " ft1, ft0\n fmv.x.d %[out], ft1\n" FLAGS       \
                     : [out] "=r"(out), [fl] "=r"(*fl) : [a] "r"(a), [rm] "r"(rm) : "ft0", "ft1");     \
    return out;                                                                                         \
  }
/* x <- op(f) */
#define UN_X(fn, insn)                                                                                  \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint64_t *fl) {                  \
    (void)b, (void)c;                                                                                   \
    uint64_t out;                                                                                       \
    __asm__ volatile(SETUP "fmv.d.x ft0, %[a]\n " insn " %[out], ft0\n" FLAGS                           \
                     : [out] "=r"(out), [fl] "=r"(*fl) : [a] "r"(a), [rm] "r"(rm) : "ft0");             \
    return out;                                                                                         \
  }
/* f <- op(x) */
#define FROM_X(fn, insn)                                                                                \
  static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint64_t *fl) {                  \
    (void)b, (void)c;                                                                                   \
    uint64_t out;                                                                                       \
    __asm__ volatile(SETUP insn " ft1, %[a]\n fmv.x.d %[out], ft1\n" FLAGS                              \
                     : [out] "=r"(out), [fl] "=r"(*fl) : [a] "r"(a), [rm] "r"(rm) : "ft1");             \
    return out;                                                                                         \
  }

BIN_F(fadd, "fadd.h") BIN_F(fsub, "fsub.h") BIN_F(fmul, "fmul.h") BIN_F(fdiv, "fdiv.h")
BIN_F(fmin, "fmin.h") BIN_F(fmax, "fmax.h")
BIN_F(fsgnj, "fsgnj.h") BIN_F(fsgnjn, "fsgnjn.h") BIN_F(fsgnjx, "fsgnjx.h")
BIN_X(feq, "feq.h") BIN_X(flt, "flt.h") BIN_X(fle, "fle.h")
FMA(fmadd, "fmadd.h") FMA(fmsub, "fmsub.h") FMA(fnmsub, "fnmsub.h") FMA(fnmadd, "fnmadd.h")
UN_F(fsqrt, "fsqrt.h")
UN_X(fclass, "fclass.h") UN_X(cvt_w, "fcvt.w.h") UN_X(cvt_wu, "fcvt.wu.h") UN_X(cvt_l, "fcvt.l.h") UN_X(cvt_lu, "fcvt.lu.h")
FROM_X(cvt_h_w, "fcvt.h.w") FROM_X(cvt_h_wu, "fcvt.h.wu") FROM_X(cvt_h_l, "fcvt.h.l") FROM_X(cvt_h_lu, "fcvt.h.lu")
UN_F(cvt_s_h, "fcvt.s.h") UN_F(cvt_h_s, "fcvt.h.s")

typedef uint64_t (*op_fn)(uint64_t, uint64_t, uint64_t, unsigned, uint64_t *);

/* Edge halves: +-0, subnormals (smallest, largest), smallest normal, 1, -1, 1+ulp, 1.5, 3, largest
 * finite, 2^-14 - ulp, infinities, quiet and signalling NaNs (both signs), 1/3, a value near 256. */
static const uint16_t EDGE[] = { 0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x3e00,
                                 0x4200, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe01, 0x3555, 0x5bff };
#define N_EDGE (sizeof EDGE / sizeof EDGE[0])
#define N_FMA_EDGE 10
#define N_RANDOM 192

/* A random half: any pattern, or one near 1.0 (so sums, products and quotients of two round
 * inside the normal range), or a subnormal. */
static uint64_t random_half(void) {
  uint64_t r = next();
  switch (r & 3) {
  case 0: return (r >> 8) & 0xffff;
  case 1: return ((r >> 8) & 0x83ff) | 0x3800 | ((r >> 30) & 0x0400);
  case 2: return (r >> 8) & 0x83ff;
  default: return ((r >> 8) & 0xffff) ^ 0x4000;
  }
}

/* Runs `fn` on edge operands (all pairs, or the first N_FMA_EDGE cubed for three operands) and
 * random ones, under rm 0..4; prints the first `show` results of rm 0 and a hash of everything. */
static void run(const char *name, op_fn fn, int operands, uint64_t box) {
  uint64_t h = 0xcbf29ce484222325;
  unsigned shown = 0;
  kprintf("%s:", name);
  for (unsigned rm = 0; rm < 5; rm++) {
    unsigned n = operands == 3 ? N_FMA_EDGE : N_EDGE;
    unsigned cases = operands == 1 ? n : operands == 2 ? n * n : n * n * n;
    for (unsigned i = 0; i < cases + N_RANDOM; i++) {
      uint64_t a, b, c;
      if (i < cases) {
        a = EDGE[i % n], b = EDGE[(i / n) % n], c = EDGE[(i / n / n) % n];
      } else {
        a = random_half(), b = random_half(), c = random_half();
      }
      uint64_t fl, r = fn(a | box, b | box, c | box, rm, &fl);
      h = fnv(fnv(h, r), fl);
      if (rm == 0 && i < cases && shown < 12) {
        kprintf(" %lx/%lx", r, fl);
        shown++;
      }
    }
  }
  kprintf("\n%s hash %lx\n", name, h);
}

/* Integer sources for fcvt.h.{w,wu,l,lu}: exact, rounding, overflowing to infinity. */
static const uint64_t INTS[] = { 0, 1, -1UL, 2, 2047, 2049, 4097, 65504, 65519, 65520, 65535, 65536, 0x7fffffff,
                                 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000, -65504UL, -65520UL };
#define N_INTS (sizeof INTS / sizeof INTS[0])

static void run_from_int(const char *name, op_fn fn) {
  uint64_t h = 0xcbf29ce484222325;
  kprintf("%s:", name);
  for (unsigned rm = 0; rm < 5; rm++) {
    for (unsigned i = 0; i < N_INTS + N_RANDOM; i++) {
      uint64_t v = i < N_INTS ? INTS[i] : next() >> (next() & 63);
      if (i >= N_INTS && (i & 1)) v = -v;
      uint64_t fl, r = fn(v, 0, 0, rm, &fl);
      h = fnv(fnv(h, r), fl);
      if (rm == 0 && i < 12) kprintf(" %lx/%lx", r, fl);
    }
  }
  kprintf("\n%s hash %lx\n", name, h);
}

int main(void) {
  test_begin("zfh");
  __asm__ volatile("csrs mstatus, %0" ::"r"(1UL << 13)); /* FS = initial */
  run("fadd.h", fadd, 2, BOX);
  run("fsub.h", fsub, 2, BOX);
  run("fmul.h", fmul, 2, BOX);
  run("fdiv.h", fdiv, 2, BOX);
  run("fmin.h", fmin, 2, BOX);
  run("fmax.h", fmax, 2, BOX);
  run("fsgnj.h", fsgnj, 2, BOX);
  run("fsgnjn.h", fsgnjn, 2, BOX);
  run("fsgnjx.h", fsgnjx, 2, BOX);
  run("feq.h", feq, 2, BOX);
  run("flt.h", flt, 2, BOX);
  run("fle.h", fle, 2, BOX);
  run("fmadd.h", fmadd, 3, BOX);
  run("fmsub.h", fmsub, 3, BOX);
  run("fnmsub.h", fnmsub, 3, BOX);
  run("fnmadd.h", fnmadd, 3, BOX);
  run("fsqrt.h", fsqrt, 1, BOX);
  run("fclass.h", fclass, 1, BOX);
  run("fcvt.w.h", cvt_w, 1, BOX);
  run("fcvt.wu.h", cvt_wu, 1, BOX);
  run("fcvt.l.h", cvt_l, 1, BOX);
  run("fcvt.lu.h", cvt_lu, 1, BOX);
  run_from_int("fcvt.h.w", cvt_h_w);
  run_from_int("fcvt.h.wu", cvt_h_wu);
  run_from_int("fcvt.h.l", cvt_h_l);
  run_from_int("fcvt.h.lu", cvt_h_lu);
  /* operands that are not NaN-boxed read as the canonical NaN (0x7e00) */
  run("unboxed fadd.h", fadd, 2, 0xffffffff00000000UL);
  run("unboxed fsgnjn.h", fsgnjn, 2, 0);
  run("unboxed fclass.h", fclass, 1, 0xfffeffffffff0000UL);
  run("unboxed feq.h", feq, 2, 0);
  run("unboxed fmadd.h", fmadd, 3, 0x7fffffffffff0000UL);
  /* Zfhmin's conversions come with Zfh */
  run("fcvt.s.h", cvt_s_h, 1, BOX);
  run("fcvt.h.s", cvt_h_s, 1, 0xffffffff3f800000UL);
  return test_end();
}
