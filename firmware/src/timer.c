#include "timer.h"
#include "hart.h"
#include "riscv.h"
#include <stdint.h>

void timer_set(unsigned long when) {
  struct hart *h = this_hart();
  if (!h->timer_via_clint) {
    csr_write(CSR_STIMECMP, when);
    return;
  }
  *(volatile uint64_t *)CLINT_MTIMECMP(h->id) = when;
  csr_clear(CSR_MIP, MIP_STIP);
  csr_set(CSR_MIE, MIP_MTIP);
}

void timer_machine_interrupt(void) {
  csr_clear(CSR_MIE, MIP_MTIP);
  csr_set(CSR_MIP, MIP_STIP);
}
