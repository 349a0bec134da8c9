# A bare-metal guest for the gdbstub tests (tests/gdbstub): hart 0 calls `tick` five times
# (a breakpoint target), stores each count in `counter` (a watchpoint target), takes an ecall
# trap (stepi across it), then spins in `done`. Other harts park in `park` with interrupts off.
.option norvc
.section .text
.globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park
    la    t0, trap
    csrw  mtvec, t0
    la    sp, stack_top
    li    s0, 0
loop:
    call  tick
    li    t1, 5
    blt   s0, t1, loop
    li    a0, 0x1234
    ecall
after_ecall:
    li    a1, 0x5678
done:
    j     done
.globl tick
tick:
    addi  s0, s0, 1
    la    t2, counter
    sd    s0, 0(t2)
    ret
.globl trap
trap:
    csrr  t3, mepc
    addi  t3, t3, 4
    csrw  mepc, t3
    mret
.globl park
park:
    wfi
    j     park
.section .data
.globl counter
.align 3
counter: .dword 0
.align 4
stack: .space 256
stack_top:
