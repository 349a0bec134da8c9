/* Spinlock on lr.w.aq / sc.w, released with fence rw,w + sw: every hart
 * increments non-atomic counters under it. */
#include "smp.h"
#include "critical_section.h"

#define ITERATIONS 2000

static volatile uint32_t lock;
static struct cs_shared cs;

static void run(unsigned hart, unsigned nharts) {
  (void)nharts;
  for (int i = 0; i < ITERATIONS; i++) {
    lrsc_lock(&lock);
    cs_enter_and_work(&cs, hart);
    lrsc_unlock(&lock);
  }
}

static void check(unsigned nharts) {
  cs_check(&cs, nharts, ITERATIONS);
  CHECK_EQ(lock, 0, "lock word free at the end");
}

SMP_TEST("lock_lrsc", run, check);
