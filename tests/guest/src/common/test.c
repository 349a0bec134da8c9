/* Check bookkeeping, exit through the sifive_test finisher, SMP release. */
#include "test.h"

/* After this many FAIL lines only the summary is printed, to keep logs short. */
#define MAX_REPORTED_FAILURES 64

static const char *current_test = "?";
uint64_t test_checks, test_failures;
extern volatile uint32_t secondaries_released;

void test_begin(const char *name) {
  current_test = name;
  test_checks = 0;
  test_failures = 0;
}

const char *test_current_name(void) { return current_test; }

int check_eq(uint64_t got, uint64_t expected, const char *fmt, ...) {
  test_checks++;
  if (got == expected) return 1;
  if (++test_failures <= MAX_REPORTED_FAILURES) {
    va_list ap;
    va_start(ap, fmt);
    kprintf("FAIL %s: ", current_test);
    kvprintf(fmt, ap);
    kprintf(" got 0x%lx expected 0x%lx\n", got, expected);
    va_end(ap);
  }
  return 0;
}

int test_end(void) {
  if (test_failures) {
    kprintf("FAIL %s: %lu of %lu checks failed\n", current_test, test_failures, test_checks);
    return 1;
  }
  kprintf("PASS %s (%lu checks)\n", current_test, test_checks);
  return 0;
}

void guest_exit(int code) {
  uint32_t v = code == 0 ? FINISHER_PASS : (((uint32_t)code << 16) | FINISHER_FAIL);
  MMIO32(TEST_FINISHER) = v;
  for (;;) __asm__ volatile("wfi");
}

void release_secondaries(int nharts) {
  __asm__ volatile("fence rw, w" ::: "memory");
  secondaries_released = 1;
  __asm__ volatile("fence rw, rw" ::: "memory");
  for (int h = 1; h < nharts; h++) MMIO32(CLINT_MSIP(h)) = 1;
}

void *kmemset(void *d, int c, unsigned long n) {
  volatile uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *kmemcpy(void *d, const void *s, unsigned long n) {
  volatile uint8_t *p = d;
  const volatile uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

/* GCC may emit calls to these for struct copies/initialisation even when freestanding. */
void *memset(void *d, int c, unsigned long n) { return kmemset(d, c, n); }
void *memcpy(void *d, const void *s, unsigned long n) { return kmemcpy(d, s, n); }

uint64_t mip_wait(uint64_t mask, uint64_t want) {
  uint64_t deadline = read_mtime() + TIMEBASE_HZ / 2;
  uint64_t v = csr_read(mip) & mask;
  while (v != want && read_mtime() < deadline) v = csr_read(mip) & mask;
  return v;
}

int wait_until_set(volatile uint64_t *flag, uint64_t ms) {
  uint64_t deadline = read_mtime() + ms * (TIMEBASE_HZ / 1000);
  while (!*flag && read_mtime() < deadline) {
  }
  return *flag != 0;
}
