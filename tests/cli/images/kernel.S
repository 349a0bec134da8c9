/*
 * The kernel image of tests/cli/elf.unit.spec.ts: function symbols of each kind QEMU's loader sees
 * (sized, unsized, local, no type), a .data word and 8 KiB of bss. Built for RV64 and, as
 * k32.elf, for RV32 (where the data word is read with lw).
 */
  .section .text
  .globl _start
  .type _start, @function
_start:
  la t0, data_word
#if __riscv_xlen == 64
  ld a0, 0(t0)
#else
  lw a0, 0(t0)
#endif
  j helper
  .size _start, .-_start
  .type helper, @function
helper:                      /* no .size: QEMU widens it to the next function */
  addi a0, a0, 1
  j tail
  .type tail, @function
tail:
  j tail
  .size tail, .-tail
  .type local_fn, @function
local_fn:
  ret
  .size local_fn, .-local_fn
notype_label:
  nop
  .section .data
data_word: .dword 0x1122334455667788
  .section .bss
bss_area: .space 8192
