/* Lock-heavy workload: every hart increments two shared counters, one under
 * an LR/SC spinlock and one under an amoswap spinlock, ITERS times each.
 * The result is the sum of both counters and must be exactly
 * 2 * ITERS * harts; anything else means mutual exclusion broke. */
#include "harts.h"

const char guest_name[] = "locks";

#define ITERS 20000
/* Locks and counters on separate cache lines, as a careful programmer would. */
static volatile uint32_t lrsc_lock_word __attribute__((aligned(64)));
static volatile uint32_t amoswap_lock_word __attribute__((aligned(64)));
static volatile uint64_t counter_lrsc __attribute__((aligned(64)));
static volatile uint64_t counter_amoswap __attribute__((aligned(64)));

/* Test-and-test-and-set on lr.w.aq / sc.w. */
static inline void lrsc_lock(volatile uint32_t *lock) {
  uint32_t v, one = 1;
  __asm__ volatile(
      "1: lw      %0, (%1)\n"
      "   bnez    %0, 1b\n"
      "   lr.w.aq %0, (%1)\n"
      "   bnez    %0, 1b\n"
      "   sc.w    %0, %2, (%1)\n"
      "   bnez    %0, 1b\n"
      : "=&r"(v) : "r"(lock), "r"(one) : "memory");
}
static inline void lrsc_unlock(volatile uint32_t *lock) { __asm__ volatile("fence rw, w\n sw zero, (%0)" ::"r"(lock) : "memory"); }

/* Test-and-test-and-set on amoswap.w.aq; released with amoswap.w.rl. */
static inline void amoswap_lock(volatile uint32_t *lock) {
  uint32_t busy, one = 1;
  __asm__ volatile(
      "1: lw      %0, (%1)\n"
      "   bnez    %0, 1b\n"
      "   amoswap.w.aq %0, %2, (%1)\n"
      "   bnez    %0, 1b\n"
      : "=&r"(busy) : "r"(lock), "r"(one) : "memory");
}
static inline void amoswap_unlock(volatile uint32_t *lock) { __asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(lock) : "memory"); }

uint64_t hart_work(unsigned hart) {
  (void)hart;
  for (int i = 0; i < ITERS; i++) {
    lrsc_lock(&lrsc_lock_word);
    counter_lrsc = counter_lrsc + 1;
    lrsc_unlock(&lrsc_lock_word);
    amoswap_lock(&amoswap_lock_word);
    counter_amoswap = counter_amoswap + 1;
    amoswap_unlock(&amoswap_lock_word);
  }
  return 0;
}

/* Read by hart 0 once every hart has finished. */
uint64_t guest_result(uint64_t sum) { (void)sum; return counter_lrsc + counter_amoswap; }
