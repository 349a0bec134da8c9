/* The critical section the lock tests protect, and its checks.
 *
 * Inside the lock a hart marks itself as the holder, does a non-atomic
 * read-modify-write of two counters with a short delay in between, and checks
 * that nobody else marked themselves meanwhile. With mutual exclusion the
 * counters end at exactly nharts * iterations (and twice that); any overlap
 * loses increments and is also counted directly. */
#ifndef CRITICAL_SECTION_H
#define CRITICAL_SECTION_H
#include "smp.h"

struct cs_shared {
  volatile uint32_t holder;            /* 0 = nobody, else hart + 1 */
  volatile uint64_t counter;           /* +1 per entry, non-atomic */
  volatile uint64_t shadow;            /* +2 per entry, non-atomic */
  volatile uint64_t overlaps[SMP_MAX_HARTS];
  volatile uint64_t entries[SMP_MAX_HARTS];
};

/* Runs the critical section once; returns the counter value it saw. */
uint64_t cs_enter_and_work(struct cs_shared *s, unsigned hart);
/* Hart 0, after everyone finished: exact totals and no overlaps. */
void cs_check(struct cs_shared *s, unsigned nharts, uint64_t iterations);

#endif
