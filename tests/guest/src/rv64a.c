/* RV64A: every AMO in .W and .D form (and the aq/rl/aqrl encodings) checked
 * for the returned old value (sign-extended for .W), the new memory value and
 * untouched neighbouring bytes; LR/SC success and failure cases.
 * Expected values come from the ISA definitions written out below in plain C
 * (base-ISA code covered by rv64i); checked against QEMU 7.2. */
#include "test.h"
#include "trap.h"

typedef uint64_t (*amo_fn)(volatile void *p, uint64_t v);

#define AMO(name, insn)                                                                              \
  static uint64_t name(volatile void *p, uint64_t v) {                                               \
    uint64_t r;                                                                                      \
    __asm__ volatile(insn " %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");                   \
    return r;                                                                                        \
  }

#define AMO_FAMILY(op)                                                                               \
  AMO(op##_w, #op ".w") AMO(op##_w_aq, #op ".w.aq") AMO(op##_w_rl, #op ".w.rl")                      \
  AMO(op##_w_aqrl, #op ".w.aqrl") AMO(op##_d, #op ".d") AMO(op##_d_aq, #op ".d.aq")                  \
  AMO(op##_d_rl, #op ".d.rl") AMO(op##_d_aqrl, #op ".d.aqrl")

AMO_FAMILY(amoswap)
AMO_FAMILY(amoadd)
AMO_FAMILY(amoxor)
AMO_FAMILY(amoand)
AMO_FAMILY(amoor)
AMO_FAMILY(amomin)
AMO_FAMILY(amomax)
AMO_FAMILY(amominu)
AMO_FAMILY(amomaxu)

enum amo_op { SWAP, ADD, XOR, AND, OR, MIN, MAX, MINU, MAXU };

/* Reference semantics (ISA spec, "A" extension) on the memory operand width:
 * .W operates on the low 32 bits, comparing them as 32-bit numbers. */
static uint64_t ref_op(enum amo_op op, uint64_t mem, uint64_t src, int is_word) {
  int64_t sm = is_word ? (int64_t)(int32_t)mem : (int64_t)mem;
  int64_t ss = is_word ? (int64_t)(int32_t)src : (int64_t)src;
  uint64_t um = is_word ? (uint32_t)mem : mem;
  uint64_t us = is_word ? (uint32_t)src : src;
  switch (op) {
    case SWAP: return src;
    case ADD: return mem + src;
    case XOR: return mem ^ src;
    case AND: return mem & src;
    case OR: return mem | src;
    case MIN: return sm < ss ? mem : src;
    case MAX: return sm > ss ? mem : src;
    case MINU: return um < us ? mem : src;
    case MAXU: return um > us ? mem : src;
  }
  return 0xdead;
}

struct amo_case {
  const char *name;
  amo_fn fn;
  enum amo_op op;
  int is_word;
};

#define CASES(op, e)                                                                                 \
  {#op ".w", op##_w, e, 1}, {#op ".w.aq", op##_w_aq, e, 1}, {#op ".w.rl", op##_w_rl, e, 1},           \
  {#op ".w.aqrl", op##_w_aqrl, e, 1}, {#op ".d", op##_d, e, 0}, {#op ".d.aq", op##_d_aq, e, 0},       \
  {#op ".d.rl", op##_d_rl, e, 0}, {#op ".d.aqrl", op##_d_aqrl, e, 0}

static const struct amo_case cases[] = {
    CASES(amoswap, SWAP), CASES(amoadd, ADD), CASES(amoxor, XOR),   CASES(amoand, AND),   CASES(amoor, OR),
    CASES(amomin, MIN),   CASES(amomax, MAX), CASES(amominu, MINU), CASES(amomaxu, MAXU),
};

static const uint64_t values[] = {
    0, 1, 0xffffffffffffffff, 0x7fffffff, 0x80000000, 0xffffffff80000000, 0x7fffffffffffffff,
    0x8000000000000000, 0x00000001ffffffff, 0x123456789abcdef0, 0xfffffffe00000005,
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

/* Memory layout around the operand: guard words detect stray writes. */
static volatile uint64_t amo_area[4] __attribute__((aligned(16)));
#define GUARD 0x5a5a5a5a5a5a5a5aUL

static void run_amo_case(const struct amo_case *c, uint64_t mem, uint64_t src) {
  amo_area[0] = GUARD;
  amo_area[1] = c->is_word ? (GUARD & 0xffffffff00000000UL) | (uint32_t)mem : mem;
  amo_area[2] = GUARD;
  volatile void *p = &amo_area[1];
  uint64_t got = c->fn(p, src);
  uint64_t old = c->is_word ? (uint64_t)(int64_t)(int32_t)mem : mem;
  uint64_t new_val = ref_op(c->op, mem, src, c->is_word);
  uint64_t expect_mem = c->is_word ? (GUARD & 0xffffffff00000000UL) | (uint32_t)new_val : new_val;
  CHECK_EQ(got, old, "%s rd mem=0x%lx src=0x%lx", c->name, mem, src);
  CHECK_EQ(amo_area[1], expect_mem, "%s memory mem=0x%lx src=0x%lx", c->name, mem, src);
  CHECK_EQ(amo_area[0] ^ amo_area[2], 0, "%s guard", c->name);
}

static void test_amo_table(void) {
  for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    /* the full cross product for the plain form, a diagonal for aq/rl forms */
    int plain = (c % 4) == 0;
    for (unsigned i = 0; i < NVALUES; i++)
      for (unsigned j = 0; j < NVALUES; j++)
        if (plain || j == (i + 3) % NVALUES) run_amo_case(&cases[c], values[i], values[j]);
  }
}

/* High word of a .W operand: AMO on the upper half of a doubleword. */
static void test_amo_word_offset(void) {
  volatile uint64_t *q = &amo_area[1];
  *q = 0x8000000100000002UL;
  uint64_t got = amoadd_w((volatile char *)q + 4, 0x7fffffff);
  CHECK_EQ(got, 0xffffffff80000001UL, "amoadd.w upper word rd");
  /* 0x80000001 + 0x7fffffff wraps to 0 in the upper word; the lower word is untouched */
  CHECK_EQ(*q, 0x0000000000000002UL, "amoadd.w upper word memory");
}

/* rd = x0 still performs the memory operation; rd == rs2 returns the old value. */
static void test_amo_register_forms(void) {
  amo_area[1] = 40;
  __asm__ volatile("amoadd.d x0, %1, (%0)" ::"r"(&amo_area[1]), "r"(2UL) : "memory");
  CHECK_EQ(amo_area[1], 42, "amoadd.d rd=x0 memory");
  uint64_t r = 7;
  __asm__ volatile("amoswap.d %0, %0, (%1)" : "+r"(r) : "r"(&amo_area[1]) : "memory");
  CHECK_EQ(r, 42, "amoswap.d rd=rs2 rd");
  CHECK_EQ(amo_area[1], 7, "amoswap.d rd=rs2 memory");
}

static uint64_t lr_w(volatile void *p) {
  uint64_t r;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(r) : "r"(p) : "memory");
  return r;
}
static uint64_t lr_d(volatile void *p) {
  uint64_t r;
  __asm__ volatile("lr.d %0, (%1)" : "=r"(r) : "r"(p) : "memory");
  return r;
}
static uint64_t sc_w(volatile void *p, uint64_t v) {
  uint64_t r;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
  return r;
}
static uint64_t sc_d(volatile void *p, uint64_t v) {
  uint64_t r;
  __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
  return r;
}

static void test_lr_sc(void) {
  volatile uint64_t *a = &amo_area[1], *b = &amo_area[2];

  *a = 0xffffffff80000001UL;
  CHECK_EQ(lr_w(a), 0xffffffff80000001UL, "lr.w sign-extends");
  CHECK_EQ(sc_w(a, 0x1234567887654321UL), 0, "sc.w after lr.w succeeds");
  CHECK_EQ(*a, 0xffffffff87654321UL, "sc.w stores the low word only");
  CHECK_EQ(sc_w(a, 5), 1, "second sc.w fails (reservation consumed)");
  CHECK_EQ(*a, 0xffffffff87654321UL, "failed sc.w does not store");

  *a = 0x0123456789abcdefUL;
  CHECK_EQ(lr_d(a), 0x0123456789abcdefUL, "lr.d");
  CHECK_EQ(sc_d(a, 0xfedcba9876543210UL), 0, "sc.d after lr.d succeeds");
  CHECK_EQ(*a, 0xfedcba9876543210UL, "sc.d stores");
  CHECK_EQ(sc_d(a, 1), 1, "second sc.d fails");
  CHECK_EQ(*a, 0xfedcba9876543210UL, "failed sc.d does not store");

  /* SC to an address other than the reserved one fails */
  *b = 77;
  lr_d(a);
  CHECK_EQ(sc_d(b, 1), 1, "sc.d to another address fails");
  CHECK_EQ(*b, 77, "sc.d to another address does not store");
  CHECK_EQ(sc_d(a, 2), 1, "reservation is gone after a failed sc.d");

  /* acquire/release encodings */
  uint64_t r;
  *a = 10;
  __asm__ volatile("lr.d.aq %0, (%1)" : "=r"(r) : "r"(a) : "memory");
  CHECK_EQ(r, 10, "lr.d.aq");
  __asm__ volatile("sc.d.rl %0, %2, (%1)" : "=&r"(r) : "r"(a), "r"(11UL) : "memory");
  CHECK_EQ(r, 0, "sc.d.rl succeeds");
  __asm__ volatile("lr.w.aqrl %0, (%1)" : "=r"(r) : "r"(a) : "memory");
  CHECK_EQ(r, 11, "lr.w.aqrl");
  __asm__ volatile("sc.w.aqrl %0, %2, (%1)" : "=&r"(r) : "r"(a), "r"(12UL) : "memory");
  CHECK_EQ(r, 0, "sc.w.aqrl succeeds");
  CHECK_EQ(*a, 12, "sc.w.aqrl stored");

  /* an LR/SC retry loop implementing fetch-and-add */
  *a = 100;
  for (int i = 0; i < 50; i++) {
    uint64_t tmp, fail;
    __asm__ volatile(
        "1: lr.d %0, (%2)\n"
        "   addi %0, %0, 3\n"
        "   sc.d %1, %0, (%2)\n"
        "   bnez %1, 1b\n"
        : "=&r"(tmp), "=&r"(fail)
        : "r"(a)
        : "memory");
  }
  CHECK_EQ(*a, 250, "lr/sc increment loop");

  /* QEMU behaviour (implementation-defined in the spec): a store by the same
   * hart between LR and SC does not break the reservation if the value at the
   * reserved address is unchanged (QEMU implements SC as compare-and-swap). */
  *a = 5;
  lr_d(a);
  *a = 5;
  CHECK_EQ(sc_d(a, 6), 0, "sc.d after same-value store by this hart (QEMU: succeeds)");
  *a = 5;
  lr_d(a);
  *a = 9;
  CHECK_EQ(sc_d(a, 6), 1, "sc.d after a changing store by this hart (QEMU: fails)");
  CHECK_EQ(*a, 9, "failed sc.d left the stored value");

  /* A trap + xRET between LR and SC (switch_mode ecalls into M and mrets). */
  *a = 20;
  lr_d(a);
  switch_mode(PRV_M);
  uint64_t sc_after_trap = sc_d(a, 21);
  CHECK_EQ(sc_after_trap, 1, "sc.d after a trap and mret (QEMU clears the reservation)");
}

int main(void) {
  test_begin("rv64a");
  test_amo_table();
  test_amo_word_offset();
  test_amo_register_forms();
  test_lr_sc();
  return test_end();
}
