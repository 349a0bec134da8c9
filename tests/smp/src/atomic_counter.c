/* Atomic memory operations hammered by every hart at once. Each result is an
 * exact value independent of the interleaving:
 *  - amoadd.w / amoadd.d totals (the .d one adds hart-dependent amounts);
 *  - the old values amoadd.w returns are a permutation of 0..total-1
 *    (each value is handed to exactly one hart);
 *  - an lr.d/sc.d increment loop loses nothing;
 *  - amoor.w sets one bit per hart, amoand.w clears it again;
 *  - amoxor.d applied an even number of times cancels out;
 *  - amomax.w / amominu.d end at the global extreme of all operands. */
#include "smp.h"

/* Total over all harts: the same work at every -smp. */
#define TOTAL_ITERATIONS 12000
#define MAX_TOTAL TOTAL_ITERATIONS

static volatile uint32_t add_w;
static volatile uint64_t add_d;
static volatile uint64_t lrsc_d;
static volatile uint32_t or_bits, and_bits;
static volatile uint64_t xor_d;
static volatile int32_t max_w;
static volatile uint64_t minu_d;
static volatile uint8_t owner_of[MAX_TOTAL];   /* hart + 1 that got each amoadd.w old value */
static volatile uint64_t out_of_range[SMP_MAX_HARTS];

static void lrsc_increment(volatile uint64_t *p) {
  uint64_t v, fail;
  __asm__ volatile(
      "1: lr.d    %0, (%2)\n"
      "   addi    %0, %0, 1\n"
      "   sc.d    %1, %0, (%2)\n"
      "   bnez    %1, 1b\n"
      : "=&r"(v), "=&r"(fail)
      : "r"(p)
      : "memory");
}

static void hammer(unsigned hart, uint32_t iterations) {
  uint64_t amount = hart + 1;
  for (uint32_t i = 0; i < iterations; i++) {
    uint32_t old;
    __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(&add_w), "r"(1) : "memory");
    if (old < MAX_TOTAL) owner_of[old] = (uint8_t)(hart + 1);
    else out_of_range[hart]++;
    __asm__ volatile("amoadd.d zero, %1, (%0)" ::"r"(&add_d), "r"(amount) : "memory");
    lrsc_increment(&lrsc_d);
    uint64_t pattern = 0x9e3779b97f4a7c15UL * (i + 1) ^ hart;
    __asm__ volatile("amoxor.d.aq zero, %1, (%0)" ::"r"(&xor_d), "r"(pattern) : "memory");
    __asm__ volatile("amoxor.d.rl zero, %1, (%0)" ::"r"(&xor_d), "r"(pattern) : "memory");
    /* operands: max_w sees hart*iterations + i (largest n*iterations - 1);
     * minu_d sees values >= 1000 + i*16 + hart (smallest 1000) */
    int32_t mval = (int32_t)(hart * iterations + i);
    __asm__ volatile("amomax.w zero, %1, (%0)" ::"r"(&max_w), "r"(mval) : "memory");
    uint64_t uval = 1000 + (uint64_t)i * 16 + hart;
    __asm__ volatile("amominu.d zero, %1, (%0)" ::"r"(&minu_d), "r"(uval) : "memory");
  }
  __asm__ volatile("amoor.w zero, %1, (%0)" ::"r"(&or_bits), "r"(1U << hart) : "memory");
  __asm__ volatile("amoand.w zero, %1, (%0)" ::"r"(&and_bits), "r"(~(1U << hart)) : "memory");
}

static void run(unsigned hart, unsigned nharts) {
  if (hart == 0) {
    and_bits = ~0U;
    max_w = INT32_MIN;
    minu_d = ~0UL;
    for (unsigned i = 0; i < MAX_TOTAL; i++) owner_of[i] = 0;
  }
  smp_barrier();
  hammer(hart, TOTAL_ITERATIONS / nharts);
}

static void check(unsigned nharts) {
  uint32_t per_hart = TOTAL_ITERATIONS / nharts;
  uint64_t total = (uint64_t)nharts * per_hart;
  CHECK_EQ(add_w, total, "amoadd.w total (%u harts x %u)", nharts, per_hart);
  CHECK_EQ(add_d, (uint64_t)per_hart * nharts * (nharts + 1) / 2, "amoadd.d weighted total");
  CHECK_EQ(lrsc_d, total, "lr.d/sc.d increment total");
  CHECK_EQ(or_bits, (1UL << nharts) - 1, "amoor.w: one bit per hart");
  CHECK_EQ(and_bits, ~(uint32_t)((1UL << nharts) - 1), "amoand.w: each hart cleared its bit");
  CHECK_EQ(xor_d, 0, "amoxor.d pairs cancel");
  CHECK_EQ(max_w, (int32_t)(nharts * per_hart - 1), "amomax.w");
  CHECK_EQ(minu_d, 1000, "amominu.d");
  uint32_t got[SMP_MAX_HARTS] = {0};
  uint32_t unowned = 0;
  for (uint64_t v = 0; v < total; v++) {
    unsigned o = owner_of[v];
    if (o == 0 || o > nharts) unowned++;
    else got[o - 1]++;
  }
  CHECK_EQ(unowned, 0, "amoadd.w old values not handed to any hart");
  for (unsigned h = 0; h < nharts; h++) {
    CHECK_EQ(out_of_range[h], 0, "hart %u: amoadd.w old value out of range", h);
    CHECK_EQ(got[h], per_hart, "hart %u: distinct amoadd.w old values", h);
  }
}

SMP_TEST("atomic_counter", run, check);
