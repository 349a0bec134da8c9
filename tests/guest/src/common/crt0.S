/* Reset entry for all guests.
 * QEMU's -bios none stub enters here in M-mode with a0 = hartid, a1 = DTB.
 * Hart 0 initialises the C environment and calls main(hartid, dtb); its return
 * value goes to the sifive_test finisher (0 = pass). Other harts wait (wfi with
 * only MSIE enabled) until hart 0 calls release_secondaries(), then run
 * secondary_main(hartid), a weak symbol that parks by default. */
#include "csr.h"

#define HART_STACKS (16384 + 4096 + 4096)

    .section .text.init, "ax"
    .option norvc
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    csrw    mie, zero
    csrw    mip, zero
    la      t0, early_trap
    csrw    mtvec, t0
    csrr    s0, mhartid
    mv      s1, a1

    /* stacks: hart h owns [__stacks_start + h*HART_STACKS, +HART_STACKS) */
    li      t0, HART_STACKS
    mul     t0, t0, s0
    la      t1, __stacks_start
    add     t1, t1, t0
    li      t2, 16384
    add     sp, t1, t2          /* program stack top */
    li      t2, 16384 + 4096
    add     t3, t1, t2
    csrw    mscratch, t3        /* M trap stack top */
    li      t2, HART_STACKS
    add     t3, t1, t2
    csrw    sscratch, t3        /* S trap stack top */

    /* PMP: one NAPOT region covering everything, RWX, so S/U can access memory
     * (QEMU denies S/U accesses when no PMP entry is programmed). */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f
    csrw    pmpcfg0, t0

    /* FPU on, state "Initial"; no interrupts; counters accessible from S/U. */
    li      t0, MSTATUS_FS_INIT
    csrs    mstatus, t0
    csrw    fcsr, zero

    la      t0, trap_entry
    csrw    mtvec, t0

    bnez    s0, secondary_wait

    /* hart 0: zero .bss */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    mv      a0, s0
    mv      a1, s1
    call    main
    call    guest_exit
3:  j       3b

secondary_wait:
    li      t0, 8               /* MSIE: lets wfi wake on an IPI */
    csrw    mie, t0
4:  la      t0, secondaries_released
    lw      t0, 0(t0)
    bnez    t0, 5f
    wfi
    j       4b
5:  fence   r, rw
    /* clear our msip before running */
    li      t0, CLINT_BASE
    slli    t1, s0, 2
    add     t0, t0, t1
    sw      zero, 0(t0)
    csrw    mie, zero
    mv      a0, s0
    call    secondary_main
6:  wfi
    j       6b

    .weak   secondary_main
secondary_main:
    wfi
    j       secondary_main

/* Traps before the real handler is installed: report on the finisher only. */
    .align 2
early_trap:
    li      t0, TEST_FINISHER
    li      t1, (0x7f << 16) | FINISHER_FAIL
    sw      t1, 0(t0)
7:  j       7b

    .data
    .align 2
    .globl secondaries_released
secondaries_released:
    .word 0
