/* sifive_test finisher, failure path: writing (code << 16) | 0x3333 to
 * 0x100000 makes QEMU exit with status `code`. This guest prints its report
 * and exits with code 0x42, so the expected emulator exit status is 66.
 * (Every other guest covers the pass value 0x5555 -> status 0.) */
#include "test.h"

int main(void) {
  test_begin("finisher_fail");
  CHECK_EQ(MMIO32(TEST_FINISHER), 0, "finisher reads as 0");
  kprintf("PASS finisher_fail: exiting through the finisher with code 0x42\n");
  MMIO32(TEST_FINISHER) = (0x42 << 16) | FINISHER_FAIL;
  /* not reached: QEMU exits on the write */
  kprintf("FAIL finisher_fail: still running after the finisher write\n");
  return 1;
}
