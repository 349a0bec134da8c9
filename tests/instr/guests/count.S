/*
 * count: deterministic single-hart M-mode guest (-bios none, loaded at
 * 0x80000000) with a known amount of work, for the instrumentation examples
 * and the load/unload tests. Hart 0 runs `hot`, a loop of HOT_ITERATIONS
 * iterations of exactly one 8-byte store and one 8-byte load to `buf`, then
 * exits through the sifive_test finisher (status 0). Other harts park in wfi.
 *
 * Known totals for hart 0 (what the tests check), with QEMU's reset vector
 * in front (6 instructions: auipc, addi, csrr, ld, ld, jr — its two `ld`s
 * are the only other loads):
 *   stores: HOT_ITERATIONS + 1 (the finisher store)
 *   loads:  HOT_ITERATIONS + 2
 *   instructions: see INSTRUCTIONS in ../README.md (counted from the listing)
 */
    .equ FINISHER,       0x100000
    .equ FINISHER_PASS,  0x5555
    .equ HOT_ITERATIONS, 1000

    .section .text
    .option norvc
    .globl _start
_start:
    csrr    a0, mhartid
    bnez    a0, park
    la      s0, buf
    li      t0, HOT_ITERATIONS
    .globl hot
hot:
    sd      t0, 0(s0)
    ld      t1, 0(s0)
    addi    t0, t0, -1
    bnez    t0, hot
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
    .globl park
park:
    wfi
    j       park

    .data
    .balign 4096                        /* own page: stores to the code page would invalidate its translations */
    .globl buf
buf:
    .dword  0
