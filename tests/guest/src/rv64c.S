/* RV64C: every RV64C instruction, written with explicit c.* mnemonics so the
 * assembler must emit the 16-bit encoding. Also: 32-bit instructions at
 * 2-byte-aligned addresses, a 32-bit instruction straddling a 4 KiB page
 * boundary, compressed branch/jump targets at odd halfwords, c.ebreak, and
 * reserved compressed encodings (illegal instruction, mtval = the 16 bits).
 * Expected values from the RVC spec expansions; checked against QEMU 7.2. */
#include "asm_test.h"

#define EXPECT_TRAP  call trap_expect
/* check_trap(what, cause, tval, handler_mode) */
#define CHECK_TRAP(text, cause, tval)                      \
    .pushsection .rodata.str1.1, "aMS", @progbits, 1;      \
95: .asciz  text;                                          \
    .popsection;                                           \
    la      a0, 95b;                                       \
    li      a1, cause;                                     \
    li      a2, tval;                                      \
    li      a3, PRV_M;                                     \
    call    check_trap

    .option rvc
ASM_MAIN_BEGIN("rv64c")
    addi    sp, sp, -272
    sd      s0, 256(sp)
    sd      s1, 248(sp)

    /* ---- CIW: c.addi4spn ---- */
    c.addi4spn s0, sp, 4
    sub     s0, s0, sp
    REPORT(s0, 4, c.addi4spn 4)
    c.addi4spn s1, sp, 1020
    sub     s1, s1, sp
    REPORT(s1, 1020, c.addi4spn 1020)

    /* ---- CL/CS: c.lw c.ld c.sw c.sd c.fld c.fsd ---- */
    mv      s0, sp
    li      a5, 0x8badf00dcafe1234
    c.sd    a5, 0(s0)
    c.sd    a5, 248(s0)
    ld      s1, 0(sp)
    REPORT(s1, 0x8badf00dcafe1234, c.sd 0)
    ld      s1, 248(sp)
    REPORT(s1, 0x8badf00dcafe1234, c.sd 248)
    mv      s0, sp
    c.ld    s1, 248(s0)
    REPORT(s1, 0x8badf00dcafe1234, c.ld 248)
    c.lw    s1, 0(s0)
    REPORT(s1, 0xffffffffcafe1234, c.lw sign-extends)
    c.lw    s1, 4(s0)
    REPORT(s1, 0xffffffff8badf00d, c.lw 4)
    li      a5, 0x7fff0001
    c.sw    a5, 124(s0)
    lwu     s1, 124(sp)
    REPORT(s1, 0x7fff0001, c.sw 124)
    c.lw    s1, 124(s0)
    REPORT(s1, 0x7fff0001, c.lw 124)
    li      a5, 0x400921fb54442d18
    fmv.d.x fa5, a5
    c.fsd   fa5, 16(s0)
    ld      s1, 16(sp)
    REPORT(s1, 0x400921fb54442d18, c.fsd 16)
    c.fld   fa4, 16(s0)
    fmv.x.d s1, fa4
    REPORT(s1, 0x400921fb54442d18, c.fld 16)
    c.fsd   fa5, 248(s0)
    c.fld   fs0, 248(s0)
    fmv.x.d s1, fs0
    REPORT(s1, 0x400921fb54442d18, c.fld/c.fsd 248)

    /* ---- CI: c.nop c.addi c.addiw c.li c.addi16sp c.lui c.slli ---- */
    li      s0, 7
    c.nop
    REPORT(s0, 7, c.nop)
    li      s0, 7
    c.addi  s0, -32
    REPORT(s0, 0xffffffffffffffe7, c.addi -32)
    li      s0, 0x7fffffffffffffff
    c.addi  s0, 31
    REPORT(s0, 0x800000000000001e, c.addi 31 wraps)
    li      s1, 0x7fffffff
    c.addiw s1, 1
    REPORT(s1, 0xffffffff80000000, c.addiw 1)
    li      s1, 0x123456789
    c.addiw s1, 0
    REPORT(s1, 0x23456789, c.addiw 0 (sext.w))
    li      s1, 0
    c.addiw s1, -1
    REPORT(s1, 0xffffffffffffffff, c.addiw -1)
    c.li    s0, -32
    REPORT(s0, 0xffffffffffffffe0, c.li -32)
    c.li    s0, 31
    REPORT(s0, 31, c.li 31)
    c.li    s0, 0
    REPORT(s0, 0, c.li 0)
    mv      s1, sp
    c.addi16sp sp, -512
    sub     s0, s1, sp
    c.addi16sp sp, 496
    c.addi16sp sp, 16
    sub     s1, s1, sp
    REPORT(s0, 512, c.addi16sp -512)
    REPORT(s1, 0, c.addi16sp 496+16)
    c.lui   s0, 1
    REPORT(s0, 0x1000, c.lui 1)
    c.lui   s0, 0x1f
    REPORT(s0, 0x1f000, c.lui 0x1f)
    c.lui   s0, 0xfffe0
    REPORT(s0, 0xfffffffffffe0000, c.lui 0xfffe0)
    c.lui   s0, 0xfffff
    REPORT(s0, 0xfffffffffffff000, c.lui 0xfffff)
    li      s0, 0x8000000000000001
    c.slli  s0, 1
    REPORT(s0, 2, c.slli 1)
    li      s0, 1
    c.slli  s0, 63
    REPORT(s0, 0x8000000000000000, c.slli 63)
    li      s1, 0x00000000ffffffff
    c.slli  s1, 32
    REPORT(s1, 0xffffffff00000000, c.slli 32)

    /* ---- CB: c.srli c.srai c.andi ---- */
    li      s0, 0x8000000000000000
    c.srli  s0, 63
    REPORT(s0, 1, c.srli 63)
    li      s0, 0xf000000000000000
    c.srli  s0, 1
    REPORT(s0, 0x7800000000000000, c.srli 1)
    li      s0, 0xffffffff00000000
    c.srli  s0, 32
    REPORT(s0, 0xffffffff, c.srli 32)
    li      s0, 0x8000000000000000
    c.srai  s0, 63
    REPORT(s0, 0xffffffffffffffff, c.srai 63)
    li      s0, 0x8000000000000000
    c.srai  s0, 32
    REPORT(s0, 0xffffffff80000000, c.srai 32)
    li      s0, 0x7000000000000000
    c.srai  s0, 4
    REPORT(s0, 0x0700000000000000, c.srai 4)
    li      s0, 0xffffffffffffffff
    c.andi  s0, -32
    REPORT(s0, 0xffffffffffffffe0, c.andi -32)
    li      s0, 0x123
    c.andi  s0, 31
    REPORT(s0, 0x3, c.andi 31)
    li      s0, 0x123
    c.andi  s0, 0
    REPORT(s0, 0, c.andi 0)

    /* ---- CA: c.sub c.xor c.or c.and c.subw c.addw ---- */
    li      s0, 5
    li      s1, 7
    c.sub   s0, s1
    REPORT(s0, 0xfffffffffffffffe, c.sub)
    li      s0, 0xff00ff00ff00ff00
    li      s1, 0x0ff00ff00ff00ff0
    c.xor   s0, s1
    REPORT(s0, 0xf0f0f0f0f0f0f0f0, c.xor)
    li      s0, 0xff00ff00ff00ff00
    li      s1, 0x0ff00ff00ff00ff0
    c.or    s0, s1
    REPORT(s0, 0xfff0fff0fff0fff0, c.or)
    li      s0, 0xff00ff00ff00ff00
    li      s1, 0x0ff00ff00ff00ff0
    c.and   s0, s1
    REPORT(s0, 0x0f000f000f000f00, c.and)
    li      s0, 0x80000000
    li      s1, 1
    c.subw  s0, s1
    REPORT(s0, 0x7fffffff, c.subw)
    li      s0, 0
    li      s1, 0x100000001
    c.subw  s0, s1
    REPORT(s0, 0xffffffffffffffff, c.subw sext)
    li      s0, 0x7fffffff
    li      s1, 1
    c.addw  s0, s1
    REPORT(s0, 0xffffffff80000000, c.addw)
    li      s0, 0xffffffff
    li      s1, 0xffffffff00000001
    c.addw  s0, s1
    REPORT(s0, 0, c.addw wraps)
    li      s0, 3
    c.sub   s0, s0
    REPORT(s0, 0, c.sub same reg)

    /* ---- CR: c.mv c.add c.jr c.jalr c.ebreak ---- */
    li      s1, 0x1234
    c.mv    s0, s1
    REPORT(s0, 0x1234, c.mv)
    li      t3, 0xabcdef
    c.mv    s0, t3
    REPORT(s0, 0xabcdef, c.mv full register)
    li      s0, 0xfffffffffffffff0
    li      t4, 0x20
    c.add   s0, t4
    REPORT(s0, 0x10, c.add)
    li      s0, 9
    c.add   s0, s0
    REPORT(s0, 18, c.add same reg)

    li      s0, 0
    la      t5, 1f
    c.jr    t5
    li      s0, 1
1:  REPORT(s0, 0, c.jr)
    li      s0, 0
    la      t5, 2f
3:  c.jalr  t5
    li      s0, 1
2:  la      s1, 3b
    sub     s1, ra, s1
    REPORT(s1, 2, c.jalr link = pc+2)
    REPORT(s0, 0, c.jalr target)
    /* c.jalr with rs1 = ra: target uses the old ra */
    li      s0, 0
    la      ra, 4f
    c.jalr  ra
    li      s0, 1
4:  REPORT(s0, 0, c.jalr ra)

    EXPECT_TRAP
5:  c.ebreak
    CHECK_TRAP("c.ebreak", CAUSE_BREAKPOINT, 0)
    .pushsection .rodata.str1.1, "aMS", @progbits, 1
94: .asciz  "c.ebreak epc"
    .popsection
    la      t0, trap_last
    ld      a0, 24(t0)
    la      a1, 5b
    la      a2, 94b
    call    asm_check

    /* ---- CJ/CB: c.j c.beqz c.bnez (forward, backward, odd-halfword targets) ---- */
    li      s0, 0
    c.j     6f
    c.li    s0, 1
    c.nop
6:  REPORT(s0, 0, c.j forward)
    li      s0, 0
    c.j     8f
7:  c.addi  s0, 1
    c.j     9f
8:  c.j     7b
9:  REPORT(s0, 1, c.j backward)

    li      s0, 0
    li      s1, 0
    c.beqz  s1, 10f
    c.li    s0, 1
10: REPORT(s0, 0, c.beqz taken)
    li      s0, 0
    li      s1, 0x100000000
    c.beqz  s1, 11f
    c.li    s0, 1
11: REPORT(s0, 1, c.beqz not taken (upper bits))
    li      s0, 0
    li      s1, 0x8000000000000000
    c.bnez  s1, 12f
    c.li    s0, 1
12: REPORT(s0, 0, c.bnez taken)
    li      s0, 0
    li      s1, 0
    c.bnez  s1, 13f
    c.li    s0, 1
13: REPORT(s0, 1, c.bnez not taken)
    /* backward c.bnez loop */
    li      s0, 0
    li      s1, 5
14: c.addi  s0, 2
    c.addi  s1, -1
    c.bnez  s1, 14b
    REPORT(s0, 10, c.bnez loop)

    /* ---- CSS/CI sp-relative: c.swsp c.sdsp c.fsdsp c.lwsp c.ldsp c.fldsp ---- */
    li      t0, 0xfedcba9876543210
    c.sdsp  t0, 8(sp)
    c.sdsp  t0, 504(sp)
    ld      s0, 8(sp)
    REPORT(s0, 0xfedcba9876543210, c.sdsp 8)
    c.ldsp  s0, 504(sp)
    REPORT(s0, 0xfedcba9876543210, c.ldsp 504)
    c.lwsp  s0, 8(sp)
    REPORT(s0, 0x76543210, c.lwsp)
    c.lwsp  s0, 12(sp)
    REPORT(s0, 0xfffffffffedcba98, c.lwsp sign-extends)
    li      t1, 0x80000001
    c.swsp  t1, 252(sp)
    lwu     s0, 252(sp)
    REPORT(s0, 0x80000001, c.swsp 252)
    c.lwsp  s1, 252(sp)
    REPORT(s1, 0xffffffff80000001, c.lwsp 252)
    li      t0, 0xbff0000000000000
    fmv.d.x ft5, t0
    c.fsdsp ft5, 32(sp)
    ld      s0, 32(sp)
    REPORT(s0, 0xbff0000000000000, c.fsdsp)
    c.fsdsp ft5, 504(sp)
    c.fldsp ft6, 504(sp)
    fmv.x.d s0, ft6
    REPORT(s0, 0xbff0000000000000, c.fldsp 504)

    /* ---- 32-bit instructions at 2 mod 4 addresses ---- */
    .balign 4
    c.nop
    li      s0, 0x11
    addi    s0, s0, 0x22
    REPORT(s0, 0x33, 32-bit insn at halfword alignment)

    /* ---- a 32-bit instruction straddling a page boundary ---- */
    call    straddle
    mv      s0, a0
    REPORT(s0, 0x5a5, addi straddling a page boundary)

    /* ---- reserved compressed encodings -> illegal instruction ---- */
    EXPECT_TRAP
    .hword  0x0000
    CHECK_TRAP("all-zero halfword", CAUSE_ILLEGAL_INSN, 0)
    EXPECT_TRAP
    .hword  0x0004              /* c.addi4spn with nzuimm = 0 */
    CHECK_TRAP("c.addi4spn nzuimm=0", CAUSE_ILLEGAL_INSN, 0x0004)
    EXPECT_TRAP
    .hword  0x6101              /* c.addi16sp with nzimm = 0 */
    CHECK_TRAP("c.addi16sp nzimm=0", CAUSE_ILLEGAL_INSN, 0x6101)
    EXPECT_TRAP
    .hword  0x6181              /* c.lui x3 with nzimm = 0 */
    CHECK_TRAP("c.lui nzimm=0", CAUSE_ILLEGAL_INSN, 0x6181)
    EXPECT_TRAP
    .hword  0x4002              /* c.lwsp rd = x0 */
    CHECK_TRAP("c.lwsp rd=0", CAUSE_ILLEGAL_INSN, 0x4002)
    EXPECT_TRAP
    .hword  0x6002              /* c.ldsp rd = x0 */
    CHECK_TRAP("c.ldsp rd=0", CAUSE_ILLEGAL_INSN, 0x6002)
    EXPECT_TRAP
    .hword  0x8002              /* c.jr rs1 = x0 */
    CHECK_TRAP("c.jr rs1=0", CAUSE_ILLEGAL_INSN, 0x8002)
    EXPECT_TRAP
    .hword  0x9c41              /* reserved: funct6 100111 with funct2 10 */
    CHECK_TRAP("reserved CA encoding 0x9c41", CAUSE_ILLEGAL_INSN, 0x9c41)

    ld      s0, 256(sp)
    ld      s1, 248(sp)
    addi    sp, sp, 272
ASM_MAIN_END

    /* straddle(): returns 0x5a5 computed by an addi whose two halves are on
     * different 4 KiB pages. */
    .text
    .balign 4096
    .globl straddle
straddle_page:
    .skip 4096 - 12
straddle:
    li      a0, 0x505           /* 4 bytes (lui+addi would be longer) */
    c.nop
    c.nop
    c.nop
    addi    a0, a0, 0xa0        /* starts 2 bytes before the page boundary */
    ret
