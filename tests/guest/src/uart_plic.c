/* ns16550a UART and PLIC:
 * - UART registers: reset values (LSR = THRE|TEMT, IIR = no interrupt, QEMU's
 *   MCR reset OUT2 and MSR lines), SCR/LCR/IER read-write, divisor latch
 *   behind LCR.DLAB, FIFO enable reflected in IIR, loopback (MCR.LOOP): a
 *   transmitted byte comes back in RBR with LSR.DR and MSR mirrors MCR;
 * - PLIC: priority/threshold WARL (3 bits), enable bits, pending bit of the
 *   UART source 10 (QEMU 7.2 latches it until claimed), claim/complete gateway
 *   semantics, threshold masking, M and S contexts raising MEIP/SEIP;
 * - THR-empty and received-data interrupts from the UART taken in M through
 *   the PLIC (mcause 11), claimed and completed by the handler. */
#include "test.h"
#include "trap.h"
#include "plic.h"

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define UREG(r) MMIO8(UART0_BASE + (r))

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define MCR_LOOP 0x10

static void test_uart_registers(void) {
  CHECK_EQ(UREG(LSR), LSR_THRE | LSR_TEMT, "LSR at reset");
  CHECK_EQ(UREG(IIR), IIR_NO_INT, "IIR at reset");
  CHECK_EQ(UREG(IER), 0, "IER at reset");
  CHECK_EQ(UREG(LCR), 0, "LCR at reset");
  CHECK_EQ(UREG(MCR), 0x08, "MCR at reset (QEMU sets OUT2)");
  CHECK_EQ(UREG(MSR), 0xb0, "MSR at reset (QEMU: DCD, DSR, CTS)");
  UREG(SCR) = 0x5a;
  CHECK_EQ(UREG(SCR), 0x5a, "SCR read/write");
  UREG(SCR) = 0xa5;
  CHECK_EQ(UREG(SCR), 0xa5, "SCR read/write 2");
  UREG(LCR) = 0x1b;
  CHECK_EQ(UREG(LCR), 0x1b, "LCR read/write");
  UREG(IER) = 0xff;
  CHECK_EQ(UREG(IER), 0x0f, "IER keeps 4 bits");
  UREG(IER) = 0;
  /* divisor latch */
  UREG(LCR) = 0x83;
  UREG(DLL) = 0x12;
  UREG(DLM) = 0x34;
  CHECK_EQ(UREG(DLL), 0x12, "DLL");
  CHECK_EQ(UREG(DLM), 0x34, "DLM");
  UREG(LCR) = 0x03;
  CHECK_EQ(UREG(IER), 0, "IER visible again after DLAB=0");
  CHECK_EQ(UREG(LCR), 0x03, "LCR 8N1");
  /* FIFO enable shows in IIR[7:6] */
  UREG(FCR) = 0x07;
  CHECK_EQ(UREG(IIR), 0xc0 | IIR_NO_INT, "IIR with FIFOs enabled");
  UREG(FCR) = 0x00;
  CHECK_EQ(UREG(IIR), IIR_NO_INT, "IIR with FIFOs disabled");
}

/* Loopback: console output is cut off, so record values and check afterwards. */
static void test_uart_loopback(void) {
  uint8_t lsr_before, lsr_after, rbr, lsr_drained, msr;
  UREG(MCR) = MCR_LOOP | 0x0f;
  lsr_before = UREG(LSR);
  UREG(THR) = 'Z';
  lsr_after = UREG(LSR);
  rbr = UREG(RBR);
  lsr_drained = UREG(LSR);
  msr = UREG(MSR);
  UREG(MCR) = 0x08;
  CHECK_EQ(lsr_before & LSR_DR, 0, "loopback: no data before");
  CHECK_EQ(lsr_after & LSR_DR, LSR_DR, "loopback: data ready after transmit");
  CHECK_EQ(rbr, 'Z', "loopback: received byte");
  CHECK_EQ(lsr_drained & LSR_DR, 0, "loopback: data ready clears after read");
  CHECK_EQ(msr & 0xf0, 0xf0, "loopback: MSR mirrors MCR (DTR,RTS,OUT1,OUT2)");
}

/* Enable-register writes do not re-evaluate the interrupt lines in QEMU 7.2;
 * a threshold write does. Tests write the threshold after changing enables so
 * they hold on any PLIC that updates at least then. */
static void plic_set_threshold(unsigned ctx, uint32_t t) { MMIO32(PLIC_THRESHOLD(ctx)) = t; }

/* The 16550 re-evaluates THR-empty only when IER.THRI changes 0 -> 1. */
static void uart_raise_thri(void) {
  UREG(IER) = 0;
  UREG(IER) = IER_THRI;
}

static void test_plic_registers(void) {
  MMIO32(PLIC_PRIORITY(UART0_IRQ)) = 0xffffffff;
  CHECK_EQ(MMIO32(PLIC_PRIORITY(UART0_IRQ)), 7, "priority keeps 3 bits");
  MMIO32(PLIC_PRIORITY(UART0_IRQ)) = 3;
  CHECK_EQ(MMIO32(PLIC_PRIORITY(UART0_IRQ)), 3, "priority 3");
  MMIO32(PLIC_PRIORITY(0)) = 5;
  CHECK_EQ(MMIO32(PLIC_PRIORITY(0)), 0, "source 0 has no priority");
  plic_set_threshold(PLIC_CTX_M(0), 0xffffffff);
  CHECK_EQ(MMIO32(PLIC_THRESHOLD(PLIC_CTX_M(0))), 7, "threshold keeps 3 bits");
  plic_set_threshold(PLIC_CTX_M(0), 0);
  MMIO32(PLIC_ENABLE(PLIC_CTX_M(0), 0)) = 0xfffffffe;
  CHECK_EQ(MMIO32(PLIC_ENABLE(PLIC_CTX_M(0), 0)) & 0xfffffffe, 0xfffffffe, "enable bits 1-31");
  MMIO32(PLIC_ENABLE(PLIC_CTX_M(0), 0)) = 0;
  CHECK_EQ(MMIO32(PLIC_ENABLE(PLIC_CTX_M(0), 0)), 0, "enable cleared");
  CHECK_EQ(MMIO32(PLIC_ENABLE(PLIC_CTX_M(0), 3)), 0, "no enable bits beyond source 95");
  /* test_uart_registers briefly enabled the THR-empty interrupt: QEMU 7.2
   * latches the pending bit on a rising line and only a claim clears it. */
  CHECK_EQ(plic_pending(UART0_IRQ), 1, "pending stays latched after the UART line drops (QEMU 7.2)");
  CHECK_EQ(plic_claim(PLIC_CTX_M(0)), 0, "claim returns 0 when the source is not enabled");
  plic_enable(PLIC_CTX_M(0), UART0_IRQ, 1);
  plic_set_threshold(PLIC_CTX_M(0), 0);
  CHECK_EQ(plic_claim(PLIC_CTX_M(0)), UART0_IRQ, "claim the stale request");
  plic_complete(PLIC_CTX_M(0), UART0_IRQ);
  plic_enable(PLIC_CTX_M(0), UART0_IRQ, 0);
  plic_set_threshold(PLIC_CTX_M(0), 0);
  CHECK_EQ(MMIO32(PLIC_PENDING(0)), 0, "nothing pending");
  CHECK_EQ(mip_wait((MIP_MEIP | MIP_SEIP), 0), 0, "no external interrupt");
}

/* THR-empty interrupt: pending in the PLIC, gated by enable, threshold, claim. */
static void test_plic_gateway(void) {
  unsigned m = PLIC_CTX_M(0), s = PLIC_CTX_S(0);
  MMIO32(PLIC_PRIORITY(UART0_IRQ)) = 3;
  plic_enable(m, UART0_IRQ, 1);
  plic_set_threshold(m, 0);
  CHECK_EQ(mip_wait(MIP_MEIP, 0), 0, "enabled but nothing pending");
  uart_raise_thri();
  CHECK_EQ(plic_pending(UART0_IRQ), 1, "THR empty: UART pending in PLIC");
  CHECK_EQ(mip_wait(MIP_MEIP, MIP_MEIP), MIP_MEIP, "THR empty: MEIP");
  plic_set_threshold(m, 3);
  CHECK_EQ(mip_wait(MIP_MEIP, 0), 0, "threshold = priority masks");
  CHECK_EQ(plic_claim(m), 0, "claim returns 0 when masked");
  CHECK_EQ(plic_pending(UART0_IRQ), 1, "masked claim leaves it pending");
  plic_set_threshold(m, 2);
  CHECK_EQ(mip_wait(MIP_MEIP, MIP_MEIP), MIP_MEIP, "threshold below priority");
  CHECK_EQ(plic_claim(m), UART0_IRQ, "claim returns the UART source");
  CHECK_EQ(plic_pending(UART0_IRQ), 0, "claim clears pending");
  CHECK_EQ(mip_wait(MIP_MEIP, 0), 0, "no MEIP after claim");
  CHECK_EQ(plic_claim(m), 0, "second claim returns 0");
  /* the UART raises again while claimed: pending, but no interrupt */
  uart_raise_thri();
  CHECK_EQ(plic_pending(UART0_IRQ), 1, "new request while claimed is pending");
  CHECK_EQ(mip_wait(MIP_MEIP, 0), 0, "claimed source does not interrupt until completed");
  plic_complete(m, UART0_IRQ);
  CHECK_EQ(mip_wait(MIP_MEIP, MIP_MEIP), MIP_MEIP, "MEIP again after complete");
  CHECK_EQ(plic_claim(m), UART0_IRQ, "claim after complete");
  /* reading IIR acknowledges the THR-empty condition */
  CHECK_EQ(UREG(IIR) & 0x0f, IIR_THRI, "IIR reports THR empty");
  CHECK_EQ(UREG(IIR) & 0x0f, IIR_NO_INT, "THRI cleared by reading IIR");
  plic_complete(m, UART0_IRQ);
  CHECK_EQ(plic_pending(UART0_IRQ), 0, "nothing pending after IIR acknowledged");
  CHECK_EQ(mip_wait(MIP_MEIP, 0), 0, "no MEIP after IIR acknowledged");

  /* route to the S context instead */
  plic_enable(m, UART0_IRQ, 0);
  plic_set_threshold(m, 0);
  plic_enable(s, UART0_IRQ, 1);
  plic_set_threshold(s, 0);
  uart_raise_thri();
  CHECK_EQ(mip_wait((MIP_MEIP | MIP_SEIP), MIP_SEIP), MIP_SEIP, "S context raises SEIP only");
  CHECK_EQ(plic_claim(s), UART0_IRQ, "S context claim");
  CHECK_EQ(mip_wait(MIP_SEIP, 0), 0, "SEIP clear while claimed");
  UREG(IER) = 0;
  (void)UREG(IIR);
  plic_complete(s, UART0_IRQ);
  plic_enable(s, UART0_IRQ, 0);
  plic_set_threshold(s, 0);
  CHECK_EQ(plic_pending(UART0_IRQ), 0, "S context: nothing pending at the end");
  CHECK_EQ(mip_wait((MIP_MEIP | MIP_SEIP), 0), 0, "no external interrupt left");
}

static volatile uint32_t claimed[8];
static volatile uint64_t nclaimed;
static volatile uint8_t received;

/* M external interrupt: claim, silence the UART condition, complete. */
static void ext_hook(struct trap_frame *f, uint64_t cause) {
  (void)f;
  if (cause != (CAUSE_INTERRUPT | IRQ_M_EXT)) {
    kprintf("FAIL %s: unexpected interrupt 0x%lx\n", test_current_name(), cause);
    guest_exit(0x7d);
  }
  uint32_t src = plic_claim(PLIC_CTX_M(0));
  if (nclaimed < 8) claimed[nclaimed] = src;
  nclaimed++;
  if (src == UART0_IRQ) {
    uint8_t iir = UREG(IIR) & 0x0f;
    if (iir == IIR_RDI) received = UREG(RBR);
    if (iir == IIR_THRI) UREG(IER) = UREG(IER) & ~IER_THRI;
  }
  plic_complete(PLIC_CTX_M(0), src);
}

static void test_uart_interrupts(void) {
  m_irq_hook = ext_hook;
  plic_enable(PLIC_CTX_M(0), UART0_IRQ, 1);
  plic_set_threshold(PLIC_CTX_M(0), 0);
  csr_write(mie, MIP_MEIP);
  csr_set(mstatus, MSTATUS_MIE);
  nclaimed = 0;
  uart_raise_thri();
  wait_until_set(&nclaimed, 1000);
  csr_clear(mstatus, MSTATUS_MIE);
  CHECK_EQ(nclaimed, 1, "THR-empty interrupt taken once");
  CHECK_EQ(claimed[0], UART0_IRQ, "THR-empty interrupt source");

  /* receive interrupt in loopback mode */
  nclaimed = 0;
  received = 0;
  UREG(MCR) = MCR_LOOP | 0x08;
  UREG(IER) = IER_RDI;
  csr_set(mstatus, MSTATUS_MIE);
  UREG(THR) = 'q';
  wait_until_set(&nclaimed, 1000);
  csr_clear(mstatus, MSTATUS_MIE);
  UREG(IER) = 0;
  UREG(MCR) = 0x08;
  CHECK_EQ(nclaimed, 1, "receive interrupt taken once");
  CHECK_EQ(received, 'q', "receive interrupt delivered the byte");
  CHECK_EQ(UREG(LSR) & LSR_DR, 0, "receive buffer drained");
  csr_write(mie, 0);
  plic_enable(PLIC_CTX_M(0), UART0_IRQ, 0);
  plic_set_threshold(PLIC_CTX_M(0), 0);
  CHECK_EQ(MMIO32(PLIC_PENDING(0)), 0, "nothing pending at the end");
}

int main(void) {
  test_begin("uart_plic");
  test_uart_registers();
  test_uart_loopback();
  test_plic_registers();
  test_plic_gateway();
  test_uart_interrupts();
  return test_end();
}
