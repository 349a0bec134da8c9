/* The smallest kernel image of tests/cli/boot-layout.spec.ts: a jump to itself and 4 KiB of bss. */
  .section .text
  .globl _start
  .type _start, @function
_start:
  j _start
  .size _start, .-_start
  .section .bss
  .space 4096
