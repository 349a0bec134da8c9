/* Ticket lock (amoadd.w hands out tickets, the holder advances `serving`):
 * mutual exclusion as for the spinlocks, plus FIFO order: the i-th entry into
 * the critical section must be by the holder of ticket i. */
#include "smp.h"
#include "critical_section.h"

/* Fewer rounds than the spinlocks: with more harts than host cores a ticket
 * lock convoys (the next ticket holder may not be running). */
#define ITERATIONS 100
#define MAX_ENTRIES (SMP_MAX_HARTS * ITERATIONS)

static struct ticket_lock lock;
static struct cs_shared cs;
static uint32_t ticket_of_entry[MAX_ENTRIES];

static void run(unsigned hart, unsigned nharts) {
  (void)nharts;
  for (int i = 0; i < ITERATIONS; i++) {
    uint32_t ticket = ticket_lock(&lock);
    uint64_t entry = cs_enter_and_work(&cs, hart);
    if (entry < MAX_ENTRIES) ticket_of_entry[entry] = ticket;
    ticket_unlock(&lock);
  }
}

static void check(unsigned nharts) {
  uint32_t total = nharts * ITERATIONS;
  cs_check(&cs, nharts, ITERATIONS);
  CHECK_EQ(lock.next, total, "tickets handed out");
  CHECK_EQ(lock.serving, total, "tickets served");
  uint32_t out_of_order = 0, first_bad = 0;
  for (uint32_t i = 0; i < total && i < MAX_ENTRIES; i++) {
    if (ticket_of_entry[i] != i && out_of_order++ == 0) first_bad = i;
  }
  CHECK_EQ(out_of_order, 0, "entries not in ticket order (first at entry %u)", first_bad);
}

SMP_TEST("lock_ticket", run, check);
