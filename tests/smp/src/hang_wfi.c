/* Never finishes, on purpose: every hart sleeps in WFI with every interrupt
 * disabled (mie = 0, mstatus.MIE = 0), so nothing can wake it. Used to check
 * that the emulator stays responsive (SIGINT ends it promptly). Hart 0
 * announces the state on the console first. */
#include "smp.h"

static void run(unsigned hart, unsigned nharts) {
  smp_irq_disable();
  smp_barrier();
  if (hart == 0) kprintf("HANG hang_wfi: %u harts in WFI with interrupts off\n", nharts);
  for (;;) smp_wfi();
}

SMP_TEST("hang_wfi", run, 0);
