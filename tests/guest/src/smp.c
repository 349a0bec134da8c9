/* Two harts (-smp 2). Hart 0 releases hart 1 from crt0 and only hart 0 prints.
 * - each hart sees its own mhartid and the a0 = hartid handed over at reset;
 * - concurrent amoadd.d and LR/SC increments on shared counters lose nothing;
 * - message passing with fences (data then flag) is observed in order;
 * - IPIs through the CLINT msip registers in both directions;
 * - per-hart mtimecmp: hart 1 takes its own machine timer interrupt. */
#include "test.h"
#include "trap.h"

#define ITERATIONS 5000
#define MESSAGES 100

static volatile uint64_t amo_counter;
static volatile uint64_t lrsc_counter;
static volatile uint64_t hart1_id, hart1_a0;
static volatile uint64_t hart1_started, hart1_done, hart1_timer_irqs, hart1_ipis;
static volatile uint64_t go;
static volatile uint64_t msg_data, msg_flag;
static volatile uint64_t msg_errors;
static volatile uint64_t hart0_ipis;

static void amo_add(volatile uint64_t *p, uint64_t v) {
  __asm__ volatile("amoadd.d zero, %1, (%0)" ::"r"(p), "r"(v) : "memory");
}

static void lrsc_add(volatile uint64_t *p, uint64_t v) {
  uint64_t tmp, fail;
  __asm__ volatile(
      "1: lr.d %0, (%2)\n"
      "   add %0, %0, %3\n"
      "   sc.d %1, %0, (%2)\n"
      "   bnez %1, 1b\n"
      : "=&r"(tmp), "=&r"(fail)
      : "r"(p), "r"(v)
      : "memory");
}

static void hammer(void) {
  for (int i = 0; i < ITERATIONS; i++) {
    amo_add(&amo_counter, 1);
    lrsc_add(&lrsc_counter, 1);
  }
}

static void hart1_irq(struct trap_frame *f, uint64_t cause) {
  (void)f;
  if (cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
    MMIO64(CLINT_MTIMECMP(1)) = ~0UL;
    hart1_timer_irqs++;
  } else if (cause == (CAUSE_INTERRUPT | IRQ_M_SOFT)) {
    MMIO32(CLINT_MSIP(1)) = 0;
    hart1_ipis++;
  }
}

static void hart0_irq(struct trap_frame *f, uint64_t cause) {
  (void)f;
  if (cause == (CAUSE_INTERRUPT | IRQ_M_SOFT)) {
    MMIO32(CLINT_MSIP(0)) = 0;
    hart0_ipis++;
  }
}

/* Hart 1: runs after release_secondaries(). m_irq_hook is shared, so it
 * dispatches on mhartid. */
static void irq_dispatch(struct trap_frame *f, uint64_t cause) {
  if (csr_read(mhartid) == 1)
    hart1_irq(f, cause);
  else
    hart0_irq(f, cause);
}

void secondary_main(uint64_t hartid) {
  hart1_a0 = hartid;
  hart1_id = csr_read(mhartid);
  hart1_started = 1;
  while (!go) {
  }
  hammer();
  /* message passing: data, fence, flag; hart 0 acknowledges by clearing flag */
  for (uint64_t i = 1; i <= MESSAGES; i++) {
    msg_data = i * 3;
    __asm__ volatile("fence w, w" ::: "memory");
    msg_flag = i;
    while (msg_flag != 0) {
    }
  }
  /* own timer interrupt (mtimecmp resets to 0, i.e. pending: park it first) */
  MMIO64(CLINT_MTIMECMP(1)) = ~0UL;
  csr_write(mie, MIP_MTIP | MIP_MSIP);
  MMIO64(CLINT_MTIMECMP(1)) = read_mtime() + 10000;
  uint64_t deadline = read_mtime() + 2 * TIMEBASE_HZ;
  /* check with MIE = 0, wfi, take the interrupt in a MIE = 1 window (no lost wake-up) */
  while (!hart1_timer_irqs && read_mtime() < deadline) {
    __asm__ volatile("wfi");
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
  }
  csr_set(mstatus, MSTATUS_MIE);
  /* IPI to hart 0 */
  MMIO32(CLINT_MSIP(0)) = 1;
  hart1_done = 1;
  for (;;) __asm__ volatile("wfi"); /* keeps taking IPIs from hart 0 */
}

int main(uint64_t hartid) {
  test_begin("smp");
  CHECK_EQ(hartid, 0, "hart 0 a0");
  m_irq_hook = irq_dispatch;
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  release_secondaries(2);
  CHECK_EQ(wait_until_set(&hart1_started, 5000), 1, "hart 1 started");
  CHECK_EQ(hart1_id, 1, "hart 1 mhartid");
  CHECK_EQ(hart1_a0, 1, "hart 1 a0 = hartid");
  go = 1;
  hammer();
  for (uint64_t i = 1; i <= MESSAGES; i++) {
    uint64_t deadline = read_mtime() + 2 * TIMEBASE_HZ;
    while (msg_flag != i && read_mtime() < deadline) {
    }
    __asm__ volatile("fence r, r" ::: "memory");
    if (msg_flag != i || msg_data != i * 3) msg_errors++;
    msg_flag = 0;
  }
  CHECK_EQ(msg_errors, 0, "message passing: data visible before flag");

  csr_write(mie, MIP_MSIP);
  csr_set(mstatus, MSTATUS_MIE);
  CHECK_EQ(wait_until_set(&hart1_done, 10000), 1, "hart 1 finished");
  CHECK_EQ(amo_counter, 2 * ITERATIONS, "amoadd.d counter");
  CHECK_EQ(lrsc_counter, 2 * ITERATIONS, "lr/sc counter");
  CHECK_EQ(hart1_timer_irqs, 1, "hart 1 took its own timer interrupt");
  CHECK_EQ(wait_until_set(&hart0_ipis, 2000), 1, "hart 0 received the IPI from hart 1");
  MMIO32(CLINT_MSIP(1)) = 1;
  CHECK_EQ(wait_until_set(&hart1_ipis, 2000), 1, "hart 1 received the IPI from hart 0");
  CHECK_EQ(MMIO32(CLINT_MSIP(1)), 0, "hart 1 cleared its msip");
  csr_clear(mstatus, MSTATUS_MIE);
  csr_write(mie, 0);
  CHECK_EQ(MMIO64(CLINT_MTIMECMP(1)), ~0UL, "hart 1 mtimecmp");
  return test_end();
}
