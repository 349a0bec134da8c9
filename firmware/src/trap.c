#include "trap.h"
#include "console.h"
#include "hart.h"
#include "ipi.h"
#include "riscv.h"
#include "timer.h"

void fatal(const char *what, unsigned long a, unsigned long b, unsigned long c) {
  console_puts("tsemu-sbi: hart ");
  console_putdec(this_hart()->id);
  console_puts(": ");
  console_puts(what);
  console_puts(" ");
  console_puthex(a);
  console_puts(" ");
  console_puthex(b);
  console_puts(" ");
  console_puthex(c);
  console_puts("\n");
  hart_hang();
}

void trap_redirect(struct trap_frame *f, unsigned long cause, unsigned long tval) {
  unsigned long ms = f->mstatus;
  unsigned long from = (ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
  csr_write(CSR_STVAL, tval);
  csr_write(CSR_SEPC, f->mepc);
  csr_write(CSR_SCAUSE, cause);
  /* what the hart does on a delegated trap: SPP = mode, SPIE = SIE, SIE = 0, pc = stvec */
  ms &= ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_MPP);
  if (from == PRV_S) ms |= MSTATUS_SPP;
  if (ms & MSTATUS_SIE) ms |= MSTATUS_SPIE;
  ms &= ~MSTATUS_SIE;
  ms |= PRV_S << MSTATUS_MPP_SHIFT;
  f->mstatus = ms;
  f->mepc = csr_read(CSR_STVEC) & ~3UL;
}

unsigned long load_s_ulong(unsigned long addr, unsigned long *value) {
  struct hart *h = this_hart();
  unsigned long v = 0;
  h->trap_cause = 0;
  h->trap_expected = 1;
  /* 4-byte instructions: the trap handler skips the faulting load with mepc += 4 */
  __asm__ volatile(".option push\n.option norvc\n"
                   "csrs mstatus, %2\n"
                   "ld %0, 0(%1)\n"
                   "csrc mstatus, %2\n"
                   ".option pop"
                   : "+&r"(v) : "r"(addr), "r"(MSTATUS_MPRV) : "memory");
  h->trap_expected = 0;
  *value = v;
  return h->trap_cause;
}

static void interrupt(unsigned long irq) {
  switch (irq) {
  case IRQ_M_SOFT: ipi_process(this_hart()); return;
  case IRQ_M_TIMER: timer_machine_interrupt(); return;
  default: fatal("unexpected interrupt", irq, csr_read(CSR_MIP), csr_read(CSR_MIE));
  }
}

void trap_handler(struct trap_frame *f) {
  unsigned long cause = csr_read(CSR_MCAUSE);
  if (cause & MCAUSE_INTERRUPT) {
    interrupt(cause & ~MCAUSE_INTERRUPT);
    return;
  }
  struct hart *h = this_hart();
  unsigned long tval = csr_read(CSR_MTVAL);
  if (((f->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == PRV_M) {
    if (!h->trap_expected) fatal("unexpected trap in M-mode (mcause, mepc, mtval)", cause, f->mepc, tval);
    h->trap_expected = 0;
    h->trap_cause = cause;
    f->mepc += 4;
    return;
  }
  if (cause == CAUSE_SUPERVISOR_ECALL) {
    if (sbi_ecall(f)) f->mepc += 4;
    return;
  }
  /* everything OpenSBI does not delegate and tsemu's hart does not need emulated goes to S-mode */
  trap_redirect(f, cause, tval);
}
