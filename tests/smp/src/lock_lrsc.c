/* Spinlock on lr.w.aq / sc.w, released with fence rw,w + sw: every hart
 * increments non-atomic counters under it. */
#include "smp.h"
#include "critical_section.h"

/* Total over all harts: the same work at every -smp. */
#define TOTAL_ITERATIONS 4000

static volatile uint32_t lock;
static struct cs_shared cs;

static void run(unsigned hart, unsigned nharts) {
  for (unsigned i = 0; i < TOTAL_ITERATIONS / nharts; i++) {
    lrsc_lock(&lock);
    cs_enter_and_work(&cs, hart);
    lrsc_unlock(&lock);
  }
}

static void check(unsigned nharts) {
  cs_check(&cs, nharts, TOTAL_ITERATIONS / nharts);
  CHECK_EQ(lock, 0, "lock word free at the end");
}

SMP_TEST("lock_lrsc", run, check);
