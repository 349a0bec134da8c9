/* The smallest program: one line on stdout, exit status 0. */
#include <stdio.h>

int main(void) {
  puts("hello from riscv64");
  return 0;
}
