/* Multithreaded speed-up in user mode: N threads (argv[1]) each run the same independent integer
 * work (an LCG filling its own array, insertion sort, CRC32: nothing shared), started together at
 * a barrier and timed by the main thread's CLOCK_MONOTONIC from the barrier to the last join. N
 * threads do N times the work of one, so speed-up = N * time(1) / time(N). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define WORDS 256
#define ROUNDS 1500
static pthread_barrier_t start;
static uint64_t results[64];

static void *work(void *arg) {
  int id = (int)(intptr_t)arg;
  uint32_t a[WORDS];
  uint64_t seed = 1, acc = 0;
  pthread_barrier_wait(&start);
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < WORDS; i++) { seed = seed * 6364136223846793005ull + 1442695040888963407ull; a[i] = (uint32_t)(seed >> 33); }
    for (int i = 1; i < WORDS; i++) { uint32_t v = a[i]; int j = i - 1; while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; } a[j + 1] = v; }
    uint32_t crc = (uint32_t)acc;
    const uint8_t *p = (const uint8_t *)a;
    for (unsigned i = 0; i < sizeof a; i++) { crc ^= p[i]; for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1)); }
    acc += crc;
  }
  results[id] = acc;
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (n < 1 || n > 64) return 2;
  pthread_t t[64];
  pthread_barrier_init(&start, 0, n + 1);
  for (int i = 0; i < n; i++) pthread_create(&t[i], 0, work, (void *)(intptr_t)i);
  struct timespec a, b;
  pthread_barrier_wait(&start);
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) pthread_join(t[i], 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  int agree = 1;
  for (int i = 1; i < n; i++) agree &= results[i] == results[0];
  long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  printf("user-threads threads=%d acc=%016llx agree=%d ns=%lld\n", n, (unsigned long long)results[0], agree, ns);
  return 0;
}
