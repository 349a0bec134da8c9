/*
 * Disassembler coverage guest for tests/disas/disas.unit.spec.ts.
 *
 * Run on QEMU with `-singlestep -d in_asm`, so every instruction it executes
 * is logged exactly once; the test then disassembles the logged bits itself
 * and compares line by line. Every instruction here either executes or traps:
 * the M-mode trap handler skips the trapping instruction (2 or 4 bytes) and
 * returns in M-mode, so illegal encodings, ecall/ebreak and inaccessible CSRs
 * still get translated (and so logged). Branch and jump targets are always
 * the next label, never anything that could run away. The guest ends by
 * writing to the sifive_test device, which makes QEMU exit.
 */
#define TEST_DEVICE 0x100000
#define TEST_PASS   0x5555
#define CLINT_MSIP  0x2000000

    .section .text.start, "ax"
    .globl _start
    .option norvc
_start:
    la      t0, trap
    csrw    mtvec, t0
    /* PMP entry 0 covers everything, so S-mode (after sret) may run. */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f
    csrw    pmpcfg0, t0
    /* Enable the FPU (mstatus.FS = dirty). */
    li      t0, 0x6000
    csrs    mstatus, t0
    la      s0, buffer_mid
    mv      sp, s0

/* ---- every integer register as rd/rs1/rs2 ---- */
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    add     x\r, x\r, x\r
    .endr
    add     a0, a1, a2
    add     s11, t6, a7

/* ---- immediates and their pseudo-instructions ---- */
    nop
    addi    a0, a1, 0
    addi    a0, zero, 5
    addi    a0, a0, -2048
    addi    t3, s2, 2047
    addi    zero, zero, 1
    addi    zero, a0, 0
    slti    a0, a1, -1
    slti    a0, a1, 100
    sltiu   a0, a1, 1
    sltiu   a0, a1, -1
    sltiu   a0, a1, 7
    xori    a0, a1, -1
    xori    a0, a1, 0x7ff
    ori     a0, a1, -256
    andi    a0, a1, 0xff
    slli    a0, a1, 0
    slli    a0, a1, 1
    slli    a0, a1, 63
    srli    a0, a1, 32
    srli    a0, a1, 63
    srai    a0, a1, 1
    srai    a0, a1, 63
    addiw   a0, a1, 0
    addiw   a0, a1, -1
    addiw   a0, a1, 2047
    slliw   a0, a1, 0
    slliw   a0, a1, 31
    srliw   a0, a1, 17
    sraiw   a0, a1, 31
    lui     a0, 0
    lui     a0, 1
    lui     a0, 0x12345
    lui     a0, 0x7ffff
    lui     a0, 0x80000
    lui     a0, 0xfffff
    auipc   a0, 0
    auipc   a0, 1
    auipc   a0, 0x7ffff
    auipc   a0, 0x80000
    auipc   a0, 0xfffff

/* ---- register-register ALU and pseudo-instructions ---- */
    add     a0, a1, a2
    add     a0, zero, a2
    sub     a0, a1, a2
    sub     a0, zero, a2
    sll     a0, a1, a2
    slt     a0, a1, a2
    slt     a0, a1, zero
    slt     a0, zero, a2
    sltu    a0, a1, a2
    sltu    a0, zero, a2
    sltu    a0, a1, zero
    xor     a0, a1, a2
    srl     a0, a1, a2
    sra     a0, a1, a2
    or      a0, a1, a2
    and     a0, a1, a2
    addw    a0, a1, a2
    subw    a0, a1, a2
    subw    a0, zero, a2
    sllw    a0, a1, a2
    srlw    a0, a1, a2
    sraw    a0, a1, a2
    mul     a0, a1, a2
    mulh    a0, a1, a2
    mulhsu  a0, a1, a2
    mulhu   a0, a1, a2
    div     a0, a1, a2
    divu    a0, a1, a2
    rem     a0, a1, a2
    remu    a0, a1, a2
    mulw    a0, a1, a2
    divw    a0, a1, a2
    divuw   a0, a1, a2
    remw    a0, a1, a2
    remuw   a0, a1, a2

/* ---- branches: forward targets (may be taken), backward ones never taken ---- */
    li      a0, 1
    li      a1, 2
    beq     a0, a1, 1f
1:  beq     a0, zero, 1f
1:  beq     zero, a1, 1f
1:  bne     a0, a1, 1f
1:  bne     a0, zero, 1f
1:  blt     a0, a1, 1f
1:  blt     a0, zero, 1f
1:  blt     zero, a1, 1f
1:  bge     a0, a1, 1f
1:  bge     a0, zero, 1f
1:  bge     zero, a1, 1f
1:  bltu    a0, a1, 1f
1:  bltu    zero, a1, 1f
1:  bgeu    a0, a1, 1f
1:  bgeu    a0, zero, 1f
1:  beq     a0, a1, 2f          /* far forward: a0 != a1, so never taken */
    bne     a0, a0, 1b
    blt     a1, a1, 1b
    bltu    a1, a1, 1b
    bne     zero, zero, 1b
    blt     zero, zero, 1b
2:

/* ---- jumps ---- */
    j       1f
1:  j       3f
2:  j       4f
3:  j       2b
4:  jal     ra, 1f
1:  jal     t0, 1f
1:  jal     zero, 1f
1:  la      t1, 1f
    jalr    ra, 0(t1)
1:  la      t1, 1f
    jalr    zero, 0(t1)
1:  la      t1, 1f - 16
    jalr    t0, 16(t1)
1:  la      t1, 1f + 8
    jalr    zero, -8(t1)
1:  la      ra, 1f
    ret
1:  la      ra, 1f - 8
    jalr    zero, 8(ra)
1:  la      a0, 1f
    jalr    a0
1:

/* ---- loads and stores ---- */
    la      s0, buffer_mid
    lb      a0, 0(s0)
    lh      a0, -2(s0)
    lw      a0, 4(s0)
    ld      a0, -2048(s0)
    lbu     a0, 2047(s0)
    lhu     a0, 6(s0)
    lwu     a0, 8(s0)
    sb      a0, 0(s0)
    sh      a1, -2(s0)
    sw      a2, 2044(s0)
    sd      a3, -2048(s0)
    flw     fa0, 16(s0)
    fld     ft0, -16(s0)
    fsw     fs11, 24(s0)
    fsd     ft11, 32(s0)

/* ---- fences and system ---- */
    fence
    fence   rw, rw
    fence   iorw, iorw
    fence   w, r
    fence   i, o
    fence.tso
    fence.i
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    ecall
    ebreak
    /* wfi wakes at once: a machine software interrupt is pending and
     * enabled in mie while mstatus.MIE stays clear. */
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    csrsi   mie, 8
    wfi
    sw      zero, 0(t0)
    csrci   mie, 8
    /* mret to the next label, in M-mode. */
    la      t0, 1f
    csrw    mepc, t0
    li      t0, 0x1800
    csrs    mstatus, t0
    mret
1:  /* sret drops to S-mode; the ecall there brings us back to M-mode. */
    la      t0, 1f
    csrw    sepc, t0
    li      t0, 0x100
    csrs    sstatus, t0
    sret
1:  ecall

/* ---- atomics ---- */
    la      a2, buffer_mid
    .irp w, w, d
    lr.\w           a0, (a2)
    lr.\w\().aq     a0, (a2)
    lr.\w\().aqrl   a0, (a2)
    sc.\w           a0, a1, (a2)
    sc.\w\().rl     a0, a1, (a2)
    sc.\w\().aqrl   a0, a1, (a2)
    amoswap.\w      a0, a1, (a2)
    amoswap.\w\().aq a0, a1, (a2)
    amoswap.\w\().rl a0, a1, (a2)
    amoswap.\w\().aqrl a0, a1, (a2)
    amoadd.\w       a0, a1, (a2)
    amoxor.\w       a0, a1, (a2)
    amoand.\w       a0, a1, (a2)
    amoor.\w        a0, a1, (a2)
    amomin.\w       a0, a1, (a2)
    amomax.\w       a0, a1, (a2)
    amominu.\w      a0, a1, (a2)
    amomaxu.\w      zero, a1, (a2)
    .endr

/* ---- floating point ---- */
    csrwi   frm, 0
    .irp p, s, d
    fadd.\p     fa0, fa1, fa2
    fadd.\p     fa0, fa1, fa2, rne
    fsub.\p     ft0, ft1, ft2, rtz
    fmul.\p     fs0, fs1, fs2, rdn
    fdiv.\p     fa7, fs11, ft11, rup
    fsqrt.\p    fa0, fa1, rmm
    fsqrt.\p    fa0, fa1
    fmadd.\p    fa0, fa1, fa2, fa3
    fmadd.\p    fa0, fa1, fa2, fa3, rtz
    fmsub.\p    fa0, fa1, fa2, fa3
    fnmsub.\p   fa0, fa1, fa2, fa3, rne
    fnmadd.\p   fa0, fa1, fa2, fa3
    fsgnj.\p    fa0, fa1, fa2
    fsgnj.\p    fa0, fa1, fa1
    fsgnjn.\p   fa0, fa1, fa2
    fsgnjn.\p   fa0, fa1, fa1
    fsgnjx.\p   fa0, fa1, fa2
    fsgnjx.\p   fa0, fa1, fa1
    fmin.\p     fa0, fa1, fa2
    fmax.\p     fa0, fa1, fa2
    feq.\p      a0, fa1, fa2
    flt.\p      a0, fa1, fa2
    fle.\p      a0, fa1, fa2
    fclass.\p   a0, fa1
    fcvt.w.\p   a0, fa1
    fcvt.w.\p   a0, fa1, rtz
    fcvt.wu.\p  a0, fa1
    fcvt.l.\p   a0, fa1, rup
    fcvt.lu.\p  a0, fa1
    fcvt.\p\().w  fa0, a1
    fcvt.\p\().wu fa0, a1
    fcvt.\p\().l  fa0, a1
    fcvt.\p\().lu fa0, a1, rdn
    .endr
    fcvt.s.d    fa0, fa1
    fcvt.s.d    fa0, fa1, rtz
    fcvt.d.s    fa0, fa1
    fmv.x.w     a0, fa1
    fmv.w.x     fa0, a1
    fmv.x.d     a0, fa1
    fmv.d.x     fa0, a1
    /* reserved rounding modes 5 and 6 (illegal when executed) */
    .word   0x02c5d553      /* fadd.d fa0, fa1, fa2 with rm=5 */
    .word   0x02c5e553      /* fadd.d fa0, fa1, fa2 with rm=6 */

/* ---- CSR access forms and their pseudo-instructions ---- */
    csrrw   a0, mscratch, a1
    csrrw   zero, mscratch, a1
    csrrs   a0, mscratch, a1
    csrrs   a0, mscratch, zero
    csrrc   a0, mscratch, a1
    csrrc   zero, mscratch, zero
    csrrwi  a0, mscratch, 31
    csrrsi  a0, mscratch, 1
    csrrci  zero, mscratch, 0
    csrrw   a0, fcsr, a1
    csrrw   zero, frm, zero
    csrrw   a0, fflags, zero
    csrrs   a0, fcsr, zero
    csrrs   a0, frm, zero
    csrrs   a0, fflags, zero
    csrrs   a0, fflags, a1
    csrrwi  zero, frm, 1
    csrrwi  a0, fflags, 3
    csrrwi  zero, fcsr, 0
    csrrsi  a0, frm, 0
    csrrs   a0, cycle, zero
    csrrs   a0, time, zero
    csrrs   a0, instret, zero
    csrrs   a0, cycle, a1
    csrrs   a0, 0xc80, zero
    csrrs   a0, 0xc81, zero
    csrrs   a0, 0xc82, zero
    csrwi   frm, 0

/* ---- every CSR number, read: the name table (or 0x... for unnamed ones) ---- */
    .set    csrno, 0
    .rept   4096
    csrrs   a0, csrno, zero
    .set    csrno, csrno + 1
    .endr

/* ---- compressed instructions ---- */
    .option rvc
    la      s0, buffer_mid
    mv      sp, s0
    c.nop
    c.addi  a0, 1
    c.addi  a0, -32
    c.addi  s1, 31
    c.addiw a0, 1
    c.addiw a0, 0
    c.addiw a5, -32
    c.li    a0, 0
    c.li    a0, -1
    c.li    a0, 31
    c.lui   a0, 1
    c.lui   a0, 0x1f
    c.lui   a0, 0xfffe0
    c.lui   t3, 0xfffff
    c.addi16sp sp, 16
    c.addi16sp sp, -512
    c.addi16sp sp, 496
    mv      sp, s0
    c.addi4spn a0, sp, 4
    c.addi4spn s1, sp, 1020
    c.srli  a0, 1
    c.srli  a5, 63
    c.srai  a0, 1
    c.srai  s1, 32
    c.andi  a0, 0
    c.andi  a0, -1
    c.andi  a0, 31
    c.sub   a0, a1
    c.xor   a0, a1
    c.or    s1, a5
    c.and   a0, a1
    c.subw  a0, a1
    c.addw  a0, a1
    c.slli  a0, 1
    c.slli  t6, 63
    c.mv    a0, a1
    c.mv    t6, ra
    c.add   a0, a1
    c.add   sp, s0
    mv      sp, s0
    c.lw    a0, 0(s0)
    c.lw    a1, 124(s0)
    c.ld    a0, 8(s0)
    c.ld    a5, 248(s0)
    c.sw    a0, 4(s0)
    c.sw    a1, 124(s0)
    c.sd    a0, 16(s0)
    c.sd    a5, 248(s0)
    c.fld   fa0, 8(s0)
    c.fld   fs1, 248(s0)
    c.fsd   fa0, 16(s0)
    c.fsd   fs0, 248(s0)
    c.lwsp  a0, 0(sp)
    c.lwsp  t6, 252(sp)
    c.ldsp  a0, 8(sp)
    c.ldsp  ra, 504(sp)
    mv      sp, s0
    c.swsp  a0, 4(sp)
    c.swsp  t6, 252(sp)
    c.sdsp  a0, 8(sp)
    c.sdsp  ra, 504(sp)
    c.fldsp fa0, 8(sp)
    c.fldsp ft11, 504(sp)
    c.fsdsp fa0, 16(sp)
    c.fsdsp ft11, 504(sp)
    li      a0, 1
    li      s1, 1
    c.beqz  a0, 1f
1:  c.bnez  a0, 1f
1:  c.beqz  s1, 2f          /* s1 != 0: never taken */
    li      a0, 0
    c.bnez  a0, 1b          /* a0 == 0: never taken */
2:  c.j     1f
1:  c.j     3f
2:  c.j     4f
3:  c.j     2b
4:  la      t1, 1f
    c.jr    t1
1:  la      t1, 1f
    c.jalr  t1
1:  la      ra, 1f
    c.jr    ra
1:  c.ebreak
    /* hints and reserved encodings */
    .half   0x0005      /* c.addi zero, 1 (hint) */
    .half   0x0501      /* c.addi a0, 0 (hint) */
    .half   0x4015      /* c.li zero, 5 (hint) */
    .half   0x4001      /* c.li zero, 0 (hint) */
    .half   0x6005      /* c.lui zero, 1 (hint) */
    .half   0x6501      /* c.lui a0, 0 (reserved) */
    .half   0x6101      /* c.addi16sp sp, 0 (reserved) */
    .half   0x2001      /* c.addiw zero, 0 (reserved) */
    .half   0x8002      /* c.jr zero (reserved) */
    .half   0x802a      /* c.mv zero, a0 (hint) */
    .half   0x902a      /* c.add zero, a0 (hint) */
    .half   0x0502      /* c.slli a0, 0 (hint) */
    .half   0x0006      /* c.slli zero, 1 (hint) */
    .half   0x8101      /* c.srli s0, 0 (hint) */
    .half   0x8501      /* c.srai s0, 0 (hint) */
    .half   0x4002      /* c.lwsp zero, 0(sp) (reserved) */
    .half   0x6002      /* c.ldsp zero, 0(sp) (reserved) */
    .half   0x9c41      /* reserved: funct6 100111, funct2 10 */
    .half   0x9c61      /* reserved: funct6 100111, funct2 11 */
    .half   0x8000      /* reserved quadrant 0, funct3 100 */
    .half   0x0000      /* all zeros: illegal */
    .option norvc
    .word   0x0000000b  /* custom-0: illegal */
    .word   0x00000000

/* ---- done ---- */
    li      t0, TEST_DEVICE
    li      t1, TEST_PASS
    sw      t1, 0(t0)
1:  j       1b

/*
 * Trap handler: skip the trapping instruction and return in M-mode. Uses only
 * t4-t6, which the code above never relies on across a trap.
 */
    .balign 4
trap:
    csrr    t6, mepc
    lhu     t5, 0(t6)
    andi    t5, t5, 3
    li      t4, 3
    addi    t6, t6, 2
    bne     t5, t4, 1f
    addi    t6, t6, 2
1:  csrw    mepc, t6
    li      t5, 0x1800
    csrs    mstatus, t5
    mret

    .data
    .balign 16
buffer:
    .space  4096
buffer_mid:
    .space  4096
