/* Trap entry points for M-mode (mtvec) and S-mode (stvec), direct mode.
 * Each swaps sp with its scratch CSR (which crt0 points at a per-hart trap
 * stack), saves all registers in a struct trap_frame, calls the C handler, and
 * restores epc/status from the frame so the handler can redirect execution. */
#include "csr.h"

#define FRAME_SIZE (36 * 8)
#define F_EPC    (32 * 8)
#define F_STATUS (33 * 8)
#define F_CAUSE  (34 * 8)
#define F_TVAL   (35 * 8)

.macro SAVE_GPRS
    sd x1, 1*8(sp)
    sd x3, 3*8(sp)
    sd x4, 4*8(sp)
    sd x5, 5*8(sp)
    sd x6, 6*8(sp)
    sd x7, 7*8(sp)
    sd x8, 8*8(sp)
    sd x9, 9*8(sp)
    sd x10, 10*8(sp)
    sd x11, 11*8(sp)
    sd x12, 12*8(sp)
    sd x13, 13*8(sp)
    sd x14, 14*8(sp)
    sd x15, 15*8(sp)
    sd x16, 16*8(sp)
    sd x17, 17*8(sp)
    sd x18, 18*8(sp)
    sd x19, 19*8(sp)
    sd x20, 20*8(sp)
    sd x21, 21*8(sp)
    sd x22, 22*8(sp)
    sd x23, 23*8(sp)
    sd x24, 24*8(sp)
    sd x25, 25*8(sp)
    sd x26, 26*8(sp)
    sd x27, 27*8(sp)
    sd x28, 28*8(sp)
    sd x29, 29*8(sp)
    sd x30, 30*8(sp)
    sd x31, 31*8(sp)
.endm

.macro RESTORE_GPRS
    ld x1, 1*8(sp)
    ld x3, 3*8(sp)
    ld x4, 4*8(sp)
    ld x5, 5*8(sp)
    ld x6, 6*8(sp)
    ld x7, 7*8(sp)
    ld x8, 8*8(sp)
    ld x9, 9*8(sp)
    ld x10, 10*8(sp)
    ld x11, 11*8(sp)
    ld x12, 12*8(sp)
    ld x13, 13*8(sp)
    ld x14, 14*8(sp)
    ld x15, 15*8(sp)
    ld x16, 16*8(sp)
    ld x17, 17*8(sp)
    ld x18, 18*8(sp)
    ld x19, 19*8(sp)
    ld x20, 20*8(sp)
    ld x21, 21*8(sp)
    ld x22, 22*8(sp)
    ld x23, 23*8(sp)
    ld x24, 24*8(sp)
    ld x25, 25*8(sp)
    ld x26, 26*8(sp)
    ld x27, 27*8(sp)
    ld x28, 28*8(sp)
    ld x29, 29*8(sp)
    ld x30, 30*8(sp)
    ld x31, 31*8(sp)
.endm

    .text
    .option norvc

    .align 2
    .globl trap_entry
trap_entry:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -FRAME_SIZE
    SAVE_GPRS
    csrr    t0, mscratch
    sd      t0, 2*8(sp)
    csrr    t0, mepc
    sd      t0, F_EPC(sp)
    csrr    t0, mstatus
    sd      t0, F_STATUS(sp)
    csrr    t0, mcause
    sd      t0, F_CAUSE(sp)
    csrr    t0, mtval
    sd      t0, F_TVAL(sp)
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      a0, sp
    call    m_trap_handler
    ld      t0, F_EPC(sp)
    csrw    mepc, t0
    ld      t0, F_STATUS(sp)
    csrw    mstatus, t0
    addi    t0, sp, FRAME_SIZE
    csrw    mscratch, t0
    RESTORE_GPRS
    ld      sp, 2*8(sp)
    mret

    .align 2
    .globl s_trap_entry
s_trap_entry:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -FRAME_SIZE
    SAVE_GPRS
    csrr    t0, sscratch
    sd      t0, 2*8(sp)
    csrr    t0, sepc
    sd      t0, F_EPC(sp)
    csrr    t0, sstatus
    sd      t0, F_STATUS(sp)
    csrr    t0, scause
    sd      t0, F_CAUSE(sp)
    csrr    t0, stval
    sd      t0, F_TVAL(sp)
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      a0, sp
    call    s_trap_handler
    ld      t0, F_EPC(sp)
    csrw    sepc, t0
    ld      t0, F_STATUS(sp)
    csrw    sstatus, t0
    addi    t0, sp, FRAME_SIZE
    csrw    sscratch, t0
    RESTORE_GPRS
    ld      sp, 2*8(sp)
    sret

/* void switch_mode(int mode): continue at the caller in privilege `mode`.
 * Implemented as an ecall with a7 = SWITCH_MODE_MAGIC that the trap handler
 * turns into an xRET to the next instruction with xPP = mode. */
    .globl switch_mode
switch_mode:
    li      a7, 0x5357
    ecall
    ret
