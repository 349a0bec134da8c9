/* Per-hart machine timers (CLINT mtimecmp[h] drives mip.MTIP of hart h only).
 *
 * Phase 1: each hart programs its own mtimecmp at a different delay
 * (2 ms + 0.5 ms * hart after a common start), enables MTIE and spins until
 * its handler ran. Phase 2: hart 0 programs every hart's mtimecmp (in reverse
 * order of delay), then each hart sleeps in WFI until its timer fires.
 * The handler records facts that do not depend on which timer fired first:
 * it ran on the hart whose mtimecmp was programmed, mtime had reached that
 * mtimecmp, and rewriting mtimecmp to ~0 cleared mip.MTIP at once. */
#include "smp.h"

#define PHASES 2
#define TICKS_PER_MS (TIMEBASE_HZ / 1000)
#define DELAY_BASE (2 * TICKS_PER_MS)
#define DELAY_STEP (TICKS_PER_MS / 2)

static volatile uint64_t start;
static volatile uint64_t armed_at[SMP_MAX_HARTS];      /* mtimecmp programmed for this phase */
static volatile uint32_t fired[PHASES][SMP_MAX_HARTS];
static volatile uint32_t fired_on[PHASES][SMP_MAX_HARTS];   /* mhartid + 1 */
static volatile uint32_t early[PHASES][SMP_MAX_HARTS];      /* mtime < mtimecmp in the handler */
static volatile uint32_t mtip_stuck[PHASES][SMP_MAX_HARTS]; /* MTIP still set after mtimecmp = ~0 */
static volatile uint32_t phase;
static volatile uint64_t mtimecmp_after[SMP_MAX_HARTS];

static void on_irq(unsigned hart, uint64_t cause) {
  if (cause != (CAUSE_INTERRUPT | IRQ_M_TIMER)) smp_fail("unexpected interrupt, mcause 0x%lx", cause);
  uint64_t now = read_mtime();
  uint32_t p = phase;
  if (now < armed_at[hart]) early[p][hart]++;
  fired_on[p][hart] = smp_hartid() + 1;
  smp_set_mtimecmp(hart, ~0UL);
  SMP_FENCE(iorw, iorw);
  if (csr_read(mip) & MIP_MTIP) mtip_stuck[p][hart]++;
  store_release32(&fired[p][hart], fired[p][hart] + 1);
}

static void own_timer(unsigned hart) {
  if (hart == 0) start = read_mtime();
  smp_barrier();
  armed_at[hart] = start + DELAY_BASE + DELAY_STEP * hart;
  smp_set_mtimecmp(hart, armed_at[hart]);
  smp_irq_enable(MIP_MTIP);
  smp_wait_eq32(&fired[0][hart], 1, "own timer interrupt");
  smp_irq_disable();
}

/* MTIE is enabled before the barrier (mtimecmp is still ~0): a hart waiting
 * with mie != 0 does not nap, and a nap would undo hart 0's mtimecmp write. */
static void timer_set_by_hart0(unsigned hart, unsigned nharts) {
  smp_irq_enable(MIP_MTIP);
  smp_barrier();
  if (hart == 0) {
    phase = 1;
    uint64_t now = read_mtime();
    for (unsigned h = nharts; h-- > 0;) {
      armed_at[h] = now + DELAY_BASE + DELAY_STEP * (nharts - 1 - h);
      SMP_FENCE(w, o);
      smp_set_mtimecmp(h, armed_at[h]);
    }
  }
  smp_sleep_until_ge32(&fired[1][hart], 1, "the timer programmed by hart 0");
  smp_irq_disable();
}

static void run(unsigned hart, unsigned nharts) {
  smp_set_irq_handler(hart, on_irq);
  own_timer(hart);
  smp_barrier();
  timer_set_by_hart0(hart, nharts);
  mtimecmp_after[hart] = MMIO64(CLINT_MTIMECMP(hart));
  smp_barrier();
}

static void check(unsigned nharts) {
  static const char *const what[PHASES] = {"own mtimecmp", "mtimecmp set by hart 0"};
  for (unsigned p = 0; p < PHASES; p++) {
    for (unsigned h = 0; h < nharts; h++) {
      CHECK_EQ(fired[p][h], 1, "%s: hart %u timer interrupts", what[p], h);
      CHECK_EQ(fired_on[p][h], h + 1, "%s: hart %u interrupt taken on hart (+1)", what[p], h);
      CHECK_EQ(early[p][h], 0, "%s: hart %u interrupt before mtime reached mtimecmp", what[p], h);
      CHECK_EQ(mtip_stuck[p][h], 0, "%s: hart %u MTIP after mtimecmp = ~0", what[p], h);
    }
  }
  for (unsigned h = 0; h < nharts; h++) CHECK_EQ(mtimecmp_after[h], ~0UL, "hart %u mtimecmp rewritten by its handler", h);
}

SMP_TEST("timer", run, check);
