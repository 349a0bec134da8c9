/* A 1/100 slice of the int workload (int.c's kernels, 20 rounds instead of
 * 2000): for measurements that record every memory access to a file, where
 * the full workload would write gigabytes. The loop body is int.c's main
 * loop; keep the two in step. Prints "int-short instret=.. result=.." and
 * "int-short ticks=<mtime ticks>". */
#define main int_workload_unused
#include "int.c"
#undef main

#define CLINT_MTIME (*(volatile uint64_t *)0x0200bff8)
#define ROUNDS 20

int main(void) {
  uint64_t t0 = CLINT_MTIME;
  uint64_t start = instret();
  uint64_t seed = 12345, acc = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < N; i++) { seed = seed * 6364136223846793005ull + 1442695040888963407ull; arr[i] = (uint32_t)(seed >> 33); }
    sort(arr, N);
    acc += crc32((const uint8_t *)arr, sizeof arr, (uint32_t)acc);
    for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) { ma[i][j] = (int32_t)(arr[i * 16 + j] & 0xff) - 128; mb[i][j] = (int32_t)(arr[j * 16 + i] >> 24) - 128; }
    matmul();
    for (int i = 0; i < 16; i++) acc += (uint32_t)mc[i][i];
  }
  report("int-short", start, acc);
  uint64_t ticks = CLINT_MTIME - t0;
  puts_("int-short ticks="); putu(ticks); putc_('\n');
  return 0;
}
