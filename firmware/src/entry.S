/*
 * tsemu-sbi entry: every hart starts here from the boot ROM with a0 = hart id, a1 = device tree,
 * a2 = fw_dynamic_info. Each hart gets its `struct hart` (in tp and mscratch) and its M-mode stack;
 * one hart clears .bss and cold-boots, the others wait for it (boot.c), then for HSM hart_start.
 * Also here: the M-mode trap entry, which saves every register in a frame on the hart's M stack.
 */
#include "hart.h"

    /* names the object in the symbol table (else ld records the temporary object's random name) */
    .file   "entry.S"

#define FRAME_SIZE (34 * 8)
#define MIP_MSIP 8

    .option norelax
    .section .text.entry, "ax"
    .globl _start
_start:
    csrw    mie, zero
    la      t0, trap_entry
    csrw    mtvec, t0
    li      t0, MAX_HARTS
    bgeu    a0, t0, unsupported_hart
    /* tp = mscratch = &harts[hart id] */
    la      tp, harts
    li      t0, HART_SIZE
    mul     t0, t0, a0
    add     tp, tp, t0
    csrw    mscratch, tp
    /* sp = stacks + (hart id + 1) * STACK_SIZE */
    la      sp, stacks
    addi    t0, a0, 1
    li      t1, STACK_SIZE
    mul     t0, t0, t1
    add     sp, sp, t0
    mv      s0, a0
    mv      s1, a1
    mv      s2, a2
    /* the boot hart fw_dynamic_info names, else the first hart to win the lottery */
    mv      a0, s2
    call    fw_boot_hart
    li      t0, -1
    beq     a0, t0, lottery
    bne     a0, s0, warm
    j       cold
lottery:
    la      t0, boot_lottery
    li      t1, 1
    amoswap.w.aqrl t1, t1, (t0)
    bnez    t1, warm
cold:
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  fence   rw, rw
    sd      sp, HART_STACK_TOP(tp)
    mv      a0, s0
    mv      a1, s1
    mv      a2, s2
    call    cold_boot
    j       unsupported_hart

    /* wait (no stack, no .bss) until the cold-boot hart is done; it raises msip when it is */
warm:
    li      t0, MIP_MSIP
    csrw    mie, t0
3:  la      t0, boot_done
    lw      t0, 0(t0)
    fence   r, rw
    bnez    t0, 4f
    wfi
    j       3b
4:  sd      sp, HART_STACK_TOP(tp)
    call    warm_boot

unsupported_hart:
    csrw    mie, zero
5:  wfi
    j       5b

    /* hart_park(stack_top): hart_stop's way back to the STOPPED wait, on a fresh stack */
    .globl hart_park
hart_park:
    mv      sp, a0
    call    hsm_wait_for_start
    j       unsupported_hart

    .align 2
trap_entry:
    csrrw   tp, mscratch, tp            /* tp = struct hart, mscratch = the interrupted tp */
    sd      t0, HART_TMP0(tp)
    csrr    t0, mstatus
    srli    t0, t0, 11
    andi    t0, t0, 3
    addi    t0, t0, -3
    bnez    t0, 7f
    /* from M-mode (a firmware load that may fault): the frame goes below the current sp */
    mv      t0, sp
    addi    sp, sp, -FRAME_SIZE
    j       8f
    /* from S- or U-mode: the hart's own M stack */
7:  mv      t0, sp
    ld      sp, HART_STACK_TOP(tp)
    addi    sp, sp, -FRAME_SIZE
8:  sd      t0, 2*8(sp)
    sd      ra, 1*8(sp)
    sd      gp, 3*8(sp)
    csrr    t0, mscratch
    sd      t0, 4*8(sp)
    ld      t0, HART_TMP0(tp)
    sd      t0, 5*8(sp)
    sd      t1, 6*8(sp)
    sd      t2, 7*8(sp)
    sd      s0, 8*8(sp)
    sd      s1, 9*8(sp)
    sd      a0, 10*8(sp)
    sd      a1, 11*8(sp)
    sd      a2, 12*8(sp)
    sd      a3, 13*8(sp)
    sd      a4, 14*8(sp)
    sd      a5, 15*8(sp)
    sd      a6, 16*8(sp)
    sd      a7, 17*8(sp)
    sd      s2, 18*8(sp)
    sd      s3, 19*8(sp)
    sd      s4, 20*8(sp)
    sd      s5, 21*8(sp)
    sd      s6, 22*8(sp)
    sd      s7, 23*8(sp)
    sd      s8, 24*8(sp)
    sd      s9, 25*8(sp)
    sd      s10, 26*8(sp)
    sd      s11, 27*8(sp)
    sd      t3, 28*8(sp)
    sd      t4, 29*8(sp)
    sd      t5, 30*8(sp)
    sd      t6, 31*8(sp)
    csrr    t0, mepc
    sd      t0, 32*8(sp)
    csrr    t0, mstatus
    sd      t0, 33*8(sp)
    csrw    mscratch, tp                /* mscratch = struct hart again */
    mv      a0, sp
    call    trap_handler
    ld      t0, 32*8(sp)
    csrw    mepc, t0
    ld      t0, 33*8(sp)
    csrw    mstatus, t0
    ld      ra, 1*8(sp)
    ld      gp, 3*8(sp)
    ld      tp, 4*8(sp)
    ld      t0, 5*8(sp)
    ld      t1, 6*8(sp)
    ld      t2, 7*8(sp)
    ld      s0, 8*8(sp)
    ld      s1, 9*8(sp)
    ld      a0, 10*8(sp)
    ld      a1, 11*8(sp)
    ld      a2, 12*8(sp)
    ld      a3, 13*8(sp)
    ld      a4, 14*8(sp)
    ld      a5, 15*8(sp)
    ld      a6, 16*8(sp)
    ld      a7, 17*8(sp)
    ld      s2, 18*8(sp)
    ld      s3, 19*8(sp)
    ld      s4, 20*8(sp)
    ld      s5, 21*8(sp)
    ld      s6, 22*8(sp)
    ld      s7, 23*8(sp)
    ld      s8, 24*8(sp)
    ld      s9, 25*8(sp)
    ld      s10, 26*8(sp)
    ld      s11, 27*8(sp)
    ld      t3, 28*8(sp)
    ld      t4, 29*8(sp)
    ld      t5, 30*8(sp)
    ld      t6, 31*8(sp)
    ld      sp, 2*8(sp)
    mret

    .data
    .align 2
boot_lottery:
    .word   0

    .section .stacks, "aw", @nobits
    .align 12
stacks:
    .space  STACK_SIZE * MAX_HARTS
