/* Zfhmin (-cpu rv64,Zfhmin=true): flh/fsh, fmv.x.h/fmv.h.x and the conversions between half and
 * single/double, on edge and random values under every rounding mode, with the fflags each one
 * raises; NaN-boxing of half operands. Results are printed (first ones in full, the rest as a
 * hash) and compared with QEMU 7.2's output by the diff suite. Built with -march=rv64gc_zfhmin. */
#include "test.h"

static uint64_t fnv(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3;
  return h;
}

static uint64_t rng = 0x243f6a8885a308d3;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* f register image -> op -> (result bits, fflags). The op runs with frm = rm (dynamic rounding). */
#define CONV(name, insn, src_move, dst_move)                                                         \
  static uint64_t name(uint64_t in, unsigned rm, uint64_t *flags) {                                  \
    uint64_t out, fl;                                                                                \
    __asm__ volatile("csrw frm, %3\n csrw fflags, zero\n " src_move " ft0, %2\n " insn " ft1, ft0\n " \
                     dst_move " %0, ft1\n csrr %1, fflags"                                           \
                     : "=r"(out), "=r"(fl) : "r"(in), "r"(rm) : "ft0", "ft1");                       \
    *flags = fl;                                                                                     \
    return out;                                                                                      \
  }
CONV(cvt_s_h, "fcvt.s.h", "fmv.d.x", "fmv.x.d")
CONV(cvt_h_s, "fcvt.h.s", "fmv.d.x", "fmv.x.d")
CONV(cvt_d_h, "fcvt.d.h", "fmv.d.x", "fmv.x.d")
CONV(cvt_h_d, "fcvt.h.d", "fmv.d.x", "fmv.x.d")

typedef uint64_t (*conv_fn)(uint64_t, unsigned, uint64_t *);

static const uint64_t HALVES[] = { 0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x7d00, 0xfe01, 0x3555 };
static const uint64_t SINGLES[] = { 0x00000000, 0x80000000, 0x3f800000, 0x477fe000, 0x477ff000, 0x47800000, 0x387fc000, 0x33800000, 0x33000000, 0x33000001, 0x7f800000, 0x7fc00000, 0x7f800001, 0x3eaaaaab, 0xc0490fdb, 0x01000000 };
static const uint64_t DOUBLES[] = { 0, 0x8000000000000000, 0x3ff0000000000000, 0x40effc0000000000, 0x40effe0000000000, 0x3e70000000000000, 0x3e60000000000001, 0x7ff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 0x3fd5555555555555, 0x400921fb54442d18, 0x0000000000000001 };

static void run(const char *name, conv_fn fn, const uint64_t *vals, unsigned n, uint64_t box) {
  uint64_t h = 0xcbf29ce484222325;
  kprintf("%s:", name);
  for (unsigned rm = 0; rm < 5; rm++) {
    for (unsigned i = 0; i < n + 64; i++) {
      uint64_t v = i < n ? vals[i] : next();
      if (i >= n && box == 0xffffffffffff0000) v &= 0xffff;
      if (i >= n && box == 0xffffffff00000000) v &= 0xffffffff;
      uint64_t fl, r = fn(v | box, rm, &fl);
      h = fnv(fnv(h, r), fl);
      if (rm == 0 && i < n) kprintf(" %lx/%lx", r, fl);
    }
  }
  kprintf("\n%s hash %lx\n", name, h);
}

int main(void) {
  test_begin("zfhmin");
  __asm__ volatile("csrs mstatus, %0" :: "r"(1UL << 13)); /* FS = initial */
  run("fcvt.s.h", cvt_s_h, HALVES, sizeof HALVES / 8, 0xffffffffffff0000);
  run("fcvt.d.h", cvt_d_h, HALVES, sizeof HALVES / 8, 0xffffffffffff0000);
  run("fcvt.h.s", cvt_h_s, SINGLES, sizeof SINGLES / 8, 0xffffffff00000000);
  run("fcvt.h.d", cvt_h_d, DOUBLES, sizeof DOUBLES / 8, 0);
  /* a half operand that is not NaN-boxed reads as the canonical NaN */
  uint64_t fl;
  kprintf("unboxed fcvt.s.h: %lx\n", cvt_s_h(0x000000003c00, 0, &fl));
  kprintf("half-boxed fcvt.d.h: %lx\n", cvt_d_h(0xffffffff00003c00, 0, &fl));
  /* moves and memory */
  volatile uint16_t mem[2] = { 0xabcd, 0 };
  uint64_t x, y, z;
  __asm__ volatile("flh ft2, 0(%3)\n fmv.x.d %0, ft2\n fmv.x.h %1, ft2\n fsh ft2, 2(%3)\n fmv.h.x ft3, %4\n fmv.x.d %2, ft3"
                   : "=&r"(x), "=&r"(y), "=&r"(z) : "r"(mem), "r"(0x1234567890008001UL) : "ft2", "ft3", "memory");
  kprintf("flh %lx fmv.x.h %lx fsh %x fmv.h.x %lx\n", x, y, mem[1], z);
  return test_end();
}
