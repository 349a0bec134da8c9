/* Bridge from the assembly REPORT macro to check_eq(). */
#include "test.h"

void asm_check(uint64_t got, uint64_t expected, const char *text) { check_eq(got, expected, "%s", text); }

void asm_check_op(uint64_t got, uint64_t expected, const char *text, uint64_t a, uint64_t b) {
  check_eq(got, expected, "%s 0x%lx 0x%lx", text, a, b);
}
