/*
 * -icount time at the instruction (tests/vcpu/icount-time.spec.ts): reads the time twice within one
 * straight-line block, 25 instructions apart, first with rdtime then with 64-bit loads of the CLINT's
 * mtime, and prints the four values and the two differences in hex. Under `-icount shift=10` 25
 * instructions are 25 << 10 ns = 256 ticks of the 10 MHz timebase; QEMU 7.2 prints the same values
 * (time is exact at the reading instruction, which counts itself).
 */
#define UART 0x10000000
#define MTIME 0x0200bff8
#define FINISHER 0x100000

  .section .text
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la sp, stack_top
  rdtime s0
  .rept 24
  addi t2, t2, 1
  .endr
  rdtime s1
  li t1, MTIME
  ld s2, 0(t1)
  .rept 24
  addi t2, t2, 1
  .endr
  ld s3, 0(t1)
  la a0, s_rdtime
  mv a1, s0
  call puthex
  la a0, s_rdtime2
  mv a1, s1
  call puthex
  la a0, s_diff
  sub a1, s1, s0
  call puthex
  la a0, s_mtime
  mv a1, s2
  call puthex
  la a0, s_mtime2
  mv a1, s3
  call puthex
  la a0, s_diff
  sub a1, s3, s2
  call puthex
  li t0, FINISHER
  li t1, 0x5555
  sw t1, 0(t0)
park:
  wfi
  j park

/* puthex(a0 = label, a1 = value): "label" then 16 hex digits and a newline. */
puthex:
  li t0, UART
1:
  lbu t1, 0(a0)
  beqz t1, 2f
  sb t1, 0(t0)
  addi a0, a0, 1
  j 1b
2:
  li t2, 60
3:
  srl t1, a1, t2
  andi t1, t1, 15
  addi t1, t1, '0'
  li t3, '9'
  ble t1, t3, 4f
  addi t1, t1, 'a' - '9' - 1
4:
  sb t1, 0(t0)
  addi t2, t2, -4
  bgez t2, 3b
  li t1, '\n'
  sb t1, 0(t0)
  ret

  .section .rodata
s_rdtime:  .asciz "rdtime  "
s_rdtime2: .asciz "rdtime' "
s_mtime:   .asciz "mtime   "
s_mtime2:  .asciz "mtime'  "
s_diff:    .asciz "diff    "

  .section .bss
  .balign 16
  .space 4096
stack_top:
