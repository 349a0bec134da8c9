/* Memory-bound workload (workloads.h: copy, strided reads, pointer chase over 8 MiB), M-mode. */
#include "bench.h"
#include "workloads.h"
#ifndef REPORT_NAME
#define REPORT_NAME "mem"
#endif
int main(void) {
  uint64_t start = instret();
  uint64_t acc = mem_kernel(12);
  report(REPORT_NAME, start, acc);
  return 0;
}
