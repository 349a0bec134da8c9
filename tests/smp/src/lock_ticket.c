/* Ticket lock: amoadd.w hands out tickets, the holder advances `serving`.
 * Checks mutual exclusion as for the spinlocks, plus FIFO order: the i-th
 * entry into the critical section must be by the holder of ticket i.
 *
 * A waiter spins on `serving` for a while, then sleeps in WFI (mie.MSIE set,
 * mstatus.MIE clear: a pending IPI wakes it without a trap) after publishing
 * the ticket it waits for; the releaser sends an IPI to the hart waiting for
 * the next ticket (like Linux's paravirt spinlocks' wait/kick). A purely
 * spinning ticket lock convoys when there are more harts than host cores:
 * every handoff waits for the host to schedule the next ticket holder, which
 * makes a test of a few hundred acquisitions take seconds on QEMU as well.
 * The waiter clears its msip before re-reading `serving`, and both sides put
 * a full fence between their write and their read of the other's variable,
 * so a kick cannot be lost. */
#include "smp.h"
#include "critical_section.h"

/* Total over all harts: the same work at every -smp. */
#define TOTAL_ITERATIONS 2000
#define MAX_ENTRIES TOTAL_ITERATIONS
#define SPINS_BEFORE_SLEEP 2000
#define NOT_WAITING 0xffffffffU

struct ticket_lock {
  volatile uint32_t next;    /* next ticket to hand out (amoadd.w) */
  volatile uint32_t serving; /* ticket allowed in; written by the holder only */
};

static struct ticket_lock lock;
static struct cs_shared cs;
static uint32_t ticket_of_entry[MAX_ENTRIES];
static volatile uint32_t waiting_for[SMP_MAX_HARTS];

static void sleep_until_served(unsigned hart, uint32_t ticket) {
  uint64_t deadline = smp_deadline_ms(SMP_TIMEOUT_MS);
  smp_set_mtimecmp(hart, deadline); /* wakes us if a kick is ever lost */
  waiting_for[hart] = ticket;
  SMP_FENCE(rw, rw);
  while (lock.serving != ticket) {
    smp_wfi();
    smp_clear_ipi(hart);
    SMP_FENCE(iorw, iorw);
    if (smp_expired(deadline)) smp_fail("ticket %u never served (serving %u)", ticket, lock.serving);
  }
  waiting_for[hart] = NOT_WAITING;
  smp_set_mtimecmp(hart, ~0UL);
}

static uint32_t acquire(unsigned hart) {
  uint32_t ticket = amoadd_w(&lock.next, 1);
  for (unsigned spins = 0; lock.serving != ticket; spins++) {
    if (spins == SPINS_BEFORE_SLEEP) {
      sleep_until_served(hart, ticket);
      break;
    }
  }
  SMP_FENCE(r, rw);
  return ticket;
}

static void release(unsigned nharts) {
  uint32_t next = lock.serving + 1;
  store_release32(&lock.serving, next);
  SMP_FENCE(rw, rw);
  for (unsigned h = 0; h < nharts; h++) {
    if (waiting_for[h] == next) {
      smp_send_ipi(h);
      break;
    }
  }
}

static void run(unsigned hart, unsigned nharts) {
  waiting_for[hart] = NOT_WAITING;
  csr_write(mie, MIP_MSIP | MIP_MTIP); /* wake-up sources for WFI; mstatus.MIE stays 0 */
  smp_barrier();
  for (unsigned i = 0; i < TOTAL_ITERATIONS / nharts; i++) {
    uint32_t ticket = acquire(hart);
    uint64_t entry = cs_enter_and_work(&cs, hart);
    if (entry < MAX_ENTRIES) ticket_of_entry[entry] = ticket;
    release(nharts);
  }
}

static void check(unsigned nharts) {
  uint32_t per_hart = TOTAL_ITERATIONS / nharts, total = nharts * per_hart;
  cs_check(&cs, nharts, per_hart);
  CHECK_EQ(lock.next, total, "tickets handed out");
  CHECK_EQ(lock.serving, total, "tickets served");
  uint32_t out_of_order = 0, first_bad = 0;
  for (uint32_t i = 0; i < total && i < MAX_ENTRIES; i++) {
    if (ticket_of_entry[i] != i && out_of_order++ == 0) first_bad = i;
  }
  CHECK_EQ(out_of_order, 0, "entries not in ticket order (first at entry %u)", first_bad);
}

SMP_TEST("lock_ticket", run, check);
