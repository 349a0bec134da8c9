/*
 * sbi-test entry points (S-mode), the S-mode trap vector, and the probes that need exact
 * instructions: an ecall at a known address, an illegal instruction, and an ecall with every
 * register loaded with a pattern.
 *
 * tp holds the hart id while the guest runs (the trap handler finds the hart's slot with it).
 */
    .file   "start.S"
    .option norelax

#define STACK_SHIFT 14           /* 16 KiB per hart */
#define MAX_HARTS 8
#define FRAME 128                /* ra, t0-t6, a0-a7: 16 registers */

    .section .text.start, "ax"
    .globl _start
/* The boot hart, from the firmware: a0 = hart id, a1 = device tree. */
_start:
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  fence   rw, rw
    mv      tp, a0
    andi    t0, a0, MAX_HARTS - 1
    addi    t0, t0, 1
    slli    t0, t0, STACK_SHIFT
    la      sp, stacks
    add     sp, sp, t0
    la      t0, trap_vector
    csrw    stvec, t0
    call    boot_main
3:  wfi
    j       3b

/*
 * A hart that SBI HSM hart_start started (hart_entry) or that resumes from a non-retentive suspend
 * (resume_entry): a0 = hart id, a1 = opaque. Records satp, sstatus and sip as they arrived.
 */
    .text
    .globl hart_entry, resume_entry
hart_entry:
    li      a4, 0
    j       4f
resume_entry:
    li      a4, 1
4:  csrr    a2, satp
    csrr    a3, sstatus
    csrr    a5, sip
    mv      tp, a0
    andi    t0, a0, MAX_HARTS - 1
    addi    t0, t0, 1
    slli    t0, t0, STACK_SHIFT
    la      sp, stacks
    add     sp, sp, t0
    la      t0, trap_vector
    csrw    stvec, t0
    call    secondary_start
5:  wfi
    j       5b

/* S-mode traps: the caller-saved registers go on the current stack; s_trap(frame) does the rest. */
    .align  2
trap_vector:
    addi    sp, sp, -FRAME
    sd      ra, 0(sp)
    sd      t0, 8(sp)
    sd      t1, 16(sp)
    sd      t2, 24(sp)
    sd      a0, 32(sp)
    sd      a1, 40(sp)
    sd      a2, 48(sp)
    sd      a3, 56(sp)
    sd      a4, 64(sp)
    sd      a5, 72(sp)
    sd      a6, 80(sp)
    sd      a7, 88(sp)
    sd      t3, 96(sp)
    sd      t4, 104(sp)
    sd      t5, 112(sp)
    sd      t6, 120(sp)
    mv      a0, sp
    call    s_trap
    ld      ra, 0(sp)
    ld      t0, 8(sp)
    ld      t1, 16(sp)
    ld      t2, 24(sp)
    ld      a0, 32(sp)
    ld      a1, 40(sp)
    ld      a2, 48(sp)
    ld      a3, 56(sp)
    ld      a4, 64(sp)
    ld      a5, 72(sp)
    ld      a6, 80(sp)
    ld      a7, 88(sp)
    ld      t3, 96(sp)
    ld      t4, 104(sp)
    ld      t5, 112(sp)
    ld      t6, 120(sp)
    addi    sp, sp, FRAME
    sret

/* long legacy_probe(ext, arg): a legacy call whose ecall sits at legacy_probe_ecall. */
    .globl legacy_probe, legacy_probe_ecall
legacy_probe:
    mv      a7, a0
    mv      a0, a1
    li      a6, 0
legacy_probe_ecall:
    ecall
    ret

/* long illegal_probe(void): `csrr a0, mstatus`, illegal in S-mode, at illegal_probe_insn. */
    .globl illegal_probe, illegal_probe_insn
illegal_probe:
    li      a0, 0
illegal_probe_insn:
    .4byte  0x30002573
    ret

/*
 * void regs_probe(ext, fid, arg0, arg1, dump): a7 = ext, a6 = fid, a0 = arg0, a1 = arg1, every other
 * register but sp holds REG_PATTERN(its number) (test.h); after the ecall x1..x31 go to dump[1..31]
 * and sp as it was before the ecall to dump[0]. S-mode interrupts must be off (tp is a pattern).
 */
    .macro  pattern reg, i
    li      \reg, 0x5ac3000000000000 | (\i << 40) | (0x01010101 * \i)
    .endm

    .globl regs_probe
regs_probe:
    addi    sp, sp, -128
    sd      ra, 0(sp)
    sd      gp, 8(sp)
    sd      tp, 16(sp)
    sd      s0, 24(sp)
    sd      s1, 32(sp)
    sd      s2, 40(sp)
    sd      s3, 48(sp)
    sd      s4, 56(sp)
    sd      s5, 64(sp)
    sd      s6, 72(sp)
    sd      s7, 80(sp)
    sd      s8, 88(sp)
    sd      s9, 96(sp)
    sd      s10, 104(sp)
    sd      s11, 112(sp)
    csrw    sscratch, a4
    sd      sp, 0(a4)
    mv      a7, a0
    mv      a6, a1
    mv      a0, a2
    mv      a1, a3
    pattern ra, 1
    pattern gp, 3
    pattern tp, 4
    pattern t0, 5
    pattern t1, 6
    pattern t2, 7
    pattern s0, 8
    pattern s1, 9
    pattern a2, 12
    pattern a3, 13
    pattern a4, 14
    pattern a5, 15
    pattern s2, 18
    pattern s3, 19
    pattern s4, 20
    pattern s5, 21
    pattern s6, 22
    pattern s7, 23
    pattern s8, 24
    pattern s9, 25
    pattern s10, 26
    pattern s11, 27
    pattern t3, 28
    pattern t4, 29
    pattern t5, 30
    pattern t6, 31
    ecall
    csrrw   t0, sscratch, t0            /* t0 = dump, sscratch = t0 as the ecall left it */
    sd      x1, 8(t0)
    sd      x2, 16(t0)
    sd      x3, 24(t0)
    sd      x4, 32(t0)
    sd      x6, 48(t0)
    sd      x7, 56(t0)
    sd      x8, 64(t0)
    sd      x9, 72(t0)
    sd      x10, 80(t0)
    sd      x11, 88(t0)
    sd      x12, 96(t0)
    sd      x13, 104(t0)
    sd      x14, 112(t0)
    sd      x15, 120(t0)
    sd      x16, 128(t0)
    sd      x17, 136(t0)
    sd      x18, 144(t0)
    sd      x19, 152(t0)
    sd      x20, 160(t0)
    sd      x21, 168(t0)
    sd      x22, 176(t0)
    sd      x23, 184(t0)
    sd      x24, 192(t0)
    sd      x25, 200(t0)
    sd      x26, 208(t0)
    sd      x27, 216(t0)
    sd      x28, 224(t0)
    sd      x29, 232(t0)
    sd      x30, 240(t0)
    sd      x31, 248(t0)
    csrr    t1, sscratch
    sd      t1, 40(t0)
    ld      ra, 0(sp)
    ld      gp, 8(sp)
    ld      tp, 16(sp)
    ld      s0, 24(sp)
    ld      s1, 32(sp)
    ld      s2, 40(sp)
    ld      s3, 48(sp)
    ld      s4, 56(sp)
    ld      s5, 64(sp)
    ld      s6, 72(sp)
    ld      s7, 80(sp)
    ld      s8, 88(sp)
    ld      s9, 96(sp)
    ld      s10, 104(sp)
    ld      s11, 112(sp)
    addi    sp, sp, 128
    ret

    .bss
    .align  12
stacks:
    .space  (MAX_HARTS + 1) << STACK_SHIFT
