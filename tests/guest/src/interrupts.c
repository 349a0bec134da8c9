/* Interrupts (all timing-independent: only causes, order and counts are checked):
 * - machine timer via CLINT mtimecmp, waiting in wfi; MTIP follows mtimecmp;
 * - machine software interrupt via CLINT msip;
 * - wfi wakes up on a pending enabled interrupt even with MIE = 0;
 * - M interrupts are taken in S/U even with mstatus.MIE = 0;
 * - supervisor timer via Sstc stimecmp (menvcfg.STCE, mcounteren.TM gate S access);
 * - delegation (mideleg) of SSIP/STIP to S, taken on entering S/U, never in M;
 * - priority with several interrupts pending at once (QEMU 7.2 order: lowest
 *   cause number first, not the spec order) and M-targeted before S-targeted;
 * - vectored mtvec: interrupts go to base + 4 * cause, exceptions to base. */
#include "test.h"
#include "trap.h"

#define MAX_EVENTS 16
static volatile uint64_t events[MAX_EVENTS];
static volatile unsigned nevents;
static volatile uint64_t event_mode[MAX_EVENTS];

static void reset_events(void) { nevents = 0; }

static void record_event(uint64_t cause, uint64_t mode) {
  if (nevents < MAX_EVENTS) {
    events[nevents] = cause;
    event_mode[nevents] = mode;
  }
  nevents++;
}

/* Silences whatever raised the interrupt so that the handler can return. */
static void m_hook(struct trap_frame *f, uint64_t cause) {
  (void)f;
  record_event(cause, PRV_M);
  switch (cause & ~CAUSE_INTERRUPT) {
    case IRQ_M_SOFT: MMIO32(CLINT_MSIP(0)) = 0; break;
    case IRQ_M_TIMER: MMIO64(CLINT_MTIMECMP(0)) = ~0UL; break;
    case IRQ_S_EXT: csr_clear(mip, MIP_SEIP); break;
    case IRQ_S_SOFT: csr_clear(mip, MIP_SSIP); break;
    case IRQ_S_TIMER:
      if (csr_read(menvcfg) & MENVCFG_STCE)
        csr_write(stimecmp, ~0UL);
      else
        csr_clear(mip, MIP_STIP);
      break;
    default: csr_clear(mie, 1UL << (cause & 63)); break;
  }
}

static void s_hook(struct trap_frame *f, uint64_t cause) {
  (void)f;
  record_event(cause, PRV_S);
  switch (cause & ~CAUSE_INTERRUPT) {
    case IRQ_S_SOFT: csr_clear(sip, MIP_SSIP); break;
    case IRQ_S_TIMER: csr_write(stimecmp, ~0UL); break;
    default: csr_clear(sie, 1UL << (cause & 63)); break;
  }
}

/* M mode: waits in wfi until n events were recorded (or 1 s of mtime).
 * Race-free: the event count is checked with MIE = 0, and wfi returns as soon
 * as an enabled interrupt is pending even with MIE = 0; the interrupt is then
 * taken in the short MIE = 1 window. (Checking the count with MIE = 1 and then
 * executing wfi could sleep forever if the interrupt came in between.) */
static void wait_events_m(unsigned n) {
  uint64_t deadline = read_mtime() + TIMEBASE_HZ;
  for (;;) {
    csr_clear(mstatus, MSTATUS_MIE);
    if (nevents >= n) break;
    if (read_mtime() >= deadline) {
      /* a descheduled host thread may see the deadline first: let anything
       * already pending in before giving up */
      csr_set(mstatus, MSTATUS_MIE);
      csr_clear(mstatus, MSTATUS_MIE);
      break;
    }
    __asm__ volatile("wfi");
    csr_set(mstatus, MSTATUS_MIE);
  }
}

/* Waits without wfi (wfi is illegal in U, and S-mode waits would need the
 * same MIE dance as wait_events_m with SIE). Interrupts must be enabled. */
static void spin_events(unsigned n) {
  uint64_t deadline = read_mtime() + TIMEBASE_HZ;
  while (nevents < n && read_mtime() < deadline) {
  }
}

#define IRQ(n) (CAUSE_INTERRUPT | (n))

static void test_machine_timer(void) {
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  CHECK_EQ(mip_wait(MIP_MTIP, 0), 0, "MTIP clear with mtimecmp = max");
  MMIO64(CLINT_MTIMECMP(0)) = read_mtime() - 1;
  CHECK_EQ(mip_wait(MIP_MTIP, MIP_MTIP), MIP_MTIP, "MTIP set with mtimecmp in the past");
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  CHECK_EQ(mip_wait(MIP_MTIP, 0), 0, "MTIP clear again");

  reset_events();
  csr_write(mie, MIP_MTIP);
  MMIO64(CLINT_MTIMECMP(0)) = read_mtime() + 20000; /* 2 ms */
  wait_events_m(1);
  CHECK_EQ(nevents, 1, "machine timer: one interrupt");
  CHECK_EQ(events[0], IRQ(IRQ_M_TIMER), "machine timer: mcause");
  CHECK_EQ(mip_wait(MIP_MTIP, 0), 0, "MTIP cleared by the handler");

  /* the high and low words of mtimecmp can be written separately */
  MMIO32(CLINT_MTIMECMP(0) + 4) = 0;
  MMIO32(CLINT_MTIMECMP(0)) = 0;
  CHECK_EQ(MMIO64(CLINT_MTIMECMP(0)), 0, "mtimecmp 32-bit writes");
  CHECK_EQ(mip_wait(MIP_MTIP, MIP_MTIP), MIP_MTIP, "MTIP with mtimecmp = 0");
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  csr_write(mie, 0);

  /* wfi with MIE = 0 wakes when an enabled interrupt becomes pending */
  csr_write(mie, MIP_MTIP);
  MMIO64(CLINT_MTIMECMP(0)) = read_mtime() + 10000;
  reset_events();
  uint64_t deadline = read_mtime() + TIMEBASE_HZ;
  while (!(csr_read(mip) & MIP_MTIP) && read_mtime() < deadline) __asm__ volatile("wfi");
  CHECK_EQ(csr_read(mip) & MIP_MTIP, MIP_MTIP, "wfi with MIE=0 returns once MTIP is pending");
  CHECK_EQ(nevents, 0, "no trap with MIE=0");
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  csr_write(mie, 0);
}

static void test_machine_software(void) {
  CHECK_EQ(MMIO32(CLINT_MSIP(0)), 0, "msip reads 0");
  MMIO32(CLINT_MSIP(0)) = 1;
  CHECK_EQ(MMIO32(CLINT_MSIP(0)), 1, "msip reads 1");
  CHECK_EQ(mip_wait(MIP_MSIP, MIP_MSIP), MIP_MSIP, "MSIP follows msip");
  MMIO32(CLINT_MSIP(0)) = 0;
  CHECK_EQ(mip_wait(MIP_MSIP, 0), 0, "MSIP clear");

  reset_events();
  csr_write(mie, MIP_MSIP);
  MMIO32(CLINT_MSIP(0)) = 1;
  wait_events_m(1);
  CHECK_EQ(nevents, 1, "software interrupt: one interrupt");
  CHECK_EQ(events[0], IRQ(IRQ_M_SOFT), "software interrupt: mcause");

  /* M interrupts are taken in S and U regardless of mstatus.MIE */
  for (int mode = PRV_U; mode <= PRV_S; mode++) {
    reset_events();
    switch_mode(mode);
    MMIO32(CLINT_MSIP(0)) = 1;
    spin_events(1);
    switch_mode(PRV_M);
    CHECK_EQ(nevents, 1, "MSI taken in %s with MIE=0", mode == PRV_S ? "S" : "U");
    CHECK_EQ(events[0], IRQ(IRQ_M_SOFT), "MSI from lower mode: mcause");
  }
  csr_write(mie, 0);
}

static void test_priority(void) {
  csr_write(menvcfg, 0);
  MMIO32(CLINT_MSIP(0)) = 1;
  MMIO64(CLINT_MTIMECMP(0)) = 0;
  csr_set(mip, MIP_SEIP | MIP_SSIP | MIP_STIP);
  csr_write(mie, MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP);
  mip_wait(MIP_MSIP | MIP_MTIP, MIP_MSIP | MIP_MTIP);
  reset_events();
  csr_set(mstatus, MSTATUS_MIE);
  __asm__ volatile("nop");
  csr_clear(mstatus, MSTATUS_MIE);
  /* The spec orders MEI > MSI > MTI > SEI > SSI > STI. QEMU 7.2 without AIA
   * takes the lowest-numbered pending interrupt first (ctz of mip & mie). */
  static const uint64_t order[] = {IRQ_S_SOFT, IRQ_M_SOFT, IRQ_S_TIMER, IRQ_M_TIMER, IRQ_S_EXT};
  CHECK_EQ(nevents, 5, "priority: five interrupts taken");
  for (unsigned i = 0; i < 5; i++) CHECK_EQ(events[i], IRQ(order[i]), "priority (QEMU 7.2 order): interrupt #%u", i);
  csr_write(mie, 0);

  /* Interrupts for M are taken before interrupts delegated to S. */
  csr_write(stvec, (uintptr_t)s_trap_entry);
  csr_write(mideleg, MIP_SSIP);
  csr_write(mie, MIP_SSIP | MIP_MTIP);
  reset_events();
  csr_set(mstatus, MSTATUS_SIE);
  csr_set(mip, MIP_SSIP);
  MMIO64(CLINT_MTIMECMP(0)) = 0;
  mip_wait(MIP_MTIP, MIP_MTIP);
  switch_mode(PRV_S); /* both pending and enabled from here on */
  spin_events(2);
  csr_clear(sstatus, MSTATUS_SIE);
  switch_mode(PRV_M);
  CHECK_EQ(nevents, 2, "M before S: two interrupts");
  CHECK_EQ(events[0], IRQ(IRQ_M_TIMER), "M before S: first is MTI");
  CHECK_EQ(event_mode[0], PRV_M, "M before S: MTI in M");
  CHECK_EQ(events[1], IRQ(IRQ_S_SOFT), "M before S: then SSI");
  CHECK_EQ(event_mode[1], PRV_S, "M before S: SSI in S");
  csr_write(mie, 0);
  csr_write(mideleg, 0);
}

static void test_s_delegation(void) {
  csr_write(stvec, (uintptr_t)s_trap_entry);
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
  csr_write(mie, MIP_SSIP);
  /* pending delegated SSIP is not taken in M, even with SIE and MIE set */
  reset_events();
  csr_set(mstatus, MSTATUS_SIE | MSTATUS_MIE);
  csr_set(mip, MIP_SSIP);
  __asm__ volatile("nop");
  CHECK_EQ(nevents, 0, "delegated SSIP not taken in M");
  csr_clear(mstatus, MSTATUS_MIE);
  /* ... and is taken by S as soon as we drop to S (SIE = 1) */
  switch_mode(PRV_S);
  __asm__ volatile("nop");
  switch_mode(PRV_M);
  CHECK_EQ(nevents, 1, "delegated SSIP taken on entering S");
  CHECK_EQ(events[0], IRQ(IRQ_S_SOFT), "delegated SSIP: scause");
  CHECK_EQ(event_mode[0], PRV_S, "delegated SSIP handled in S");
  /* in S with SIE = 0 it stays pending; in U it is taken regardless of SIE */
  reset_events();
  csr_clear(mstatus, MSTATUS_SIE);
  csr_set(mip, MIP_SSIP);
  switch_mode(PRV_S);
  __asm__ volatile("nop");
  CHECK_EQ(nevents, 0, "delegated SSIP masked in S with SIE=0");
  CHECK_EQ(csr_read(sip) & MIP_SSIP, MIP_SSIP, "SSIP visible in sip");
  switch_mode(PRV_U);
  __asm__ volatile("nop");
  switch_mode(PRV_M);
  CHECK_EQ(nevents, 1, "delegated SSIP taken in U with SIE=0");
  CHECK_EQ(event_mode[0], PRV_S, "delegated SSIP from U handled in S");
  /* S sets its own software interrupt through sip */
  reset_events();
  switch_mode(PRV_S);
  csr_set(sstatus, MSTATUS_SIE);
  csr_set(sip, MIP_SSIP);
  __asm__ volatile("nop");
  csr_clear(sstatus, MSTATUS_SIE);
  switch_mode(PRV_M);
  CHECK_EQ(nevents, 1, "SSIP raised by S through sip");
  csr_write(mie, 0);
  csr_write(mideleg, 0);
}

static void test_sstc(void) {
  csr_write(mideleg, MIP_STIP);
  csr_write(menvcfg, 0);
  csr_write(mcounteren, 2);
  switch_mode(PRV_S);
  trap_expect();
  __asm__ volatile(".word 0x14d027f3" ::: "a5"); /* csrr a5, stimecmp */
  check_trap("stimecmp from S with STCE=0", CAUSE_ILLEGAL_INSN, 0x14d027f3, PRV_M);
  switch_mode(PRV_M);
  csr_write(menvcfg, MENVCFG_STCE);
  CHECK_EQ(csr_read(menvcfg) & MENVCFG_STCE, MENVCFG_STCE, "menvcfg.STCE writable");
  csr_write(mcounteren, 0);
  switch_mode(PRV_S);
  trap_expect();
  __asm__ volatile(".word 0x14d027f3" ::: "a5");
  check_trap("stimecmp from S with mcounteren.TM=0", CAUSE_ILLEGAL_INSN, 0x14d027f3, PRV_M);
  switch_mode(PRV_M);
  csr_write(mcounteren, 2);

  /* STIP follows stimecmp and is no longer writable through mip */
  csr_write(stimecmp, ~0UL);
  CHECK_EQ(mip_wait(MIP_STIP, 0), 0, "STIP clear with stimecmp = max");
  csr_set(mip, MIP_STIP);
  CHECK_EQ(csr_read(mip) & MIP_STIP, 0, "STIP not writable with STCE=1");
  csr_write(stimecmp, csr_read(time) - 1);
  CHECK_EQ(mip_wait(MIP_STIP, MIP_STIP), MIP_STIP, "STIP set with stimecmp in the past");
  csr_write(stimecmp, ~0UL);
  CHECK_EQ(mip_wait(MIP_STIP, 0), 0, "STIP clear again");

  /* supervisor timer interrupt delivered to S */
  csr_write(mie, MIP_STIP);
  reset_events();
  switch_mode(PRV_S);
  csr_write(stimecmp, csr_read(time) + 20000);
  csr_set(sstatus, MSTATUS_SIE);
  spin_events(1);
  csr_clear(sstatus, MSTATUS_SIE);
  switch_mode(PRV_M);
  CHECK_EQ(nevents, 1, "Sstc timer: one interrupt");
  CHECK_EQ(events[0], IRQ(IRQ_S_TIMER), "Sstc timer: scause");
  CHECK_EQ(event_mode[0], PRV_S, "Sstc timer handled in S");

  /* not delegated: the supervisor timer goes to M */
  csr_write(mideleg, 0);
  reset_events();
  csr_write(stimecmp, csr_read(time) + 20000);
  wait_events_m(1);
  CHECK_EQ(nevents, 1, "undelegated Sstc timer: one interrupt");
  CHECK_EQ(events[0], IRQ(IRQ_S_TIMER), "undelegated Sstc timer: mcause");
  CHECK_EQ(event_mode[0], PRV_M, "undelegated Sstc timer handled in M");
  csr_write(mie, 0);
  csr_write(stimecmp, ~0UL);
  csr_write(menvcfg, 0);
  csr_write(mcounteren, 0);
}

/* Vectored mtvec: entry i jumps to a stub that records i in sscratch. */
extern char vector_table[];
__asm__(
    ".text\n.option push\n.option norvc\n"
    ".balign 256\n"
    "vector_table:\n"
    "  j vec0\n  j vec1\n  j vec2\n  j vec3\n  j vec4\n  j vec5\n  j vec6\n  j vec7\n"
    "  j vec8\n  j vec9\n  j vec10\n  j vec11\n"
    "vec0: csrwi sscratch, 0\n  j trap_entry\n"
    "vec1: csrwi sscratch, 1\n  j trap_entry\n"
    "vec2: csrwi sscratch, 2\n  j trap_entry\n"
    "vec3: csrwi sscratch, 3\n  j trap_entry\n"
    "vec4: csrwi sscratch, 4\n  j trap_entry\n"
    "vec5: csrwi sscratch, 5\n  j trap_entry\n"
    "vec6: csrwi sscratch, 6\n  j trap_entry\n"
    "vec7: csrwi sscratch, 7\n  j trap_entry\n"
    "vec8: csrwi sscratch, 8\n  j trap_entry\n"
    "vec9: csrwi sscratch, 9\n  j trap_entry\n"
    "vec10: csrwi sscratch, 10\n  j trap_entry\n"
    "vec11: csrwi sscratch, 11\n  j trap_entry\n"
    ".option pop\n");

static volatile uint64_t vectors_seen[MAX_EVENTS];
static void vec_hook(struct trap_frame *f, uint64_t cause) {
  if (nevents < MAX_EVENTS) vectors_seen[nevents] = csr_read(sscratch);
  m_hook(f, cause);
}

static void test_vectored(void) {
  uint64_t saved_sscratch = csr_read(sscratch);
  uint64_t saved_mtvec = csr_read(mtvec);
  m_irq_hook = vec_hook;
  csr_write(mtvec, (uintptr_t)vector_table | 1);
  reset_events();
  csr_write(mie, MIP_MSIP | MIP_MTIP | MIP_SSIP);
  MMIO32(CLINT_MSIP(0)) = 1;
  MMIO64(CLINT_MTIMECMP(0)) = 0;
  csr_set(mip, MIP_SSIP);
  mip_wait(MIP_MSIP | MIP_MTIP, MIP_MSIP | MIP_MTIP);
  csr_set(mstatus, MSTATUS_MIE);
  __asm__ volatile("nop");
  csr_clear(mstatus, MSTATUS_MIE);
  CHECK_EQ(nevents, 3, "vectored: three interrupts");
  for (unsigned i = 0; i < 3 && i < nevents; i++)
    CHECK_EQ(vectors_seen[i], events[i] & 63, "vectored: interrupt #%u enters at base + 4 * cause", i);
  CHECK_EQ(vectors_seen[0] | (vectors_seen[1] << 8) | (vectors_seen[2] << 16), 1 | (3 << 8) | (7 << 16),
           "vectored: entries used (QEMU order SSI, MSI, MTI)");
  csr_write(sscratch, 99);
  trap_expect();
  __asm__ volatile("ebreak");
  check_trap_cause("vectored: exception", CAUSE_BREAKPOINT, PRV_M);
  CHECK_EQ(csr_read(sscratch), 0, "vectored: exceptions use entry 0");
  csr_write(mie, 0);
  csr_write(mtvec, saved_mtvec);
  csr_write(sscratch, saved_sscratch);
  m_irq_hook = m_hook;
}

int main(void) {
  test_begin("interrupts");
  m_irq_hook = m_hook;
  s_irq_hook = s_hook;
  test_machine_timer();
  test_machine_software();
  test_priority();
  test_s_delegation();
  test_sstc();
  test_vectored();
  return test_end();
}
