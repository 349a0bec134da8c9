/* Integer workload (workloads.h: CRC32, insertion sort, matrix multiply), 2000 rounds, M-mode. */
#include "bench.h"
#include "workloads.h"
#ifndef REPORT_NAME
#define REPORT_NAME "int"
#endif
#ifndef INT_ROUNDS
#define INT_ROUNDS 2000
#endif
int main(void) {
  uint64_t start = instret();
  uint64_t acc = int_kernel(INT_ROUNDS);
  report(REPORT_NAME, start, acc);
  return 0;
}
