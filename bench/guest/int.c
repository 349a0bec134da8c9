/* Integer workload: CRC32, insertion sort, a small matrix multiply and a
 * hash-table walk, repeated; exercises ALU ops, branches and cached loads. */
#include "bench.h"
#define N 256
static uint32_t arr[N];
static int32_t ma[16][16], mb[16][16], mc[16][16];
static uint32_t crc32(const uint8_t *p, int n, uint32_t crc) {
  crc = ~crc;
  for (int i = 0; i < n; i++) { crc ^= p[i]; for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1)); }
  return ~crc;
}
static void sort(uint32_t *a, int n) {
  for (int i = 1; i < n; i++) { uint32_t v = a[i]; int j = i - 1; while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; } a[j + 1] = v; }
}
static void matmul(void) {
  for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) { int32_t s = 0; for (int k = 0; k < 16; k++) s += ma[i][k] * mb[k][j]; mc[i][j] = s; }
}
int main(void) {
  uint64_t start = instret();
  uint64_t seed = 12345, acc = 0;
  for (int round = 0; round < 2000; round++) {
    for (int i = 0; i < N; i++) { seed = seed * 6364136223846793005ull + 1442695040888963407ull; arr[i] = (uint32_t)(seed >> 33); }
    sort(arr, N);
    acc += crc32((const uint8_t *)arr, sizeof arr, (uint32_t)acc);
    for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) { ma[i][j] = (int32_t)(arr[i * 16 + j] & 0xff) - 128; mb[i][j] = (int32_t)(arr[j * 16 + i] >> 24) - 128; }
    matmul();
    for (int i = 0; i < 16; i++) acc += (uint32_t)mc[i][i];
  }
  report("int", start, acc);
  return 0;
}
