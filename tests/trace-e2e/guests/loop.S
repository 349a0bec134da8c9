/*
 * loop: M-mode guest (-bios none, loaded at 0x80000000) for the per-vCPU and
 * "disable while running" tracing tests. Harts 0 .. NHARTS-1 (NHARTS is a
 * build-time constant: bin/loop.elf has 1, bin/loop3.elf 3) each run
 * ITERATIONS iterations of
 *     sd t0, 0(slot); sw t0, 8(slot); sb t0, 12(slot)
 * on their own 64-byte slot (slots + 64 * hart), with t0 counting down from
 * ITERATIONS to 1, then count themselves done with an amoadd.w on `done`.
 * Hart 0 then waits until all NHARTS are done and exits through the
 * sifive_test finisher (status 0). Other harts park in wfi.
 */
#ifndef NHARTS
#define NHARTS 1
#endif
    .equ FINISHER,      0x100000
    .equ FINISHER_PASS, 0x5555
    .equ ITERATIONS,    1000

    .section .text
    .option norvc
    .globl _start
_start:
    csrr    a0, mhartid
    li      t0, NHARTS
    bgeu    a0, t0, park
    la      s0, slots
    slli    t1, a0, 6
    add     s0, s0, t1
    li      t0, ITERATIONS
    .globl loop
loop:
    sd      t0, 0(s0)
    sw      t0, 8(s0)
    sb      t0, 12(s0)
    addi    t0, t0, -1
    bnez    t0, loop
    la      t0, done
    li      t1, 1
    amoadd.w zero, t1, (t0)
    bnez    a0, park
wait_all:
    lw      t1, 0(t0)
    li      t2, NHARTS
    blt     t1, t2, wait_all
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
    .globl park
park:
    wfi
    j       park

    .data
    .balign 4096                        /* own page: stores to the code page would invalidate its translations */
    .globl slots, done
slots:
    .space  64 * 4
done:
    .word   0
