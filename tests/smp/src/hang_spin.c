/* Never finishes, on purpose: every hart spins forever on an amoswap lock
 * that nobody will release. Used to check that the emulator stays responsive
 * (SIGINT ends it promptly). Hart 0 announces the state on the console first. */
#include "smp.h"

static volatile uint32_t lock;

static void run(unsigned hart, unsigned nharts) {
  if (hart == 0) lock = 1; /* taken by nobody */
  smp_barrier();
  if (hart == 0) kprintf("HANG hang_spin: %u harts spin on a lock nobody releases\n", nharts);
  amoswap_lock(&lock);
  smp_fail("acquired a lock nobody released");
}

SMP_TEST("hang_spin", run, 0);
