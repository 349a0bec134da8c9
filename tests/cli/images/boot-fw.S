/* The ELF firmware of tests/cli/boot-layout.spec.ts: its 3 MiB of bss decide where the kernel starts. */
  .section .text
  .globl fw_start
  .type fw_start, @function
fw_start:
  j fw_start
  .size fw_start, .-fw_start
  .section .bss
  .space 0x300000
