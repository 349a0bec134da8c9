#include "critical_section.h"

/* A few loads and stores between reading and writing the counter widen the
 * window in which a second hart inside the lock would be caught. */
#define CS_DELAY 4

uint64_t cs_enter_and_work(struct cs_shared *s, unsigned hart) {
  if (s->holder != 0) s->overlaps[hart]++;
  s->holder = hart + 1;
  uint64_t seen = s->counter;
  uint64_t shadow = s->shadow;
  for (int i = 0; i < CS_DELAY; i++) s->entries[hart] += 0; /* volatile traffic, no effect */
  s->counter = seen + 1;
  s->shadow = shadow + 2;
  s->entries[hart]++;
  if (s->holder != hart + 1) s->overlaps[hart]++;
  s->holder = 0;
  return seen;
}

void cs_check(struct cs_shared *s, unsigned nharts, uint64_t iterations) {
  uint64_t total = (uint64_t)nharts * iterations;
  CHECK_EQ(s->counter, total, "counter incremented under the lock by %u harts x %lu", nharts, iterations);
  CHECK_EQ(s->shadow, 2 * total, "second counter under the lock");
  CHECK_EQ(s->holder, 0, "lock holder mark cleared");
  for (unsigned h = 0; h < nharts; h++) {
    CHECK_EQ(s->overlaps[h], 0, "hart %u saw another hart inside the critical section", h);
    CHECK_EQ(s->entries[h], iterations, "hart %u entries", h);
  }
}
