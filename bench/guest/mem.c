/* Memory-bound workload: streams over an 8 MiB buffer (copy, strided reads,
 * a pointer chase), far larger than any cache the host keeps hot for it. */
#include "bench.h"
#define WORDS (1u << 20) /* 8 MiB of uint64_t */
static uint64_t buf[WORDS];
static uint64_t dst[WORDS / 4];
int main(void) {
  uint64_t start = instret();
  uint64_t acc = 0;
  for (uint32_t i = 0; i < WORDS; i++) buf[i] = (uint64_t)i * 2654435761u;
  for (int round = 0; round < 12; round++) {
    for (uint32_t i = 0; i < WORDS / 4; i++) dst[i] = buf[(i * 4 + round) & (WORDS - 1)];
    for (uint32_t stride = 1; stride <= 64; stride *= 4)
      for (uint32_t i = 0; i < WORDS; i += stride) acc += buf[i];
    uint32_t p = round;
    for (uint32_t i = 0; i < WORDS / 8; i++) { p = (uint32_t)(buf[p] >> 7) & (WORDS - 1); acc += p; }
    for (uint32_t i = 0; i < WORDS / 4; i++) acc ^= dst[i];
  }
  report("mem", start, acc);
  return 0;
}
