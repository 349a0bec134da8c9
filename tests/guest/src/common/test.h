/* Console output, checks and exit for self-checking guests.
 * Output format (deterministic, compared byte-for-byte against QEMU):
 *   FAIL <test>: <what> got 0x<got> expected 0x<expected>      per failed check
 *   PASS <test> (<n> checks)   or   FAIL <test>: <k> of <n> checks failed */
#ifndef TEST_H
#define TEST_H
#include <stdint.h>
#include <stdarg.h>
#include "platform.h"
#include "csr.h"

#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define MMIO16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile uint64_t *)(uintptr_t)(a))

void uart_putc(char c);
void kputs(const char *s);
void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);

void test_begin(const char *name);
const char *test_current_name(void);
/* Returns 1 if got == expected; otherwise prints a FAIL line built from fmt. */
int check_eq(uint64_t got, uint64_t expected, const char *fmt, ...);
#define CHECK_EQ(got, expected, ...) check_eq((uint64_t)(got), (uint64_t)(expected), __VA_ARGS__)
#define CHECK(cond, ...) check_eq((uint64_t)!!(cond), 1, __VA_ARGS__)
/* Prints the summary line; returns the exit code for main (0 = pass). */
int test_end(void);
extern uint64_t test_checks, test_failures;

/* sifive_test finisher: 0 -> pass (QEMU exit status 0), else fail with `code`. */
void __attribute__((noreturn)) guest_exit(int code);

/* SMP: wake harts waiting in crt0 (they run secondary_main(hartid)). */
void release_secondaries(int nharts);

static inline uint64_t read_mtime(void) { return MMIO64(CLINT_MTIME); }
/* Interrupt lines driven by devices may reach mip with some delay on an
 * emulator that runs devices on another thread: poll mip until
 * (mip & mask) == want or 500 ms of mtime pass; returns the last mip & mask. */
uint64_t mip_wait(uint64_t mask, uint64_t want);
/* Spin until *flag != 0 or `ms` milliseconds of mtime pass; returns !!*flag. */
int wait_until_set(volatile uint64_t *flag, uint64_t ms);
void *kmemset(void *d, int c, unsigned long n);
void *kmemcpy(void *d, const void *s, unsigned long n);

#endif
