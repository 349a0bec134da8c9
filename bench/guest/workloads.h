/* The bench's two workloads as pure kernels (no I/O, no CSRs), shared by the bare-metal
 * M-mode guests (int.c, mem.c), their S-mode-with-Sv39 twins (int-sv39.c, mem-sv39.c) and the
 * Linux user-process loops (tests/linux/init/init.c, scenario "loops"), so every row runs the
 * same source. */
#include <stdint.h>

/* Integer: CRC32, insertion sort, a small matrix multiply, repeated; ALU ops, branches and
 * cached loads. */
#define INT_N 256
static uint32_t int_arr[INT_N];
static int32_t int_ma[16][16], int_mb[16][16], int_mc[16][16];
static uint32_t int_crc32(const uint8_t *p, int n, uint32_t crc) {
  crc = ~crc;
  for (int i = 0; i < n; i++) { crc ^= p[i]; for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1)); }
  return ~crc;
}
static void int_sort(uint32_t *a, int n) {
  for (int i = 1; i < n; i++) { uint32_t v = a[i]; int j = i - 1; while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; } a[j + 1] = v; }
}
static void int_matmul(void) {
  for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) { int32_t s = 0; for (int k = 0; k < 16; k++) s += int_ma[i][k] * int_mb[k][j]; int_mc[i][j] = s; }
}
static inline __attribute__((always_inline)) uint64_t int_kernel(int rounds) {
  uint64_t seed = 12345, acc = 0;
  for (int round = 0; round < rounds; round++) {
    for (int i = 0; i < INT_N; i++) { seed = seed * 6364136223846793005ull + 1442695040888963407ull; int_arr[i] = (uint32_t)(seed >> 33); }
    int_sort(int_arr, INT_N);
    acc += int_crc32((const uint8_t *)int_arr, sizeof int_arr, (uint32_t)acc);
    for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) { int_ma[i][j] = (int32_t)(int_arr[i * 16 + j] & 0xff) - 128; int_mb[i][j] = (int32_t)(int_arr[j * 16 + i] >> 24) - 128; }
    int_matmul();
    for (int i = 0; i < 16; i++) acc += (uint32_t)int_mc[i][i];
  }
  return acc;
}

/* Memory-bound: streams over an 8 MiB buffer (copy, strided reads, a pointer chase), far larger
 * than any cache the host keeps hot for it. */
#define MEM_WORDS (1u << 20) /* 8 MiB of uint64_t */
static uint64_t mem_buf[MEM_WORDS];
static uint64_t mem_dst[MEM_WORDS / 4];
static inline __attribute__((always_inline)) uint64_t mem_kernel(int rounds) {
  uint64_t acc = 0;
  for (uint32_t i = 0; i < MEM_WORDS; i++) mem_buf[i] = (uint64_t)i * 2654435761u;
  for (int round = 0; round < rounds; round++) {
    for (uint32_t i = 0; i < MEM_WORDS / 4; i++) mem_dst[i] = mem_buf[(i * 4 + round) & (MEM_WORDS - 1)];
    for (uint32_t stride = 1; stride <= 64; stride *= 4)
      for (uint32_t i = 0; i < MEM_WORDS; i += stride) acc += mem_buf[i];
    uint32_t p = round;
    for (uint32_t i = 0; i < MEM_WORDS / 8; i++) { p = (uint32_t)(mem_buf[p] >> 7) & (MEM_WORDS - 1); acc += p; }
    for (uint32_t i = 0; i < MEM_WORDS / 4; i++) acc ^= mem_dst[i];
  }
  return acc;
}
