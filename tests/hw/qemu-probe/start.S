  .section .text.start
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la sp, stack_top
  la t0, trap
  csrw mtvec, t0
  call main
park:
  wfi
  j park
  .align 4
trap:
  addi sp, sp, -64
  sd ra, 0(sp)
  sd a0, 8(sp)
  sd a1, 16(sp)
  sd t0, 24(sp)
  sd t1, 32(sp)
  sd a2, 40(sp)
  sd a3, 48(sp)
  csrr a0, mcause
  csrr a1, mtval
  call on_trap
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  ld ra, 0(sp)
  ld a0, 8(sp)
  ld a1, 16(sp)
  ld t0, 24(sp)
  ld t1, 32(sp)
  ld a2, 40(sp)
  ld a3, 48(sp)
  addi sp, sp, 64
  mret
  .bss
  .align 16
  .space 16384
stack_top:
