/* A 1/100 slice of the int workload (int.c's kernels, 20 rounds instead of
 * 2000): for measurements that record every memory access to a file, where
 * the full workload would write gigabytes. The loop is workloads.h's int_kernel,
 * as in int.c. Prints "int-short instret=.. result=.." and
 * "int-short ticks=<mtime ticks>". */
#include "bench.h"
#include "workloads.h"

#define CLINT_MTIME (*(volatile uint64_t *)0x0200bff8)
#define ROUNDS 20

int main(void) {
  uint64_t t0 = CLINT_MTIME;
  uint64_t start = instret();
  uint64_t acc = int_kernel(ROUNDS);
  report("int-short", start, acc);
  uint64_t ticks = CLINT_MTIME - t0;
  puts_("int-short ticks="); putu(ticks); putc_('\n');
  return 0;
}
