/*
 * UART input and timer interrupts under -icount (tests/vcpu/icount-determinism.spec.ts): a machine
 * timer interrupt every TICK ticks counts `ticks`; the main loop polls the UART and, for each byte
 * read, waits for that many ticks when it is a digit (in WFI if even, spinning if odd), prints it with its letter case swapped
 * otherwise, and folds it into a checksum. A '.' ends the input: the guest prints the checksum
 * and passes. What it prints depends on the input only, never on timing, so QEMU prints the same;
 * where the timer interrupts land depends on the digits.
 */
#define UART 0x10000000
#define UART_LSR 5
#define MTIME 0x0200bff8
#define MTIMECMP 0x02004000
#define FINISHER 0x100000
#define TICK 1000

  .section .text
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la sp, stack_top
  la t0, trap
  csrw mtvec, t0
  li s1, 0                 /* s1: checksum */
  li s2, UART
  li s3, MTIMECMP
  li t0, MTIME
  ld t1, 0(t0)
  li t2, TICK
  add t1, t1, t2
  sd t1, 0(s3)
  li t0, 0x80              /* MTIE */
  csrs mie, t0
  csrsi mstatus, 8         /* MIE */
next:
  lbu t0, UART_LSR(s2)
  andi t0, t0, 1
  beqz t0, next
  lbu a0, 0(s2)
  li t1, 31
  mul s1, s1, t1
  add s1, s1, a0
  li t1, '.'
  beq a0, t1, done
  li t1, '0'
  sub t2, a0, t1
  li t1, 9
  bleu t2, t1, wait
  /* a letter changes case; anything else is echoed */
  ori t1, a0, 0x20
  addi t1, t1, -'a'
  li t3, 25
  bgtu t1, t3, 1f
  xori a0, a0, 0x20
1:
  sb a0, 0(s2)
  j next
wait:
  /* t2 ticks from now: in WFI for an even digit, spinning (interrupted anywhere) for an odd one */
  la t3, ticks
  ld t4, 0(t3)
  add t4, t4, t2
  andi t6, t2, 1
1:
  ld t5, 0(t3)
  bgeu t5, t4, 2f
  bnez t6, 1b
  wfi
  j 1b
2:
  li t1, '~'
  sb t1, 0(s2)
  j next
done:
  li t1, '\n'
  sb t1, 0(s2)
  la a0, s_sum
  mv a1, s1
  call puthex
  la a0, s_pass
  call puts
  li t0, FINISHER
  li t1, 0x5555
  sw t1, 0(t0)
park:
  wfi
  j park

/* The machine timer: count it and re-arm TICK ticks later. */
  .balign 4
trap:
  csrrw sp, mscratch, sp
  la sp, trap_stack_top
  sd t0, -8(sp)
  sd t1, -16(sp)
  la t0, ticks
  ld t1, 0(t0)
  addi t1, t1, 1
  sd t1, 0(t0)
  li t0, MTIMECMP
  ld t1, 0(t0)
  addi t1, t1, TICK
  sd t1, 0(t0)
  ld t1, -16(sp)
  ld t0, -8(sp)
  csrrw sp, mscratch, sp
  mret

/* puts(a0 = string) */
puts:
  li t0, UART
1:
  lbu t1, 0(a0)
  beqz t1, 2f
  sb t1, 0(t0)
  addi a0, a0, 1
  j 1b
2:
  ret

/* puthex(a0 = label, a1 = value): "label" then 16 hex digits and a newline. */
puthex:
  addi sp, sp, -16
  sd ra, 0(sp)
  call puts
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
  ld ra, 0(sp)
  addi sp, sp, 16
  ret

  .section .rodata
s_sum:  .asciz "sum "
s_pass: .asciz "PASS uart-input\n"

  .section .bss
  .balign 16
ticks:
  .space 8
  .space 4096
stack_top:
  .space 256
trap_stack_top:
