/* sifive_test finisher, reset path: writing 0x7777 to 0x100000 resets the
 * machine; the guest image is reloaded and runs again from 0x80000000, while
 * RAM outside the image keeps its contents. A marker at a fixed address
 * (outside the image, below the DTB that QEMU puts near the end of RAM)
 * tells the second boot apart. */
#include "test.h"

#define FINISHER_RESET 0x7777
#define MARKER_ADDR 0x87000000UL
#define MARKER 0x5245534554544553ULL /* "SETTESER" */

static uint64_t boots; /* .bss: zeroed by crt0 on every boot */

int main(void) {
  test_begin("finisher_reset");
  volatile uint64_t *marker = (volatile uint64_t *)MARKER_ADDR;
  boots++;
  if (*marker != MARKER) {
    kprintf("first boot: requesting a reset\n");
    *marker = MARKER;
    MMIO32(TEST_FINISHER) = FINISHER_RESET;
    for (;;) __asm__ volatile("wfi");
  }
  kprintf("second boot\n");
  CHECK_EQ(boots, 1, ".bss is zeroed again after the reset");
  *marker = 0;
  return test_end();
}
