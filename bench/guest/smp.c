/* SMP scaling workload: every hart runs the same integer work (LCG fill,
 * insertion sort, CRC32) on its own data -- nothing shared, so ideal scaling
 * is linear in the number of host cores. The work per hart is constant, so
 * -smp N does N times the work of -smp 1. Every hart computes the same
 * checksum; hart 0 reports agree=1 when they all did. */
#include "harts.h"

const char guest_name[] = "smp";

#define N 128
#define ROUNDS 6000 /* ~0.35 G instructions per hart: fixed start-up costs (translation) amortize */
static uint32_t data[HARTS_MAX][N] __attribute__((aligned(64)));

static uint32_t crc32(const uint8_t *p, int n, uint32_t crc) {
  crc = ~crc;
  for (int i = 0; i < n; i++) { crc ^= p[i]; for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1)); }
  return ~crc;
}

static void sort(uint32_t *a, int n) {
  for (int i = 1; i < n; i++) { uint32_t v = a[i]; int j = i - 1; while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; } a[j + 1] = v; }
}

uint64_t hart_work(unsigned hart) {
  uint32_t *a = data[hart];
  uint64_t seed = 12345, acc = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < N; i++) { seed = seed * 6364136223846793005ull + 1442695040888963407ull; a[i] = (uint32_t)(seed >> 33); }
    sort(a, N);
    acc += crc32((const uint8_t *)a, N * sizeof a[0], (uint32_t)acc);
  }
  return acc;
}

uint64_t guest_result(uint64_t sum) { return sum; }
