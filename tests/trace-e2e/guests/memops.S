/*
 * memops: M-mode guest (-bios none, loaded at 0x80000000) for the end-to-end
 * tracing tests. Run with -smp 2: harts 0 and 1 each perform the same known
 * sequence of memory accesses on their own 256-byte block of `region`
 * (hart h uses region + h * 256), so every access of the sequence has a known
 * virtual address and a known `info` byte (see ../README.md for the table the
 * tests check). Then hart 1 raises hart 0's machine software interrupt (a
 * store to the CLINT) and parks; hart 0 waits for it by polling mip (a CSR:
 * no memory access, so the number of polls does not show in a memory trace)
 * and exits through the sifive_test finisher with status 0. Harts >= 2 park.
 *
 * So each vCPU's memory accesses are fully deterministic: the reset vector's
 * two loads, the sequence, then one store (hart 1: CLINT msip[0]; hart 0:
 * the finisher).
 *
 * Offsets inside a hart's block, in program order (the tests mirror this list):
 *   sb 0, sh 2, sw 4, sd 8,
 *   lb 0, lbu 0, lh 2, lhu 2, lw 4, lwu 4, ld 8,
 *   amoadd.w 16, amoadd.d 24, lr.w 32, sc.w 32, lr.d 40, sc.d 40,
 *   fsw 48, fsd 56, flw 48, fld 56,
 *   c.sw 64, c.sd 72, c.lw 64, c.ld 72, c.fsd 80, c.fld 80
 */
    .equ FINISHER,      0x100000
    .equ FINISHER_PASS, 0x5555
    .equ MSTATUS_FS_INITIAL, (1 << 13)
    .equ MIP_MSIP,      (1 << 3)
    .equ CLINT_MSIP0,   0x2000000

    .section .text
    .globl _start
_start:
    csrr    a0, mhartid
    li      t0, 2
    bgeu    a0, t0, park
    li      t0, MSTATUS_FS_INITIAL      /* FP loads/stores need mstatus.FS != Off */
    csrs    mstatus, t0
    la      s0, region
    slli    t1, a0, 8
    add     s0, s0, t1                  /* s0 = this hart's block */
    li      s1, 0x8877665544332211      /* stored value (its bytes are "negative") */
    li      t2, 1

    .globl sequence
sequence:
    .option push
    .option norvc                       /* 4-byte encodings; the RVC ones follow */
    sb      s1, 0(s0)
    sh      s1, 2(s0)
    sw      s1, 4(s0)
    sd      s1, 8(s0)
    lb      t3, 0(s0)
    lbu     t3, 0(s0)
    lh      t3, 2(s0)
    lhu     t3, 2(s0)
    lw      t3, 4(s0)
    lwu     t3, 4(s0)
    ld      t3, 8(s0)
    addi    a1, s0, 16
    amoadd.w t3, t2, (a1)
    addi    a1, s0, 24
    amoadd.d t3, t2, (a1)
    addi    a1, s0, 32
    lr.w    t3, (a1)
    sc.w    t4, t3, (a1)
    addi    a1, s0, 40
    lr.d    t3, (a1)
    sc.d    t4, t3, (a1)
    fmv.d.x ft0, s1
    fsw     ft0, 48(s0)
    fsd     ft0, 56(s0)
    flw     ft1, 48(s0)
    fld     ft1, 56(s0)
    .option pop
    /* compressed forms (registers x8..x15 only): s0 = x8, s1 = x9, a2 = x12 */
    c.sw    s1, 64(s0)
    c.sd    s1, 72(s0)
    c.lw    a2, 64(s0)
    c.ld    a2, 72(s0)
    c.fsd   fs0, 80(s0)
    c.fld   fs1, 80(s0)
    .globl sequence_end
sequence_end:

    bnez    a0, signal_hart0
    li      t0, MIP_MSIP
    csrs    mie, t0                     /* wfi wakes on it; mstatus.MIE = 0, so no trap is taken */
wait_hart1:
    csrr    t1, mip
    andi    t1, t1, MIP_MSIP
    bnez    t1, finish
    wfi
    j       wait_hart1
finish:
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
    j       park
signal_hart0:
    li      t0, CLINT_MSIP0
    li      t1, 1
    sw      t1, 0(t0)
park:
    wfi
    j       park

    .data
    .balign 4096
    .globl region
region:
    .space  512
