/* The memory-bound workload (../workloads.h) as a static Linux program for user mode (tsemu-riscv64 beside
 * qemu-riscv64): the kernel timed by the guest's own CLOCK_MONOTONIC, printed with its checksum.
 * argv[1]: rounds (default 2). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../workloads.h"

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 2;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  uint64_t acc = mem_kernel(rounds);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  printf("user-mem rounds=%d acc=%016llx ns=%lld\n", rounds, (unsigned long long)acc, ns);
  return 0;
}
