/* Harness for the SMP guests: every hart runs every registered test.
 *
 * A test object registers itself with SMP_TEST(name, run, check):
 *   run(hart, nharts)  runs on every hart at once (after a barrier);
 *   check(nharts)      runs on hart 0 after all harts have returned from run.
 * Only hart 0 prints (through the CHECK_* macros of tests/guest's test.h, in
 * check or in hart 0's run); other harts leave their observations in shared
 * memory. Output is therefore deterministic for a given -smp.
 *
 * Hart 0 counts the harts in the DTB's /cpus node before releasing the others
 * (see fdt.h: robust where an "arrived" counter is not, since nothing tells
 * hart 0 how long to wait for harts that may not exist).
 * Between tests the harness parks interrupts on every hart (mie = 0,
 * mstatus.MIE = 0, own msip = 0, own mtimecmp = ~0, no IRQ handler).
 * Every wait on another hart is bounded (SMP_TIMEOUT_MS of mtime): a hart that
 * gives up prints FAIL (under the print lock) and ends the guest. */
#ifndef SMP_H
#define SMP_H
#include <stdint.h>
#include "test.h"
#include "trap.h"
#include "smp_layout.h"
#include "smp_atomic.h"

/* Generous: only reached when something is broken, never on a slow host. */
#define SMP_TIMEOUT_MS 20000

struct smp_test {
  const char *name;
  void (*run)(unsigned hart, unsigned nharts);
  void (*check)(unsigned nharts);
};

#define SMP_TEST(name_, run_, check_)                                                        \
  static const struct smp_test smp_test_entry_##run_                                          \
      __attribute__((section(".smp_tests"), used, aligned(8))) = {name_, run_, check_}

/* Number of harts, from the DTB's /cpus node (set by hart 0 before release). */
extern unsigned smp_nharts;

/* All harts meet here (waiting as smp_wait_step does). */
void smp_barrier(void);

/* mtime deadline `ms` milliseconds from now, and whether it has passed. */
uint64_t smp_deadline_ms(uint64_t ms);
int smp_expired(uint64_t deadline);

/* Waiting for another hart to do something:
 *   struct smp_wait w = smp_wait_begin("what we wait for");
 *   while (!condition) smp_wait_step(&w);
 * smp_wait_step fails the guest after SMP_TIMEOUT_MS and, once the wait has
 * lasted a while and this hart is not using interrupts (mie == 0), naps in
 * WFI for 200 us on its own timer (saving and restoring mtimecmp), so that
 * waiting harts leave the host CPU to the others when there are more harts
 * than host cores. Rule that follows: never write another hart's mtimecmp
 * while it may be waiting with mie == 0. */
struct smp_wait {
  uint64_t deadline;
  unsigned spins;
  const char *what;
};
struct smp_wait smp_wait_begin(const char *what);
void smp_wait_step(struct smp_wait *w);
/* Wait until *p == want, then acquire. */
void smp_wait_eq32(volatile uint32_t *p, uint32_t want, const char *what);

/* Sleep in WFI until *flag >= want, where the flag is set by this hart's own
 * interrupt handler. The flag is tested with mstatus.MIE clear: testing it
 * with interrupts enabled loses the wake-up when the interrupt is taken
 * between the test and the WFI (the handler returns to the WFI, which then
 * sleeps with nothing pending). WFI still wakes on a pending interrupt that
 * mie enables; setting MIE again takes it. Leaves mstatus.MIE set. Fails after
 * SMP_TIMEOUT_MS, checked whenever the hart wakes up (arm a timer if nothing
 * else would wake it). */
void smp_sleep_until_ge32(volatile uint32_t *flag, uint32_t want, const char *what);

/* Fatal failure from any hart: "FAIL <test>: hart <h>: <message>", under a
 * print lock, then exit through the finisher. */
void __attribute__((noreturn)) smp_fail(const char *fmt, ...);

/* Machine-mode interrupts: each hart installs its own handler. */
typedef void (*smp_irq_handler_t)(unsigned hart, uint64_t cause);
void smp_set_irq_handler(unsigned hart, smp_irq_handler_t handler);
static inline void smp_irq_enable(uint64_t mie_bits) {
  csr_write(mie, mie_bits);
  csr_set(mstatus, MSTATUS_MIE);
}
static inline void smp_irq_disable(void) {
  csr_clear(mstatus, MSTATUS_MIE);
  csr_write(mie, 0);
}

/* CLINT */
static inline void smp_send_ipi(unsigned hart) { MMIO32(CLINT_MSIP(hart)) = 1; }
static inline void smp_clear_ipi(unsigned hart) { MMIO32(CLINT_MSIP(hart)) = 0; }
static inline void smp_set_mtimecmp(unsigned hart, uint64_t v) { MMIO64(CLINT_MTIMECMP(hart)) = v; }

static inline unsigned smp_hartid(void) { return (unsigned)csr_read(mhartid); }
static inline void smp_wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

#endif
