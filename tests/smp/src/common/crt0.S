/* Reset entry for the SMP guests. Every hart enters here in M-mode with
 * a0 = hartid, a1 = DTB (QEMU's -bios none reset stub does the same for all
 * harts). Each hart gets its own program stack and M trap stack (mscratch,
 * used by the shared trap.S). Hart 0 zeroes .bss and calls smp_boot(dtb),
 * which counts the harts in the DTB and wakes the others; then every hart
 * runs smp_hart_main(hartid). Secondaries wait for the release in WFI with
 * only MSIE enabled, so the release IPI (or the flag, if WFI is a no-op)
 * lets them go. The release flag lives in .data because .bss is not zeroed
 * yet when the secondaries first look at it. */
#include "csr.h"
#include "smp_layout.h"

    .section .text.init, "ax"
    .option norvc
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    csrw    mie, zero
    la      t0, early_trap
    csrw    mtvec, t0
    csrr    s0, mhartid
    mv      s1, a1

    li      t0, SMP_MAX_HARTS
    bgeu    s0, t0, park        /* no stack for this hart: hart 0 reports it */

    /* hart h owns [__stacks_start + h*SMP_HART_BYTES, +SMP_HART_BYTES):
     * program stack first, M trap stack above it */
    li      t0, SMP_HART_BYTES
    mul     t0, t0, s0
    la      t1, __stacks_start
    add     t1, t1, t0
    li      t2, SMP_STACK_BYTES
    add     sp, t1, t2
    li      t2, SMP_HART_BYTES
    add     t3, t1, t2
    csrw    mscratch, t3

    /* FPU on (state Initial): compiled C may touch FP registers */
    li      t0, MSTATUS_FS_INIT
    csrs    mstatus, t0
    csrw    fcsr, zero

    la      t0, trap_entry
    csrw    mtvec, t0

    bnez    s0, secondary_wait

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  mv      a0, s1
    call    smp_boot            /* sets smp_released and sends the release IPIs */
    j       run

secondary_wait:
    li      t0, MIP_MSIP        /* MSIE only (mstatus.MIE stays 0): wakes WFI, no trap */
    csrw    mie, t0
3:  la      t0, secondaries_released
    lw      t0, 0(t0)
    bnez    t0, 4f
    wfi
    j       3b
4:  fence   r, rw
    csrw    mie, zero

run:
    mv      a0, s0
    call    smp_hart_main       /* does not return */
park:
    csrw    mie, zero
5:  wfi
    j       5b

/* Traps before the real handler is installed: report on the finisher only. */
    .align 2
early_trap:
    li      t0, TEST_FINISHER
    li      t1, (0x7f << 16) | FINISHER_FAIL
    sw      t1, 0(t0)
6:  j       6b

    .data
    .align 2
    /* The name tests/guest's test.c (release_secondaries) refers to. */
    .globl secondaries_released
secondaries_released:
    .word 0
