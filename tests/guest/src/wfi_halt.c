/* The halt idiom (-smp 2): hart 1 clears mie and executes wfi forever, as firmware and kernels do to
 * park a hart for good. Architecturally nothing can wake it (no interrupt can become pending and
 * enabled), and QEMU halts the vCPU until one does; tsemu's vCPU must sleep too, not spin on a
 * zero-length timeout (tests/vcpu/idle-wfi.spec.ts counts its sleeps). Hart 0 waits 100 ms of
 * guest time with hart 1 halted, checks that hart 1 did not run past its wfi, and ends the run. */
#include "test.h"

#define IDLE_TICKS (TIMEBASE_HZ / 10) /* 100 ms of guest time */

static volatile uint64_t hart1_halting, hart1_woke;

void secondary_main(uint64_t hartid) {
  (void)hartid;
  __asm__ volatile("csrw mie, zero" ::: "memory");
  /* mtimecmp resets to 0: a timer "pending" in mip but disabled in mie must not wake it either */
  MMIO64(CLINT_MTIMECMP(1)) = 0;
  hart1_halting = 1;
  for (;;) {
    __asm__ volatile("wfi" ::: "memory");
    hart1_woke++;
  }
}

int main(void) {
  test_begin("wfi_halt");
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  release_secondaries(2);
  while (!hart1_halting) {}
  uint64_t start = read_mtime();
  while (read_mtime() - start < IDLE_TICKS) {}
  CHECK_EQ(hart1_woke, 0, "hart 1 stayed in wfi with mie = 0 (a disabled pending timer does not wake it)");
  return test_end();
}
