/* The int workload (int.c, unchanged) timed from inside the guest: the CLINT's
 * mtime (10 MHz on virt, host time on both emulators) is read before and after
 * it, so overhead comparisons exclude emulator start-up and library loading.
 * Prints int.c's own line, then "int ticks=<mtime ticks>". */
#define main int_workload
#include "int.c"
#undef main

#define CLINT_MTIME (*(volatile uint64_t *)0x0200bff8)

int main(void) {
  uint64_t t0 = CLINT_MTIME;
  int rc = int_workload();
  uint64_t ticks = CLINT_MTIME - t0;
  puts_("int ticks="); putu(ticks); putc_('\n');
  return rc;
}
