/* Boot, test loop, barrier, bounded waits and serialized output for the SMP
 * guests (see smp.h). */
#include "smp.h"
#include "fdt.h"

/* How often spin loops look at mtime (an MMIO read) to check their deadline. */
#define SPINS_PER_CLOCK_CHECK 256
#define FAIL_EXIT_CODE 0x7d

extern volatile uint32_t secondaries_released;   /* crt0.S */
extern const struct smp_test __smp_tests_start[], __smp_tests_end[];

unsigned smp_nharts;
static volatile uint32_t barrier_arrived, barrier_generation;
static volatile uint32_t print_lock;
static volatile smp_irq_handler_t irq_handlers[SMP_MAX_HARTS];
static const char *current_test_name = "smp";

uint64_t smp_deadline_ms(uint64_t ms) { return read_mtime() + ms * (TIMEBASE_HZ / 1000); }
int smp_expired(uint64_t deadline) { return read_mtime() >= deadline; }

/* Takes the print lock for good: once one hart reports a fatal failure,
 * no other hart's report interleaves with it. */
void smp_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  amoswap_lock(&print_lock);
  kprintf("FAIL %s: hart %u: ", current_test_name, smp_hartid());
  kvprintf(fmt, ap);
  kputs("\n");
  va_end(ap);
  guest_exit(FAIL_EXIT_CODE);
}

/* Waiting for other harts. A hart that has waited a while naps in WFI for
 * NAP_TICKS instead of spinning: with more harts than host cores, spinning
 * waiters take the host CPU away from the harts they wait for. The nap wakes
 * on this hart's own timer and is only taken when the hart is not using
 * interrupts (mie == 0); mtimecmp is saved and restored around it with
 * mstatus.MIE clear, so a test's own timer keeps its deadline. Hence the rule
 * for tests: do not write another hart's mtimecmp while that hart may be
 * waiting with mie == 0 (the restore would undo the write). No IPIs are used
 * for waking: msip belongs to the tests, and a wake-up IPI could not be told
 * apart from theirs. */
#define SPINS_BEFORE_NAP 2000
#define NAP_TICKS (TIMEBASE_HZ / 5000) /* 200 us */

static void nap(unsigned hart) {
  uint64_t status = csr_clear(mstatus, MSTATUS_MIE) & MSTATUS_MIE;
  uint64_t saved = MMIO64(CLINT_MTIMECMP(hart));
  uint64_t wake = read_mtime() + NAP_TICKS;
  if (wake < saved) smp_set_mtimecmp(hart, wake);
  csr_write(mie, MIP_MTIP); /* wakes WFI; no trap with mstatus.MIE clear */
  smp_wfi();
  csr_write(mie, 0);
  smp_set_mtimecmp(hart, saved);
  SMP_FENCE(iorw, iorw);
  csr_set(mstatus, status);
}

struct smp_wait smp_wait_begin(const char *what) {
  struct smp_wait w = {smp_deadline_ms(SMP_TIMEOUT_MS), 0, what};
  return w;
}

void smp_wait_step(struct smp_wait *w) {
  unsigned n = ++w->spins;
  if (n % SPINS_PER_CLOCK_CHECK == 0 && smp_expired(w->deadline)) smp_fail("timed out waiting for %s", w->what);
  if (n >= SPINS_BEFORE_NAP && csr_read(mie) == 0) nap(smp_hartid());
}

/* Sense-reversing barrier on one counter and a generation number. */
void smp_barrier(void) {
  /* read the generation before arriving: it can only move once we have */
  uint32_t generation = load_acquire32(&barrier_generation);
  if (amoadd_w(&barrier_arrived, 1) == smp_nharts - 1) {
    barrier_arrived = 0;
    store_release32(&barrier_generation, generation + 1);
    return;
  }
  struct smp_wait w = smp_wait_begin("the other harts at a barrier");
  while (barrier_generation == generation) smp_wait_step(&w);
  SMP_FENCE(r, rw);
}

void smp_wait_eq32(volatile uint32_t *p, uint32_t want, const char *what) {
  struct smp_wait w = smp_wait_begin(what);
  while (*p != want) smp_wait_step(&w);
  SMP_FENCE(r, rw);
}

void smp_sleep_until_ge32(volatile uint32_t *flag, uint32_t want, const char *what) {
  uint64_t deadline = smp_deadline_ms(SMP_TIMEOUT_MS);
  for (;;) {
    csr_clear(mstatus, MSTATUS_MIE);
    if (*flag >= want) break;
    if (smp_expired(deadline)) smp_fail("timed out sleeping until %s (0x%x, want >= 0x%x)", what, *flag, want);
    smp_wfi();
    csr_set(mstatus, MSTATUS_MIE); /* the interrupt that woke us is taken here */
  }
  csr_set(mstatus, MSTATUS_MIE);
  SMP_FENCE(r, rw);
}

void smp_set_irq_handler(unsigned hart, smp_irq_handler_t handler) { irq_handlers[hart] = handler; }

/* The one m_irq_hook of tests/guest's trap.c: routes to this hart's handler. */
static void irq_dispatch(struct trap_frame *f, uint64_t cause) {
  (void)f;
  unsigned hart = smp_hartid();
  smp_irq_handler_t handler = irq_handlers[hart];
  if (!handler) smp_fail("unexpected interrupt, mcause 0x%lx", cause);
  handler(hart, cause);
}

/* Interrupt sources a test may have left armed on this hart. */
static void quiesce_interrupts(unsigned hart) {
  smp_irq_disable();
  irq_handlers[hart] = 0;
  smp_clear_ipi(hart);
  smp_set_mtimecmp(hart, ~0UL);
  SMP_FENCE(iorw, iorw);
}

/* Hart ids must be exactly 0..n-1 (crt0 indexes stacks and the CLINT by id). */
static int hartids_dense(const uint64_t *ids, int n) {
  uint32_t seen = 0;
  for (int i = 0; i < n; i++) {
    if (ids[i] >= (uint64_t)n || (seen >> ids[i]) & 1) return 0;
    seen |= 1U << ids[i];
  }
  return 1;
}

/* Hart 0, .bss zeroed, others still waiting in crt0. */
void smp_boot(const void *dtb) {
  uint64_t ids[SMP_MAX_HARTS];
  int n = fdt_find_harts(dtb, ids, SMP_MAX_HARTS);
  if (n <= 0) {
    kprintf("FAIL smp: no harts in the DTB at %p (error %d)\n", dtb, n);
    guest_exit(FAIL_EXIT_CODE);
  }
  if (n > SMP_MAX_HARTS || !hartids_dense(ids, n)) {
    kprintf("FAIL smp: DTB lists %d harts; need ids 0..n-1 with n <= %d\n", n, SMP_MAX_HARTS);
    guest_exit(FAIL_EXIT_CODE);
  }
  smp_nharts = (unsigned)n;
  m_irq_hook = irq_dispatch;
  kprintf("smp: %u harts\n", smp_nharts);
  store_release32(&secondaries_released, 1);
  SMP_FENCE(rw, o);
  for (unsigned h = 1; h < smp_nharts; h++) smp_send_ipi(h);
  SMP_FENCE(o, rw);
}

static void __attribute__((noreturn)) park(void) {
  smp_irq_disable();
  for (;;) smp_wfi();
}

void __attribute__((noreturn)) smp_hart_main(unsigned hart) {
  if (hart >= smp_nharts) park();
  smp_set_mtimecmp(hart, ~0UL); /* resets to 0 (pending) on QEMU */
  /* msip is cleared only after this barrier: all release IPIs were sent
   * before hart 0 arrived. */
  smp_barrier();
  unsigned failed = 0;
  for (const struct smp_test *t = __smp_tests_start; t < __smp_tests_end; t++) {
    quiesce_interrupts(hart);
    if (hart == 0) {
      current_test_name = t->name;
      test_begin(t->name);
    }
    smp_barrier();
    t->run(hart, smp_nharts);
    quiesce_interrupts(hart);
    smp_barrier();
    if (hart == 0) {
      if (t->check) t->check(smp_nharts);
      if (test_end() != 0) failed++;
    }
  }
  if (hart == 0) guest_exit((int)failed);
  park();
}
