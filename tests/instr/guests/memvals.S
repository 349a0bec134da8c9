/*
 * memvals: M-mode guest (-bios none, -smp 1) that knows every value it stores and loads, for
 * guest_mem_after's values where a store ends its block and for FP accesses
 * (tests/instr/mem-values.spec.ts). In order, from `accesses` (each access is listed in the spec):
 *
 *   device:  sb 0x5a to the UART's scratch register (0x10000007), lbu it back;
 *            sd 0x0123456789abcdef to the CLINT's mtimecmp (0x2004000), ld it back;
 *   code:    `patched` (on a page of its own, run once first so it is translated) returns 1;
 *            sw of `li a0, 42` (0x02a00513) over its first instruction, fence.i, run it: a0 = 42,
 *            then lw that word back;
 *   FP:      fld f1 from fpsrc (0x400921fb54442d18), fsd f1 to fpdst, flw f2 from fpsrc+8
 *            (0x3fc00000), fsw f2 to fpdst+8; compressed: c.fld f8 from 8(s0) = fpsrc+8 (the pair
 *            0x000000003fc00000... as one double: 0x123456783fc00000), c.fsd f8 to 16(s1) = fpdst+16;
 * then the finisher ends the run (status 0; the finisher store ends QEMU, so it is not listed).
 */
    .equ FINISHER,       0x100000
    .equ FINISHER_PASS,  0x5555
    .equ UART_SCR,       0x10000007
    .equ CLINT_MTIMECMP, 0x2004000

    .section .text
    .option norvc
    .globl _start
_start:
    csrr    a0, mhartid
    bnez    a0, park
    li      t0, (1 << 13)               /* mstatus.FS = initial: FP registers usable */
    csrs    mstatus, t0
    call    patched                     /* translate it once: a0 = 1 */
    call    accesses
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
park:
    wfi
    j       park

    .balign 4096
    .globl accesses
accesses:
    li      t0, UART_SCR
    li      t1, 0x5a
    sb      t1, 0(t0)                   /* device store: ends its block */
    lbu     t2, 0(t0)
    li      t0, CLINT_MTIMECMP
    li      t1, 0x0123456789abcdef
    sd      t1, 0(t0)                   /* device store */
    ld      t2, 0(t0)
    la      t0, patched
    li      t1, 0x02a00513              /* li a0, 42 */
    sw      t1, 0(t0)                   /* store to a page holding translated code */
    fence.i
    mv      s2, ra
    call    patched                     /* a0 = 42 now */
    mv      ra, s2
    la      t0, patched
    lw      t2, 0(t0)
    la      s0, fpsrc
    la      s1, fpdst
    fld     f1, 0(s0)
    fsd     f1, 0(s1)
    flw     f2, 8(s0)
    fsw     f2, 8(s1)
    .option rvc
    c.fld   f8, 8(s0)
    c.fsd   f8, 16(s1)
    .option norvc
    ret

    .balign 4096
    .globl patched
patched:
    li      a0, 1
    ret

    .data
    .balign 4096
    .globl fpsrc
fpsrc:
    .dword  0x400921fb54442d18
    .word   0x3fc00000, 0x12345678
    .globl fpdst
fpdst:
    .dword  0, 0, 0
