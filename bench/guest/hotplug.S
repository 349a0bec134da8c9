# Hot-add latency guest (bench/hotplug-latency.ts): hart 0 prints "ready\n" and
# sleeps; a hot-added hart prints its hart id ('1'..'9') as its very first
# action, then sleeps. Bare metal, -bios none.
    .section .text.start
    .globl _start
_start:
    li    t0, 0x10000000        # UART THR
    csrr  a0, mhartid
    bnez  a0, announce
    la    a1, ready
1:  lbu   a2, 0(a1)
    beqz  a2, sleep
    sb    a2, 0(t0)
    addi  a1, a1, 1
    j     1b
announce:
    addi  a2, a0, '0'
    sb    a2, 0(t0)
    li    a2, '\n'
    sb    a2, 0(t0)
sleep:
    wfi
    j     sleep
ready:
    .asciz "ready\n"
