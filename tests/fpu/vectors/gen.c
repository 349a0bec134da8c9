/*
 * F/D extension test-vector generator.
 *
 * Runs every computational F/D instruction on real RISC-V semantics (this file
 * is cross-compiled and run under qemu-riscv64, i.e. QEMU's softfloat) for a
 * deterministic set of operand bit patterns and every rounding mode, and prints
 * one line per operand tuple:
 *
 *   <mnemonic> <operand>... <result>:<fflags> [<result>:<fflags> x4]
 *
 * Operands and results are raw 64-bit register images in minimal hex (f
 * registers as stored, so NaN-boxing is visible; x registers as 64-bit values).
 * Instructions with a rounding-mode field print five results, for rm = RNE,
 * RTZ, RDN, RUP, RMM (set through frm, instruction rm = DYN), collapsed to one
 * result when all five are identical. Other instructions print one result.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;
typedef uint32_t u32;

/* ---------- instruction wrappers ---------------------------------------- */

typedef u64 (*OpFn)(u64 a, u64 b, u64 c, unsigned rm, unsigned *flags);

/* f regs ft0..ft2 take raw 64-bit images via fmv.d.x so unboxed singles can be fed. */
#define PROLOGUE "fsrm %[rm]\n\tcsrw fflags, x0\n\t"
#define EPILOGUE "frflags %[f]\n\t"

#define DEF_F_FF(fn, insn)                                                         \
    static u64 fn(u64 a, u64 b, u64 c, unsigned rm, unsigned *fl) {                \
        u64 r; unsigned f; (void)c;                                                \
        __asm__ volatile("fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t" PROLOGUE    \
                         insn " ft2, ft0, ft1\n\t" EPILOGUE "fmv.x.d %[r], ft2"    \
                         : [r] "=&r"(r), [f] "=&r"(f)                              \
                         : [a] "r"(a), [b] "r"(b), [rm] "r"(rm)                    \
                         : "ft0", "ft1", "ft2");                                   \
        *fl = f; return r;                                                         \
    }

#define DEF_F_F(fn, insn)                                                          \
    static u64 fn(u64 a, u64 b, u64 c, unsigned rm, unsigned *fl) {                \
        u64 r; unsigned f; (void)b; (void)c;                                       \
        __asm__ volatile("fmv.d.x ft0, %[a]\n\t" PROLOGUE                          \
                         insn " ft2, ft0\n\t" EPILOGUE "fmv.x.d %[r], ft2"         \
                         : [r] "=&r"(r), [f] "=&r"(f)                              \
                         : [a] "r"(a), [rm] "r"(rm)                                \
                         : "ft0", "ft2");                                          \
        *fl = f; return r;                                                         \
    }

#define DEF_F_FFF(fn, insn)                                                        \
    static u64 fn(u64 a, u64 b, u64 c, unsigned rm, unsigned *fl) {                \
        u64 r; unsigned f;                                                         \
        __asm__ volatile("fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t"              \
                         "fmv.d.x ft2, %[c]\n\t" PROLOGUE                          \
                         insn " ft3, ft0, ft1, ft2\n\t" EPILOGUE "fmv.x.d %[r], ft3" \
                         : [r] "=&r"(r), [f] "=&r"(f)                              \
                         : [a] "r"(a), [b] "r"(b), [c] "r"(c), [rm] "r"(rm)        \
                         : "ft0", "ft1", "ft2", "ft3");                            \
        *fl = f; return r;                                                         \
    }

#define DEF_X_FF(fn, insn)                                                         \
    static u64 fn(u64 a, u64 b, u64 c, unsigned rm, unsigned *fl) {                \
        u64 r; unsigned f; (void)c;                                                \
        __asm__ volatile("fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t" PROLOGUE    \
                         insn " %[r], ft0, ft1\n\t" EPILOGUE                       \
                         : [r] "=&r"(r), [f] "=&r"(f)                              \
                         : [a] "r"(a), [b] "r"(b), [rm] "r"(rm)                    \
                         : "ft0", "ft1");                                          \
        *fl = f; return r;                                                         \
    }

#define DEF_X_F(fn, insn)                                                          \
    static u64 fn(u64 a, u64 b, u64 c, unsigned rm, unsigned *fl) {                \
        u64 r; unsigned f; (void)b; (void)c;                                       \
        __asm__ volatile("fmv.d.x ft0, %[a]\n\t" PROLOGUE                          \
                         insn " %[r], ft0\n\t" EPILOGUE                            \
                         : [r] "=&r"(r), [f] "=&r"(f)                              \
                         : [a] "r"(a), [rm] "r"(rm)                                \
                         : "ft0");                                                 \
        *fl = f; return r;                                                         \
    }

#define DEF_F_X(fn, insn)                                                          \
    static u64 fn(u64 a, u64 b, u64 c, unsigned rm, unsigned *fl) {                \
        u64 r; unsigned f; (void)b; (void)c;                                       \
        __asm__ volatile(PROLOGUE insn " ft2, %[a]\n\t" EPILOGUE                   \
                         "fmv.x.d %[r], ft2"                                       \
                         : [r] "=&r"(r), [f] "=&r"(f)                              \
                         : [a] "r"(a), [rm] "r"(rm)                                \
                         : "ft2");                                                 \
        *fl = f; return r;                                                         \
    }

DEF_F_FF(op_fadd_s, "fadd.s")   DEF_F_FF(op_fadd_d, "fadd.d")
DEF_F_FF(op_fsub_s, "fsub.s")   DEF_F_FF(op_fsub_d, "fsub.d")
DEF_F_FF(op_fmul_s, "fmul.s")   DEF_F_FF(op_fmul_d, "fmul.d")
DEF_F_FF(op_fdiv_s, "fdiv.s")   DEF_F_FF(op_fdiv_d, "fdiv.d")
DEF_F_FF(op_fmin_s, "fmin.s")   DEF_F_FF(op_fmin_d, "fmin.d")
DEF_F_FF(op_fmax_s, "fmax.s")   DEF_F_FF(op_fmax_d, "fmax.d")
DEF_F_FF(op_fsgnj_s, "fsgnj.s")   DEF_F_FF(op_fsgnj_d, "fsgnj.d")
DEF_F_FF(op_fsgnjn_s, "fsgnjn.s") DEF_F_FF(op_fsgnjn_d, "fsgnjn.d")
DEF_F_FF(op_fsgnjx_s, "fsgnjx.s") DEF_F_FF(op_fsgnjx_d, "fsgnjx.d")
DEF_F_F(op_fsqrt_s, "fsqrt.s")  DEF_F_F(op_fsqrt_d, "fsqrt.d")
DEF_F_F(op_fcvt_s_d, "fcvt.s.d") DEF_F_F(op_fcvt_d_s, "fcvt.d.s")
DEF_F_FFF(op_fmadd_s, "fmadd.s")   DEF_F_FFF(op_fmadd_d, "fmadd.d")
DEF_F_FFF(op_fmsub_s, "fmsub.s")   DEF_F_FFF(op_fmsub_d, "fmsub.d")
DEF_F_FFF(op_fnmadd_s, "fnmadd.s") DEF_F_FFF(op_fnmadd_d, "fnmadd.d")
DEF_F_FFF(op_fnmsub_s, "fnmsub.s") DEF_F_FFF(op_fnmsub_d, "fnmsub.d")
DEF_X_FF(op_feq_s, "feq.s") DEF_X_FF(op_feq_d, "feq.d")
DEF_X_FF(op_flt_s, "flt.s") DEF_X_FF(op_flt_d, "flt.d")
DEF_X_FF(op_fle_s, "fle.s") DEF_X_FF(op_fle_d, "fle.d")
DEF_X_F(op_fclass_s, "fclass.s") DEF_X_F(op_fclass_d, "fclass.d")
DEF_X_F(op_fmv_x_w, "fmv.x.w")   DEF_X_F(op_fmv_x_d, "fmv.x.d")
DEF_X_F(op_fcvt_w_s, "fcvt.w.s")   DEF_X_F(op_fcvt_w_d, "fcvt.w.d")
DEF_X_F(op_fcvt_wu_s, "fcvt.wu.s") DEF_X_F(op_fcvt_wu_d, "fcvt.wu.d")
DEF_X_F(op_fcvt_l_s, "fcvt.l.s")   DEF_X_F(op_fcvt_l_d, "fcvt.l.d")
DEF_X_F(op_fcvt_lu_s, "fcvt.lu.s") DEF_X_F(op_fcvt_lu_d, "fcvt.lu.d")
DEF_F_X(op_fcvt_s_w, "fcvt.s.w")   DEF_F_X(op_fcvt_d_w, "fcvt.d.w")
DEF_F_X(op_fcvt_s_wu, "fcvt.s.wu") DEF_F_X(op_fcvt_d_wu, "fcvt.d.wu")
DEF_F_X(op_fcvt_s_l, "fcvt.s.l")   DEF_F_X(op_fcvt_d_l, "fcvt.d.l")
DEF_F_X(op_fcvt_s_lu, "fcvt.s.lu") DEF_F_X(op_fcvt_d_lu, "fcvt.d.lu")
DEF_F_X(op_fmv_w_x, "fmv.w.x")     DEF_F_X(op_fmv_d_x, "fmv.d.x")

/* Zfh (built with -march=rv64gc_zfh, run with -cpu rv64,Zfh=true) */
DEF_F_FF(op_fadd_h, "fadd.h")   DEF_F_FF(op_fsub_h, "fsub.h")
DEF_F_FF(op_fmul_h, "fmul.h")   DEF_F_FF(op_fdiv_h, "fdiv.h")
DEF_F_FF(op_fmin_h, "fmin.h")   DEF_F_FF(op_fmax_h, "fmax.h")
DEF_F_FF(op_fsgnj_h, "fsgnj.h") DEF_F_FF(op_fsgnjn_h, "fsgnjn.h") DEF_F_FF(op_fsgnjx_h, "fsgnjx.h")
DEF_F_F(op_fsqrt_h, "fsqrt.h")
DEF_F_FFF(op_fmadd_h, "fmadd.h")   DEF_F_FFF(op_fmsub_h, "fmsub.h")
DEF_F_FFF(op_fnmadd_h, "fnmadd.h") DEF_F_FFF(op_fnmsub_h, "fnmsub.h")
DEF_X_FF(op_feq_h, "feq.h") DEF_X_FF(op_flt_h, "flt.h") DEF_X_FF(op_fle_h, "fle.h")
DEF_X_F(op_fclass_h, "fclass.h")
DEF_X_F(op_fcvt_w_h, "fcvt.w.h") DEF_X_F(op_fcvt_wu_h, "fcvt.wu.h")
DEF_X_F(op_fcvt_l_h, "fcvt.l.h") DEF_X_F(op_fcvt_lu_h, "fcvt.lu.h")
DEF_F_X(op_fcvt_h_w, "fcvt.h.w") DEF_F_X(op_fcvt_h_wu, "fcvt.h.wu")
DEF_F_X(op_fcvt_h_l, "fcvt.h.l") DEF_F_X(op_fcvt_h_lu, "fcvt.h.lu")

/* ---------- deterministic pseudo-random numbers -------------------------- */

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(void) {
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rnd_below(unsigned n) { return (unsigned)(rnd() % n); }

/* ---------- operand construction ---------------------------------------- */

#define BOX(x) (0xffffffff00000000ull | (u32)(x))

static u64 bits_d(double d) { u64 u; memcpy(&u, &d, 8); return u; }
static double from_bits_d(u64 u) { double d; memcpy(&d, &u, 8); return d; }
static u32 bits_s(float f) { u32 u; memcpy(&u, &f, 4); return u; }
static float from_bits_s(u32 u) { float f; memcpy(&f, &u, 4); return f; }

/* Mantissa shapes that make exact results, ties and long carries likely. */
static u64 rnd_mantissa(unsigned width) {
    u64 mask = (1ull << width) - 1;
    switch (rnd_below(6)) {
    case 0: return rnd() & mask;                                    /* dense */
    case 1: return (rnd() & mask) & ~((1ull << rnd_below(width)) - 1); /* low zeros */
    case 2: return mask ^ (1ull << rnd_below(width));               /* almost all ones */
    case 3: return (1ull << rnd_below(width)) | (rnd() & 1);        /* sparse */
    case 4: return (rnd() & mask) | ((1ull << rnd_below(width)) - 1); /* low ones */
    default: return rnd() & (mask >> rnd_below(width));            /* high zeros */
    }
}

/* Random single: exponent mostly near 1.0, sometimes anywhere or at the edges. */
static u32 rnd_exp_s(void) {
    switch (rnd_below(8)) {
    case 0: case 1: case 2: return 127 - 6 + rnd_below(13);
    case 3: return rnd_below(256);
    case 4: return rnd_below(4);
    case 5: return 251 + rnd_below(5);
    default: return 1 + rnd_below(254);
    }
}

static u32 rnd_s_raw(void) {
    return ((u32)(rnd() & 1) << 31) | (rnd_exp_s() << 23) | (u32)rnd_mantissa(23);
}

/* Mostly finite random singles (NaN/inf only as they fall). */
static u64 rnd_s(void) { return BOX(rnd_s_raw()); }

static u64 rnd_exp_d(void) {
    switch (rnd_below(8)) {
    case 0: case 1: case 2: return 1023 - 8 + rnd_below(17);
    case 3: return rnd_below(2048);
    case 4: return rnd_below(4);
    case 5: return 2043 + rnd_below(5);
    default: return 1 + rnd_below(2046);
    }
}

static u64 rnd_d(void) {
    return ((rnd() & 1) << 63) | (rnd_exp_d() << 52) | rnd_mantissa(52);
}

/* Random integer with a random bit length and tie/sticky-friendly low bits. */
static u64 rnd_int(void) {
    unsigned len = 1 + rnd_below(64);
    u64 low_mask = len == 64 ? ~0ull : (1ull << len) - 1;
    u64 v = (1ull << (len - 1)) | (rnd_mantissa(63) & low_mask);
    return (rnd() & 3) == 0 ? (u64)(-(int64_t)v) : v;
}

/* Singles with a given biased exponent, used to target overflow/underflow edges. */
static u32 make_s(u32 sign, int exp, u32 mant) {
    return (sign << 31) | ((u32)exp << 23) | (mant & 0x7fffff);
}
static u64 make_d(u64 sign, int exp, u64 mant) {
    return (sign << 63) | ((u64)exp << 52) | (mant & 0xfffffffffffffull);
}

/* ---------- special operand pools --------------------------------------- */

static const u32 SPECIAL_S[] = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x00000002, 0x007fffff, 0x807fffff,
    0x00400000, 0x00800000, 0x80800000, 0x00800001, 0x00ffffff, 0x01000000,
    0x3f800000, 0xbf800000, 0x3f800001, 0x3f7fffff, 0x3fc00000, 0x40000000, 0xc0400000,
    0x3dcccccd, 0x33800000, 0x33c00000, 0x34000000, 0x4b000000, 0x4b000001, 0x4b7fffff,
    0x3f000000, 0xbf000000, 0x3ec00000, 0x3fe00000, 0x40200000, 0xc0200000, 0x40400000,
    0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001, 0x4f7fffff, 0x4f800000, 0x5effffff,
    0x5f000000, 0xdf000000, 0xdf000001, 0x5f7fffff, 0x5f800000, 0xbf7fffff,
    0x7f7fffff, 0xff7fffff, 0x7f000000, 0x7effffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fc00001, 0x7fffffff, 0x7f800001, 0xff800001, 0x7fbfffff,
};
#define N_SPECIAL_S (sizeof SPECIAL_S / sizeof SPECIAL_S[0])

/* Register images that are not valid NaN-boxed singles. */
static const u64 UNBOXED_S[] = {
    0x000000003f800000ull, 0x7fffffff7f800001ull, 0xfffffffe00000000ull, 0x3ff0000000000000ull,
};
#define N_UNBOXED_S (sizeof UNBOXED_S / sizeof UNBOXED_S[0])

/* A smaller set for operand pairs/triples. */
static const u64 CORE_S[] = {
    BOX(0x00000000), BOX(0x80000000), BOX(0x00000001), BOX(0x807fffff), BOX(0x00800000),
    BOX(0x80800001), BOX(0x3f800000), BOX(0xbf800000), BOX(0x3f800001), BOX(0x3f7fffff),
    BOX(0x3fc00000), BOX(0xc0400000), BOX(0x33800000), BOX(0xb3c00000), BOX(0x4b000001),
    BOX(0x7f7fffff), BOX(0xff7fffff), BOX(0x7effffff), BOX(0x7f800000), BOX(0xff800000),
    BOX(0x7fc00000), BOX(0xffc00001), BOX(0x7f800001), BOX(0xffa00000), 0x000000003f800000ull,
};
#define N_CORE_S (sizeof CORE_S / sizeof CORE_S[0])

static const u64 SPECIAL_D[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull, 0x8000000000000001ull,
    0x0000000000000002ull, 0x000fffffffffffffull, 0x800fffffffffffffull, 0x0008000000000000ull,
    0x0010000000000000ull, 0x8010000000000000ull, 0x0010000000000001ull, 0x001fffffffffffffull,
    0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff0000000000001ull, 0x3fefffffffffffffull,
    0x3ff8000000000000ull, 0x4000000000000000ull, 0xc008000000000000ull, 0x3fb999999999999aull,
    0x3ca0000000000000ull, 0x3ca8000000000000ull, 0x3cb0000000000000ull, 0x4330000000000000ull,
    0x4330000000000001ull, 0x433fffffffffffffull, 0x3fe0000000000000ull, 0xbfe0000000000000ull,
    0x3fd8000000000000ull, 0x3ffc000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
    0x4008000000000000ull, 0xbfd999999999999aull,
    0x41dfffffffc00000ull, 0x41dfffffffe00000ull, 0x41dffffffff00000ull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0xc1e0000000100000ull, 0xc1e0000000200000ull, 0x41efffffffe00000ull,
    0x41effffffff00000ull, 0x41f0000000000000ull, 0x43dfffffffffffffull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0xc3e0000000000001ull, 0x43efffffffffffffull, 0x43f0000000000000ull,
    0x47efffffe0000000ull, 0x47efffffefffffffull, 0x47effffff0000000ull, 0x47f0000000000000ull,
    0x3810000000000000ull, 0x380fffffffffffffull, 0x380ffffff0000000ull, 0x380fffffe8000000ull,
    0x36a0000000000000ull, 0x3690000000000000ull, 0x3690000000000001ull, 0xb6a8000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7fe0000000000000ull, 0x7fdfffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
    0x7ff8000000000001ull, 0x7fffffffffffffffull, 0x7ff0000000000001ull, 0xfff0000000000001ull,
    0x7ff7ffffffffffffull, 0xffffffff7fc00000ull,
};
#define N_SPECIAL_D (sizeof SPECIAL_D / sizeof SPECIAL_D[0])

static const u64 CORE_D[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull,
    0x0010000000000000ull, 0x8010000000000001ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff0000000000001ull, 0x3fefffffffffffffull, 0x3ff8000000000000ull, 0xc008000000000000ull,
    0x3ca0000000000000ull, 0xbca8000000000000ull, 0x4330000000000001ull, 0x7fefffffffffffffull,
    0xffefffffffffffffull, 0x7fdfffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000001ull, 0x7ff0000000000001ull, 0xfff4000000000000ull,
};
#define N_CORE_D (sizeof CORE_D / sizeof CORE_D[0])

static const u64 SPECIAL_I[] = {
    0, 1, 2, 3, 0xffffffffffffffffull, 0xfffffffffffffffeull, 0x7fffffff, 0x80000000,
    0xffffffff80000000ull, 0xffffffff7fffffffull, 0xffffffff, 0x100000000ull, 0x00ffffff,
    0x01000000, 0x01000001, 0x01000003, 0x01000002, 0x02000005, 0x7fffffc0, 0x7fffffbf,
    0x7fffff80, 0xffffff80, 0xffffff7f, 0x0020000000000000ull, 0x0020000000000001ull,
    0x0020000000000003ull, 0x001fffffffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0x8000000000000001ull, 0x7ffffffffffffc00ull, 0x7ffffffffffffbffull, 0x7fffff8000000000ull,
    0x7fffff7fffffffffull, 0x1000001000000001ull, 0x1000001000000000ull, 0x1000000800000000ull,
    0x1000000800000001ull, 0xfffffffffffff800ull, 0xffffff8000000000ull, 0xffffff7fffffffffull,
    0xfffffffffffffc00ull, 0xfffffffffffffbffull, 0x00000000deadbeefull, 0x12345678deadbeefull,
};
#define N_SPECIAL_I (sizeof SPECIAL_I / sizeof SPECIAL_I[0])

/* ---------- output ------------------------------------------------------ */

enum { RM_COUNT = 5 };
static unsigned long vector_count;

static void emit(const char *name, OpFn fn, int nops, int has_rm, u64 a, u64 b, u64 c) {
    u64 r[RM_COUNT];
    unsigned f[RM_COUNT];
    int modes = has_rm ? RM_COUNT : 1;
    for (int rm = 0; rm < modes; rm++) r[rm] = fn(a, b, c, (unsigned)rm, &f[rm]);
    int same = 1;
    for (int rm = 1; rm < modes; rm++)
        if (r[rm] != r[0] || f[rm] != f[0]) same = 0;
    printf("%s %llx", name, (unsigned long long)a);
    if (nops > 1) printf(" %llx", (unsigned long long)b);
    if (nops > 2) printf(" %llx", (unsigned long long)c);
    int shown = same ? 1 : modes;
    for (int rm = 0; rm < shown; rm++) printf(" %llx:%x", (unsigned long long)r[rm], f[rm]);
    putchar('\n');
    vector_count += (unsigned long)modes;
}

/* ---------- operand-set drivers ----------------------------------------- */

typedef struct {
    const char *name;
    OpFn fn;
} Op;

static u64 special_s(unsigned i) {
    return i < N_SPECIAL_S ? BOX(SPECIAL_S[i]) : UNBOXED_S[i - N_SPECIAL_S];
}
#define N_ALL_S (N_SPECIAL_S + N_UNBOXED_S)

/* Values a float->int conversion finds interesting: integers +- fractions near
 * the 32/64-bit boundaries. */
static double rnd_conversion_value(void) {
    static const double bases[] = {0, 1, 2, 3, 2147483647.0, 2147483648.0, 4294967295.0,
                                   4294967296.0, 9223372036854775807.0, 18446744073709551615.0,
                                   8388608.0, 4503599627370496.0, 9007199254740992.0};
    static const double fracs[] = {0, 0.25, 0.5, 0.75, 1.0 / 3, 0.5000000001, 0.4999999999};
    double v = bases[rnd_below(sizeof bases / sizeof bases[0])];
    v += fracs[rnd_below(sizeof fracs / sizeof fracs[0])] * (rnd_below(3) == 0 ? 4096 : 1);
    v += (double)(int)(rnd_below(9)) - 4;
    return (rnd() & 1) ? -v : v;
}

static void unary_s(const char *name, OpFn fn, int has_rm, int randoms, int conv) {
    for (unsigned i = 0; i < N_ALL_S; i++) emit(name, fn, 1, has_rm, special_s(i), 0, 0);
    for (int i = 0; i < randoms; i++) {
        u64 a = rnd_s();
        if (conv && (i & 1)) a = BOX(bits_s((float)rnd_conversion_value()));
        emit(name, fn, 1, has_rm, a, 0, 0);
    }
}

static void unary_d(const char *name, OpFn fn, int has_rm, int randoms, int conv) {
    for (unsigned i = 0; i < N_SPECIAL_D; i++) emit(name, fn, 1, has_rm, SPECIAL_D[i], 0, 0);
    for (int i = 0; i < randoms; i++) {
        u64 a = rnd_d();
        if (conv && (i & 1)) a = bits_d(rnd_conversion_value());
        emit(name, fn, 1, has_rm, a, 0, 0);
    }
}

static void unary_i(const char *name, OpFn fn, int has_rm, int randoms) {
    for (unsigned i = 0; i < N_SPECIAL_I; i++) emit(name, fn, 1, has_rm, SPECIAL_I[i], 0, 0);
    for (int i = 0; i < randoms; i++) emit(name, fn, 1, has_rm, rnd_int(), 0, 0);
}

/* Pairs for binary ops. `kind` targets the result exponent: 0 none, 1 mul, 2 div, 3 add. */
static void pair_edges_s(u32 *a, u32 *b, int kind) {
    int ea = 1 + (int)rnd_below(254);
    int target = (rnd() & 1) ? (int)rnd_below(4) - 1 /* underflow edge */ : 253 + (int)rnd_below(3);
    int eb;
    if (kind == 1) eb = target - ea + 127;
    else if (kind == 2) eb = ea - target + 127;
    else eb = ea - 22 - (int)rnd_below(6);
    if (eb < 0) eb = 0;
    if (eb > 254) eb = 254;
    *a = make_s(rnd() & 1, ea, (u32)rnd_mantissa(23));
    *b = make_s(rnd() & 1, eb, (u32)rnd_mantissa(23));
}

static void pair_edges_d(u64 *a, u64 *b, int kind) {
    int ea = 1 + (int)rnd_below(2046);
    int target = (rnd() & 1) ? (int)rnd_below(4) - 1 : 2045 + (int)rnd_below(3);
    int eb;
    if (kind == 1) eb = target - ea + 1023;
    else if (kind == 2) eb = ea - target + 1023;
    else eb = ea - 51 - (int)rnd_below(6);
    if (eb < 0) eb = 0;
    if (eb > 2046) eb = 2046;
    *a = make_d(rnd() & 1, ea, rnd_mantissa(52));
    *b = make_d(rnd() & 1, eb, rnd_mantissa(52));
}

static void binary_s(const char *name, OpFn fn, int has_rm, int randoms, int kind) {
    for (unsigned i = 0; i < N_CORE_S; i++)
        for (unsigned j = 0; j < N_CORE_S; j++) emit(name, fn, 2, has_rm, CORE_S[i], CORE_S[j], 0);
    for (int i = 0; i < randoms; i++) {
        u64 a, b;
        if (kind && (i % 3) == 0) {
            u32 x, y;
            pair_edges_s(&x, &y, kind);
            a = BOX(x); b = BOX(y);
        } else if ((i % 3) == 1) {
            a = rnd_s();
            b = BOX(make_s(rnd() & 1, (int)((a >> 23) & 0xff) + (int)rnd_below(5) - 2, (u32)rnd_mantissa(23)));
        } else {
            a = rnd_s(); b = rnd_s();
        }
        if (rnd_below(4) == 0) { u64 t = a; a = b; b = t; }
        emit(name, fn, 2, has_rm, a, b, 0);
    }
}

static void binary_d(const char *name, OpFn fn, int has_rm, int randoms, int kind) {
    for (unsigned i = 0; i < N_CORE_D; i++)
        for (unsigned j = 0; j < N_CORE_D; j++) emit(name, fn, 2, has_rm, CORE_D[i], CORE_D[j], 0);
    for (int i = 0; i < randoms; i++) {
        u64 a, b;
        if (kind && (i % 3) == 0) {
            pair_edges_d(&a, &b, kind);
        } else if ((i % 3) == 1) {
            a = rnd_d();
            int e = (int)((a >> 52) & 0x7ff) + (int)rnd_below(5) - 2;
            b = make_d(rnd() & 1, e < 0 ? 0 : e > 2047 ? 2047 : e, rnd_mantissa(52));
        } else {
            a = rnd_d(); b = rnd_d();
        }
        if (rnd_below(4) == 0) { u64 t = a; a = b; b = t; }
        emit(name, fn, 2, has_rm, a, b, 0);
    }
}

/* Small special set for fused multiply-add triples. */
static const unsigned FMA_PICK_S[] = {0, 1, 2, 6, 7, 9, 12, 15, 18, 20, 22, 24};
static const unsigned FMA_PICK_D[] = {0, 1, 2, 6, 7, 9, 12, 15, 18, 20, 22};

static void fma_s(const char *name, OpFn fn, int randoms) {
    unsigned n = sizeof FMA_PICK_S / sizeof FMA_PICK_S[0];
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            for (unsigned k = 0; k < n; k++)
                emit(name, fn, 3, 1, CORE_S[FMA_PICK_S[i]], CORE_S[FMA_PICK_S[j]], CORE_S[FMA_PICK_S[k]]);
    for (int i = 0; i < randoms; i++) {
        u64 a = rnd_s(), b = rnd_s(), c;
        float fa = from_bits_s((u32)a), fb = from_bits_s((u32)b);
        switch (i % 4) {
        case 0: c = rnd_s(); break;
        case 1: /* near-cancellation of the product */
            c = BOX(bits_s((float)-((double)fa * (double)fb)) ^ (u32)rnd_below(3));
            break;
        case 2: { /* addend a little below the product's rounding position */
            float p = fa * fb;
            u32 pb = bits_s(p);
            int e = (int)((pb >> 23) & 0xff) - 23 - (int)rnd_below(4);
            c = BOX(make_s(rnd() & 1, e < 0 ? 0 : e, (u32)rnd_mantissa(23)));
            break;
        }
        default: { /* result near the underflow/overflow edges */
            u32 x, y;
            pair_edges_s(&x, &y, 1);
            a = BOX(x); b = BOX(y);
            c = BOX(make_s(rnd() & 1, (int)rnd_below(3), (u32)rnd_mantissa(23)));
            break;
        }
        }
        emit(name, fn, 3, 1, a, b, c);
    }
}

static void fma_d(const char *name, OpFn fn, int randoms) {
    unsigned n = sizeof FMA_PICK_D / sizeof FMA_PICK_D[0];
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            for (unsigned k = 0; k < n; k++)
                emit(name, fn, 3, 1, CORE_D[FMA_PICK_D[i]], CORE_D[FMA_PICK_D[j]], CORE_D[FMA_PICK_D[k]]);
    for (int i = 0; i < randoms; i++) {
        u64 a = rnd_d(), b = rnd_d(), c;
        double da = from_bits_d(a), db = from_bits_d(b);
        switch (i % 4) {
        case 0: c = rnd_d(); break;
        case 1: c = bits_d(-(da * db)) ^ rnd_below(3); break;
        case 2: {
            u64 pb = bits_d(da * db);
            int e = (int)((pb >> 52) & 0x7ff) - 52 - (int)rnd_below(4);
            c = make_d(rnd() & 1, e < 0 ? 0 : e, rnd_mantissa(52));
            break;
        }
        default: {
            pair_edges_d(&a, &b, 1);
            c = make_d(rnd() & 1, (int)rnd_below(3), rnd_mantissa(52));
            break;
        }
        }
        emit(name, fn, 3, 1, a, b, c);
    }
}

/* sqrt: specials, randoms, and squares of short mantissas (exact and near-tie). */
static void sqrt_s(const char *name, OpFn fn, int randoms) {
    unary_s(name, fn, 1, randoms, 0);
    for (int i = 0; i < randoms / 2; i++) {
        float r = from_bits_s(make_s(0, 100 + (int)rnd_below(50), (u32)(rnd() & 0x7ff000)));
        u32 sq = bits_s(r * r) + (u32)rnd_below(3) - 1;
        emit(name, fn, 1, 1, BOX(sq), 0, 0);
    }
}

static void sqrt_d(const char *name, OpFn fn, int randoms) {
    unary_d(name, fn, 1, randoms, 0);
    for (int i = 0; i < randoms / 2; i++) {
        double r = from_bits_d(make_d(0, 900 + (int)rnd_below(250), rnd() & 0xffffffc000000ull));
        u64 sq = bits_d(r * r) + rnd_below(3) - 1;
        emit(name, fn, 1, 1, sq, 0, 0);
    }
}

/* fcvt.s.d: doubles around single rounding points, overflow and underflow edges. */
static void cvt_s_d(const char *name, OpFn fn, int randoms) {
    unary_d(name, fn, 1, randoms, 0);
    for (int i = 0; i < randoms; i++) {
        int e;
        switch (i % 3) {
        case 0: e = 1023 - 126 - (int)rnd_below(26); break; /* subnormal single range */
        case 1: e = 1023 + 126 + (int)rnd_below(3); break;  /* overflow edge */
        default: e = 1023 - 20 + (int)rnd_below(40); break;
        }
        u64 m = rnd_mantissa(52);
        if (rnd() & 1) m = (m & ~0x1fffffffull) | ((rnd() & 1) ? 0x10000000ull : 0x0fffffffull);
        emit(name, fn, 1, 1, make_d(rnd() & 1, e, m), 0, 0);
    }
}

/* ---------- Zfh: half precision ------------------------------------------ */

#define BOX_H(x) (0xffffffffffff0000ull | (u64)(uint16_t)(x))

/* +-0, subnormals (smallest, largest, a middle one), smallest normal, 1, -1, 1+ulp, 1-ulp/2, 1.5,
 * 3, largest finite, infinities, quiet and signalling NaNs with payloads, 1/3, 2^15, 0.1 */
static const uint16_t SPECIAL_H[] = {
    0x0000, 0x8000, 0x0001, 0x03ff, 0x8200, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x3bff, 0x3e00, 0x4200,
    0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7e01, 0x7c01, 0xfd55, 0x3555, 0x7800, 0x2e66,
};
#define N_SPECIAL_H (sizeof SPECIAL_H / sizeof SPECIAL_H[0])
/* Register images that are not properly NaN-boxed halves: they read as the canonical NaN. */
static const u64 UNBOXED_H[] = {0x3c00, 0xffffffff00003c00ull, 0x7fffffffffff3c00ull, 0xfffeffffffff3c00ull};
#define N_UNBOXED_H (sizeof UNBOXED_H / sizeof UNBOXED_H[0])
#define N_ALL_H (N_SPECIAL_H + N_UNBOXED_H)

static u64 special_h(unsigned i) {
    return i < N_SPECIAL_H ? BOX_H(SPECIAL_H[i]) : UNBOXED_H[i - N_SPECIAL_H];
}

static uint16_t make_h(unsigned sign, int exp, unsigned mant) {
    return (uint16_t)((sign & 1) << 15 | (unsigned)(exp & 0x1f) << 10 | (mant & 0x3ff));
}

/* Mostly normal numbers of any exponent, some subnormals, infinities and NaNs. */
static u64 rnd_h(void) {
    unsigned r = rnd_below(32);
    int e = r == 0 ? 0 : r == 1 ? 31 : 1 + (int)rnd_below(30);
    return BOX_H(make_h(rnd() & 1, e, (unsigned)rnd_mantissa(10)));
}

static void unary_h(const char *name, OpFn fn, int has_rm, int randoms) {
    for (unsigned i = 0; i < N_ALL_H; i++) emit(name, fn, 1, has_rm, special_h(i), 0, 0);
    for (int i = 0; i < randoms; i++) emit(name, fn, 1, has_rm, rnd_h(), 0, 0);
}

/* Pairs: every special pair, then randoms with nearby exponents (sums that cancel or round,
 * products and quotients near the overflow and underflow edges) and unrelated ones. */
static void binary_h(const char *name, OpFn fn, int has_rm, int randoms) {
    for (unsigned i = 0; i < N_ALL_H; i++)
        for (unsigned j = 0; j < N_ALL_H; j++) emit(name, fn, 2, has_rm, special_h(i), special_h(j), 0);
    for (int i = 0; i < randoms; i++) {
        u64 a = rnd_h(), b;
        int ea = (int)((a >> 10) & 0x1f);
        switch (i % 3) {
        case 0: b = BOX_H(make_h(rnd() & 1, ea + (int)rnd_below(5) - 2 < 0 ? 0 : ea + (int)rnd_below(5) - 2, (unsigned)rnd_mantissa(10))); break;
        case 1: b = BOX_H(make_h(rnd() & 1, 30 - ea + (int)rnd_below(3) < 0 ? 0 : 30 - ea + (int)rnd_below(3), (unsigned)rnd_mantissa(10))); break;
        default: b = rnd_h(); break;
        }
        emit(name, fn, 2, has_rm, a, b, 0);
    }
}

static const unsigned FMA_PICK_H[] = {0, 1, 2, 5, 6, 7, 8, 10, 12, 14, 16, 19};

static void fma_h(const char *name, OpFn fn, int randoms) {
    unsigned n = sizeof FMA_PICK_H / sizeof FMA_PICK_H[0];
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            for (unsigned k = 0; k < n; k++)
                emit(name, fn, 3, 1, BOX_H(SPECIAL_H[FMA_PICK_H[i]]), BOX_H(SPECIAL_H[FMA_PICK_H[j]]), BOX_H(SPECIAL_H[FMA_PICK_H[k]]));
    for (int i = 0; i < randoms; i++) {
        u64 a = rnd_h(), b = rnd_h(), c;
        int ep = (int)((a >> 10) & 0x1f) + (int)((b >> 10) & 0x1f) - 15;
        switch (i % 3) {
        case 0: c = rnd_h(); break;
        case 1: /* an addend near the product: cancellation */
            c = BOX_H(make_h(rnd() & 1, ep < 0 ? 0 : ep > 30 ? 30 : ep, (unsigned)rnd_mantissa(10)));
            break;
        default: /* an addend just below the product's rounding position (double rounding would show) */
            c = BOX_H(make_h(rnd() & 1, ep - 11 - (int)rnd_below(4) < 0 ? 0 : ep - 11 - (int)rnd_below(4) > 30 ? 30 : ep - 11 - (int)rnd_below(4), (unsigned)rnd_mantissa(10)));
            break;
        }
        emit(name, fn, 3, 1, a, b, c);
    }
}

/* Integers for fcvt.h.*: the specials, values around half's rounding points and its overflow. */
static void int_to_h(const char *name, OpFn fn, int randoms) {
    unary_i(name, fn, 1, randoms);
    for (int i = 0; i < randoms; i++) {
        u64 v = (u64)(2048 + rnd_below(63488)) << rnd_below(5);
        if (rnd() & 1) v = -v;
        emit(name, fn, 1, 1, v, 0, 0);
    }
}

static void zfh_vectors(void) {
    static const Op rm_binary_h[] = {{"fadd.h", op_fadd_h}, {"fsub.h", op_fsub_h},
                                     {"fmul.h", op_fmul_h}, {"fdiv.h", op_fdiv_h}};
    for (int i = 0; i < 4; i++) binary_h(rm_binary_h[i].name, rm_binary_h[i].fn, 1, 1500);
    unary_h("fsqrt.h", op_fsqrt_h, 1, 1000);
    static const Op fma_ops_h[] = {{"fmadd.h", op_fmadd_h}, {"fmsub.h", op_fmsub_h},
                                   {"fnmadd.h", op_fnmadd_h}, {"fnmsub.h", op_fnmsub_h}};
    for (int i = 0; i < 4; i++) fma_h(fma_ops_h[i].name, fma_ops_h[i].fn, i == 0 ? 2000 : 800);
    static const Op plain_binary_h[] = {{"fmin.h", op_fmin_h}, {"fmax.h", op_fmax_h},
                                        {"fsgnj.h", op_fsgnj_h}, {"fsgnjn.h", op_fsgnjn_h},
                                        {"fsgnjx.h", op_fsgnjx_h}, {"feq.h", op_feq_h},
                                        {"flt.h", op_flt_h}, {"fle.h", op_fle_h}};
    for (int i = 0; i < 8; i++) binary_h(plain_binary_h[i].name, plain_binary_h[i].fn, 0, 150);
    unary_h("fclass.h", op_fclass_h, 0, 100);
    static const Op f2i_h[] = {{"fcvt.w.h", op_fcvt_w_h}, {"fcvt.wu.h", op_fcvt_wu_h},
                               {"fcvt.l.h", op_fcvt_l_h}, {"fcvt.lu.h", op_fcvt_lu_h}};
    for (int i = 0; i < 4; i++) unary_h(f2i_h[i].name, f2i_h[i].fn, 1, 500);
    static const Op i2h[] = {{"fcvt.h.w", op_fcvt_h_w}, {"fcvt.h.wu", op_fcvt_h_wu},
                             {"fcvt.h.l", op_fcvt_h_l}, {"fcvt.h.lu", op_fcvt_h_lu}};
    for (int i = 0; i < 4; i++) int_to_h(i2h[i].name, i2h[i].fn, 300);
}

int main(void) {
    static const Op rm_binary_s[] = {{"fadd.s", op_fadd_s}, {"fsub.s", op_fsub_s},
                                     {"fmul.s", op_fmul_s}, {"fdiv.s", op_fdiv_s}};
    static const Op rm_binary_d[] = {{"fadd.d", op_fadd_d}, {"fsub.d", op_fsub_d},
                                     {"fmul.d", op_fmul_d}, {"fdiv.d", op_fdiv_d}};
    static const int kinds[] = {3, 3, 1, 2};
    for (int i = 0; i < 4; i++) binary_s(rm_binary_s[i].name, rm_binary_s[i].fn, 1, 3000, kinds[i]);
    for (int i = 0; i < 4; i++) binary_d(rm_binary_d[i].name, rm_binary_d[i].fn, 1, 3000, kinds[i]);
    sqrt_s("fsqrt.s", op_fsqrt_s, 1500);
    sqrt_d("fsqrt.d", op_fsqrt_d, 1500);

    static const Op fma_ops_s[] = {{"fmadd.s", op_fmadd_s}, {"fmsub.s", op_fmsub_s},
                                   {"fnmadd.s", op_fnmadd_s}, {"fnmsub.s", op_fnmsub_s}};
    static const Op fma_ops_d[] = {{"fmadd.d", op_fmadd_d}, {"fmsub.d", op_fmsub_d},
                                   {"fnmadd.d", op_fnmadd_d}, {"fnmsub.d", op_fnmsub_d}};
    for (int i = 0; i < 4; i++) fma_s(fma_ops_s[i].name, fma_ops_s[i].fn, i == 0 ? 4000 : 1500);
    for (int i = 0; i < 4; i++) fma_d(fma_ops_d[i].name, fma_ops_d[i].fn, i == 0 ? 4000 : 1500);

    static const Op plain_binary_s[] = {{"fmin.s", op_fmin_s}, {"fmax.s", op_fmax_s},
                                        {"fsgnj.s", op_fsgnj_s}, {"fsgnjn.s", op_fsgnjn_s},
                                        {"fsgnjx.s", op_fsgnjx_s}, {"feq.s", op_feq_s},
                                        {"flt.s", op_flt_s}, {"fle.s", op_fle_s}};
    static const Op plain_binary_d[] = {{"fmin.d", op_fmin_d}, {"fmax.d", op_fmax_d},
                                        {"fsgnj.d", op_fsgnj_d}, {"fsgnjn.d", op_fsgnjn_d},
                                        {"fsgnjx.d", op_fsgnjx_d}, {"feq.d", op_feq_d},
                                        {"flt.d", op_flt_d}, {"fle.d", op_fle_d}};
    for (int i = 0; i < 8; i++) binary_s(plain_binary_s[i].name, plain_binary_s[i].fn, 0, 150, 0);
    for (int i = 0; i < 8; i++) binary_d(plain_binary_d[i].name, plain_binary_d[i].fn, 0, 150, 0);

    unary_s("fclass.s", op_fclass_s, 0, 100, 0);
    unary_d("fclass.d", op_fclass_d, 0, 100, 0);
    unary_s("fmv.x.w", op_fmv_x_w, 0, 30, 0);
    unary_d("fmv.x.d", op_fmv_x_d, 0, 30, 0);
    unary_i("fmv.w.x", op_fmv_w_x, 0, 30);
    unary_i("fmv.d.x", op_fmv_d_x, 0, 30);

    static const Op f2i_s[] = {{"fcvt.w.s", op_fcvt_w_s}, {"fcvt.wu.s", op_fcvt_wu_s},
                               {"fcvt.l.s", op_fcvt_l_s}, {"fcvt.lu.s", op_fcvt_lu_s}};
    static const Op f2i_d[] = {{"fcvt.w.d", op_fcvt_w_d}, {"fcvt.wu.d", op_fcvt_wu_d},
                               {"fcvt.l.d", op_fcvt_l_d}, {"fcvt.lu.d", op_fcvt_lu_d}};
    for (int i = 0; i < 4; i++) unary_s(f2i_s[i].name, f2i_s[i].fn, 1, 1000, 1);
    for (int i = 0; i < 4; i++) unary_d(f2i_d[i].name, f2i_d[i].fn, 1, 1000, 1);

    static const Op i2f[] = {{"fcvt.s.w", op_fcvt_s_w}, {"fcvt.s.wu", op_fcvt_s_wu},
                             {"fcvt.s.l", op_fcvt_s_l}, {"fcvt.s.lu", op_fcvt_s_lu},
                             {"fcvt.d.w", op_fcvt_d_w}, {"fcvt.d.wu", op_fcvt_d_wu},
                             {"fcvt.d.l", op_fcvt_d_l}, {"fcvt.d.lu", op_fcvt_d_lu}};
    for (int i = 0; i < 8; i++) unary_i(i2f[i].name, i2f[i].fn, 1, 1000);

    cvt_s_d("fcvt.s.d", op_fcvt_s_d, 1500);
    unary_s("fcvt.d.s", op_fcvt_d_s, 1, 200, 0);

    zfh_vectors(); /* last: the F/D vectors above stay as they were */

    fprintf(stderr, "%lu vectors\n", vector_count);
    return 0;
}
