/* RV64I: every base integer instruction (ALU, shifts incl. shift-amount masking,
 * W-forms, LUI/AUIPC, JAL/JALR, all branches, all loads/stores with sign/zero
 * extension, x0 as source/destination, FENCE/FENCE.TSO/PAUSE/hints).
 * Expected values follow the ISA spec (computed with exact integer arithmetic)
 * and were checked against QEMU 7.2. ECALL/EBREAK are covered by traps.c.
 * Hand-written cases keep operands in s-registers because REPORT is a call. */
#include "asm_test.h"

    .option norvc
ASM_MAIN_BEGIN("rv64i")

    /* ---- register-register, table driven ---- */
    TABLE_RR(add, t_add, "add")
    TABLE_RR(sub, t_sub, "sub")
    TABLE_RR(slt, t_slt, "slt")
    TABLE_RR(sltu, t_sltu, "sltu")
    TABLE_RR(xor, t_xor, "xor")
    TABLE_RR(or, t_or, "or")
    TABLE_RR(and, t_and, "and")
    TABLE_RR(addw, t_addw, "addw")
    TABLE_RR(subw, t_subw, "subw")
    TABLE_RR(sll, t_sll, "sll")
    TABLE_RR(srl, t_srl, "srl")
    TABLE_RR(sra, t_sra, "sra")
    TABLE_RR(sllw, t_sllw, "sllw")
    TABLE_RR(srlw, t_srlw, "srlw")
    TABLE_RR(sraw, t_sraw, "sraw")

    /* ---- register-register, special register operands ---- */
    TEST_RR_SAME(add, 0x3a, 0x1d)
    TEST_RR_DEST1(add, 0x80000008, 0x80000005, 0x3)
    TEST_RR_DEST2(add, 0xfffffffffffffff5, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(add, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_ZERO2(add, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(add, 0x55, 0x2)
    TEST_RR_SAME(sub, 0x0, 0x1d)
    TEST_RR_DEST1(sub, 0x80000002, 0x80000005, 0x3)
    TEST_RR_DEST2(sub, 0xfffffffffffffff1, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(sub, 0x7fffffffffffffef, 0x8000000000000011)
    TEST_RR_ZERO2(sub, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(sub, 0x55, 0x2)
    TEST_RR_SAME(slt, 0x0, 0x1d)
    TEST_RR_DEST1(slt, 0x0, 0x80000005, 0x3)
    TEST_RR_DEST2(slt, 0x1, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(slt, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(slt, 0x1, 0x8000000000000011)
    TEST_RR_X0DEST(slt, 0x55, 0x2)
    TEST_RR_SAME(sltu, 0x0, 0x1d)
    TEST_RR_DEST1(sltu, 0x0, 0x80000005, 0x3)
    TEST_RR_DEST2(sltu, 0x0, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(sltu, 0x1, 0x8000000000000011)
    TEST_RR_ZERO2(sltu, 0x0, 0x8000000000000011)
    TEST_RR_X0DEST(sltu, 0x55, 0x2)
    TEST_RR_SAME(xor, 0x0, 0x1d)
    TEST_RR_DEST1(xor, 0x80000006, 0x80000005, 0x3)
    TEST_RR_DEST2(xor, 0xfffffffffffffff1, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(xor, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_ZERO2(xor, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(xor, 0x55, 0x2)
    TEST_RR_SAME(or, 0x1d, 0x1d)
    TEST_RR_DEST1(or, 0x80000007, 0x80000005, 0x3)
    TEST_RR_DEST2(or, 0xfffffffffffffff3, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(or, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_ZERO2(or, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(or, 0x55, 0x2)
    TEST_RR_SAME(and, 0x1d, 0x1d)
    TEST_RR_DEST1(and, 0x1, 0x80000005, 0x3)
    TEST_RR_DEST2(and, 0x2, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(and, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(and, 0x0, 0x8000000000000011)
    TEST_RR_X0DEST(and, 0x55, 0x2)
    TEST_RR_SAME(addw, 0x3a, 0x1d)
    TEST_RR_DEST1(addw, 0xffffffff80000008, 0x80000005, 0x3)
    TEST_RR_DEST2(addw, 0xfffffffffffffff5, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(addw, 0x11, 0x8000000000000011)
    TEST_RR_ZERO2(addw, 0x11, 0x8000000000000011)
    TEST_RR_X0DEST(addw, 0x55, 0x2)
    TEST_RR_SAME(subw, 0x0, 0x1d)
    TEST_RR_DEST1(subw, 0xffffffff80000002, 0x80000005, 0x3)
    TEST_RR_DEST2(subw, 0xfffffffffffffff1, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(subw, 0xffffffffffffffef, 0x8000000000000011)
    TEST_RR_ZERO2(subw, 0x11, 0x8000000000000011)
    TEST_RR_X0DEST(subw, 0x55, 0x2)
    TEST_RR_SAME(sll, 0x3a0000000, 0x1d)
    TEST_RR_DEST1(sll, 0x400000028, 0x80000005, 0x3)
    TEST_RR_DEST2(sll, 0xffffffffffffffcc, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(sll, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(sll, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(sll, 0x55, 0x2)
    TEST_RR_SAME(srl, 0x0, 0x1d)
    TEST_RR_DEST1(srl, 0x10000000, 0x80000005, 0x3)
    TEST_RR_DEST2(srl, 0x3ffffffffffffffc, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(srl, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(srl, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(srl, 0x55, 0x2)
    TEST_RR_SAME(sra, 0x0, 0x1d)
    TEST_RR_DEST1(sra, 0x10000000, 0x80000005, 0x3)
    TEST_RR_DEST2(sra, 0xfffffffffffffffc, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(sra, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(sra, 0x8000000000000011, 0x8000000000000011)
    TEST_RR_X0DEST(sra, 0x55, 0x2)
    TEST_RR_SAME(sllw, 0xffffffffa0000000, 0x1d)
    TEST_RR_DEST1(sllw, 0x28, 0x80000005, 0x3)
    TEST_RR_DEST2(sllw, 0xffffffffffffffcc, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(sllw, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(sllw, 0x11, 0x8000000000000011)
    TEST_RR_X0DEST(sllw, 0x55, 0x2)
    TEST_RR_SAME(srlw, 0x0, 0x1d)
    TEST_RR_DEST1(srlw, 0x10000000, 0x80000005, 0x3)
    TEST_RR_DEST2(srlw, 0x3ffffffc, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(srlw, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(srlw, 0x11, 0x8000000000000011)
    TEST_RR_X0DEST(srlw, 0x55, 0x2)
    TEST_RR_SAME(sraw, 0x0, 0x1d)
    TEST_RR_DEST1(sraw, 0xfffffffff0000000, 0x80000005, 0x3)
    TEST_RR_DEST2(sraw, 0xfffffffffffffffc, 0xfffffffffffffff3, 0x2)
    TEST_RR_ZERO1(sraw, 0x0, 0x8000000000000011)
    TEST_RR_ZERO2(sraw, 0x11, 0x8000000000000011)
    TEST_RR_X0DEST(sraw, 0x55, 0x2)

    /* ---- register-immediate, table driven ---- */
    TABLE_RI(addi, 0, t_addi_0, "addi")
    TABLE_RI(addi, 1, t_addi_1, "addi")
    TABLE_RI(addi, -1, t_addi_m1, "addi")
    TABLE_RI(addi, 2047, t_addi_2047, "addi")
    TABLE_RI(addi, -2048, t_addi_m2048, "addi")
    TABLE_RI(addi, 1365, t_addi_1365, "addi")
    TABLE_RI(addi, -1366, t_addi_m1366, "addi")
    TABLE_RI(slti, 0, t_slti_0, "slti")
    TABLE_RI(slti, 1, t_slti_1, "slti")
    TABLE_RI(slti, -1, t_slti_m1, "slti")
    TABLE_RI(slti, 2047, t_slti_2047, "slti")
    TABLE_RI(slti, -2048, t_slti_m2048, "slti")
    TABLE_RI(slti, 1365, t_slti_1365, "slti")
    TABLE_RI(slti, -1366, t_slti_m1366, "slti")
    TABLE_RI(sltiu, 0, t_sltiu_0, "sltiu")
    TABLE_RI(sltiu, 1, t_sltiu_1, "sltiu")
    TABLE_RI(sltiu, -1, t_sltiu_m1, "sltiu")
    TABLE_RI(sltiu, 2047, t_sltiu_2047, "sltiu")
    TABLE_RI(sltiu, -2048, t_sltiu_m2048, "sltiu")
    TABLE_RI(sltiu, 1365, t_sltiu_1365, "sltiu")
    TABLE_RI(sltiu, -1366, t_sltiu_m1366, "sltiu")
    TABLE_RI(xori, 0, t_xori_0, "xori")
    TABLE_RI(xori, 1, t_xori_1, "xori")
    TABLE_RI(xori, -1, t_xori_m1, "xori")
    TABLE_RI(xori, 2047, t_xori_2047, "xori")
    TABLE_RI(xori, -2048, t_xori_m2048, "xori")
    TABLE_RI(xori, 1365, t_xori_1365, "xori")
    TABLE_RI(xori, -1366, t_xori_m1366, "xori")
    TABLE_RI(ori, 0, t_ori_0, "ori")
    TABLE_RI(ori, 1, t_ori_1, "ori")
    TABLE_RI(ori, -1, t_ori_m1, "ori")
    TABLE_RI(ori, 2047, t_ori_2047, "ori")
    TABLE_RI(ori, -2048, t_ori_m2048, "ori")
    TABLE_RI(ori, 1365, t_ori_1365, "ori")
    TABLE_RI(ori, -1366, t_ori_m1366, "ori")
    TABLE_RI(andi, 0, t_andi_0, "andi")
    TABLE_RI(andi, 1, t_andi_1, "andi")
    TABLE_RI(andi, -1, t_andi_m1, "andi")
    TABLE_RI(andi, 2047, t_andi_2047, "andi")
    TABLE_RI(andi, -2048, t_andi_m2048, "andi")
    TABLE_RI(andi, 1365, t_andi_1365, "andi")
    TABLE_RI(andi, -1366, t_andi_m1366, "andi")
    TABLE_RI(addiw, 0, t_addiw_0, "addiw")
    TABLE_RI(addiw, 1, t_addiw_1, "addiw")
    TABLE_RI(addiw, -1, t_addiw_m1, "addiw")
    TABLE_RI(addiw, 2047, t_addiw_2047, "addiw")
    TABLE_RI(addiw, -2048, t_addiw_m2048, "addiw")
    TABLE_RI(addiw, 1365, t_addiw_1365, "addiw")
    TABLE_RI(addiw, -1366, t_addiw_m1366, "addiw")
    TABLE_RI(slli, 0, t_slli_0, "slli")
    TABLE_RI(slli, 1, t_slli_1, "slli")
    TABLE_RI(slli, 4, t_slli_4, "slli")
    TABLE_RI(slli, 31, t_slli_31, "slli")
    TABLE_RI(slli, 62, t_slli_62, "slli")
    TABLE_RI(slli, 63, t_slli_63, "slli")
    TABLE_RI(srli, 0, t_srli_0, "srli")
    TABLE_RI(srli, 1, t_srli_1, "srli")
    TABLE_RI(srli, 4, t_srli_4, "srli")
    TABLE_RI(srli, 31, t_srli_31, "srli")
    TABLE_RI(srli, 62, t_srli_62, "srli")
    TABLE_RI(srli, 63, t_srli_63, "srli")
    TABLE_RI(srai, 0, t_srai_0, "srai")
    TABLE_RI(srai, 1, t_srai_1, "srai")
    TABLE_RI(srai, 4, t_srai_4, "srai")
    TABLE_RI(srai, 31, t_srai_31, "srai")
    TABLE_RI(srai, 62, t_srai_62, "srai")
    TABLE_RI(srai, 63, t_srai_63, "srai")
    TABLE_RI(slliw, 0, t_slliw_0, "slliw")
    TABLE_RI(slliw, 1, t_slliw_1, "slliw")
    TABLE_RI(slliw, 4, t_slliw_4, "slliw")
    TABLE_RI(slliw, 15, t_slliw_15, "slliw")
    TABLE_RI(slliw, 30, t_slliw_30, "slliw")
    TABLE_RI(slliw, 31, t_slliw_31, "slliw")
    TABLE_RI(srliw, 0, t_srliw_0, "srliw")
    TABLE_RI(srliw, 1, t_srliw_1, "srliw")
    TABLE_RI(srliw, 4, t_srliw_4, "srliw")
    TABLE_RI(srliw, 15, t_srliw_15, "srliw")
    TABLE_RI(srliw, 30, t_srliw_30, "srliw")
    TABLE_RI(srliw, 31, t_srliw_31, "srliw")
    TABLE_RI(sraiw, 0, t_sraiw_0, "sraiw")
    TABLE_RI(sraiw, 1, t_sraiw_1, "sraiw")
    TABLE_RI(sraiw, 4, t_sraiw_4, "sraiw")
    TABLE_RI(sraiw, 15, t_sraiw_15, "sraiw")
    TABLE_RI(sraiw, 30, t_sraiw_30, "sraiw")
    TABLE_RI(sraiw, 31, t_sraiw_31, "sraiw")

    /* ---- register-immediate, special register operands ---- */
    li x13, 0x800000000000000d; addi x13, x13, 3; REPORT(x13, 0x8000000000000010, addi rd=rs1 0x800000000000000d 3)
    addi x14, x0, 3; REPORT(x14, 0x3, addi x0 3)
    li x11, 5; addi x0, x11, 3; REPORT(x0, 0, addi to x0)
    li x13, 0x800000000000000d; slti x13, x13, 3; REPORT(x13, 0x1, slti rd=rs1 0x800000000000000d 3)
    slti x14, x0, 3; REPORT(x14, 0x1, slti x0 3)
    li x11, 5; slti x0, x11, 3; REPORT(x0, 0, slti to x0)
    li x13, 0x800000000000000d; sltiu x13, x13, 3; REPORT(x13, 0x0, sltiu rd=rs1 0x800000000000000d 3)
    sltiu x14, x0, 3; REPORT(x14, 0x1, sltiu x0 3)
    li x11, 5; sltiu x0, x11, 3; REPORT(x0, 0, sltiu to x0)
    li x13, 0x800000000000000d; xori x13, x13, 3; REPORT(x13, 0x800000000000000e, xori rd=rs1 0x800000000000000d 3)
    xori x14, x0, 3; REPORT(x14, 0x3, xori x0 3)
    li x11, 5; xori x0, x11, 3; REPORT(x0, 0, xori to x0)
    li x13, 0x800000000000000d; ori x13, x13, 3; REPORT(x13, 0x800000000000000f, ori rd=rs1 0x800000000000000d 3)
    ori x14, x0, 3; REPORT(x14, 0x3, ori x0 3)
    li x11, 5; ori x0, x11, 3; REPORT(x0, 0, ori to x0)
    li x13, 0x800000000000000d; andi x13, x13, 3; REPORT(x13, 0x1, andi rd=rs1 0x800000000000000d 3)
    andi x14, x0, 3; REPORT(x14, 0x0, andi x0 3)
    li x11, 5; andi x0, x11, 3; REPORT(x0, 0, andi to x0)
    li x13, 0x800000000000000d; addiw x13, x13, 3; REPORT(x13, 0x10, addiw rd=rs1 0x800000000000000d 3)
    addiw x14, x0, 3; REPORT(x14, 0x3, addiw x0 3)
    li x11, 5; addiw x0, x11, 3; REPORT(x0, 0, addiw to x0)
    li x13, 0x800000000000000d; slli x13, x13, 3; REPORT(x13, 0x68, slli rd=rs1 0x800000000000000d 3)
    slli x14, x0, 3; REPORT(x14, 0x0, slli x0 3)
    li x11, 5; slli x0, x11, 3; REPORT(x0, 0, slli to x0)
    li x13, 0x800000000000000d; srli x13, x13, 3; REPORT(x13, 0x1000000000000001, srli rd=rs1 0x800000000000000d 3)
    srli x14, x0, 3; REPORT(x14, 0x0, srli x0 3)
    li x11, 5; srli x0, x11, 3; REPORT(x0, 0, srli to x0)
    li x13, 0x800000000000000d; srai x13, x13, 3; REPORT(x13, 0xf000000000000001, srai rd=rs1 0x800000000000000d 3)
    srai x14, x0, 3; REPORT(x14, 0x0, srai x0 3)
    li x11, 5; srai x0, x11, 3; REPORT(x0, 0, srai to x0)
    li x13, 0x800000000000000d; slliw x13, x13, 3; REPORT(x13, 0x68, slliw rd=rs1 0x800000000000000d 3)
    slliw x14, x0, 3; REPORT(x14, 0x0, slliw x0 3)
    li x11, 5; slliw x0, x11, 3; REPORT(x0, 0, slliw to x0)
    li x13, 0x800000000000000d; srliw x13, x13, 3; REPORT(x13, 0x1, srliw rd=rs1 0x800000000000000d 3)
    srliw x14, x0, 3; REPORT(x14, 0x0, srliw x0 3)
    li x11, 5; srliw x0, x11, 3; REPORT(x0, 0, srliw to x0)
    li x13, 0x800000000000000d; sraiw x13, x13, 3; REPORT(x13, 0x1, sraiw rd=rs1 0x800000000000000d 3)
    sraiw x14, x0, 3; REPORT(x14, 0x0, sraiw x0 3)
    li x11, 5; sraiw x0, x11, 3; REPORT(x0, 0, sraiw to x0)

    /* ---- LUI / AUIPC ---- */
    lui     s6, 0x80000
    REPORT(s6, 0xffffffff80000000, lui 0x80000)
    lui     s6, 0x7ffff
    REPORT(s6, 0x7ffff000, lui 0x7ffff)
    lui     s6, 0xfffff
    REPORT(s6, 0xfffffffffffff000, lui 0xfffff)
    lui     s6, 0
    REPORT(s6, 0, lui 0)
    lui     x0, 0x12345
    REPORT(x0, 0, lui to x0)
1:  auipc   s6, 0
    la      s7, 1b
    sub     s6, s6, s7
    REPORT(s6, 0, auipc 0)
1:  auipc   s6, 1
    la      s7, 1b
    sub     s6, s6, s7
    REPORT(s6, 0x1000, auipc 1)
1:  auipc   s6, 0x80000
    la      s7, 1b
    sub     s6, s6, s7
    REPORT(s6, 0xffffffff80000000, auipc 0x80000)
1:  auipc   s6, 0x7ffff
    la      s7, 1b
    sub     s6, s6, s7
    REPORT(s6, 0x7ffff000, auipc 0x7ffff)

    /* ---- JAL / JALR ---- */
    li      s6, 0
1:  jal     s5, 2f
    li      s6, 1              /* skipped */
2:  la      s7, 1b
    sub     s5, s5, s7
    REPORT(s5, 4, jal link value)
    REPORT(s6, 0, jal skips)
    li      s6, 0
    jal     x0, 3f
    li      s6, 1
3:  REPORT(s6, 0, jal x0)
    /* backward jal */
    li      s6, 0
    j       5f
4:  addi    s6, s6, 1
    j       6f
5:  jal     x0, 4b
6:  REPORT(s6, 1, jal backward)

    la      s4, 7f
    li      s6, 0
1:  jalr    s5, 0(s4)
    li      s6, 1
7:  la      s7, 1b
    sub     s5, s5, s7
    REPORT(s5, 4, jalr link value)
    REPORT(s6, 0, jalr skips)
    /* offset and bit 0 cleared: target = (s4 + 9) & ~1 = label 8 */
    la      s4, 8f
    addi    s4, s4, -8
    li      s6, 0
    jalr    s5, 9(s4)
    li      s6, 1
8:  REPORT(s6, 0, jalr odd target)
    /* negative offset */
    la      s4, 9f
    addi    s4, s4, 16
    li      s6, 0
    jalr    x0, -16(s4)
    li      s6, 1
9:  REPORT(s6, 0, jalr negative offset)
    /* rd == rs1: target uses the old value */
    la      s5, 10f
    li      s6, 0
1:  jalr    s5, 0(s5)
    li      s6, 1
10: la      s7, 1b
    sub     s5, s5, s7
    REPORT(s5, 4, jalr rd=rs1 link)
    REPORT(s6, 0, jalr rd=rs1 target)

    /* ---- branches ---- */
    TEST_BR(beq, 1, 0, 0)
    TEST_BR(beq, 1, -1, -1)
    TEST_BR(beq, 0, 0, 1)
    TEST_BR(beq, 0, 0x100000000, 0)
    TEST_BR(bne, 0, 0, 0)
    TEST_BR(bne, 1, 0, 1)
    TEST_BR(bne, 1, 0x100000000, 0)
    TEST_BR(blt, 1, -1, 0)
    TEST_BR(blt, 0, 0, -1)
    TEST_BR(blt, 0, 5, 5)
    TEST_BR(blt, 1, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_BR(blt, 0, 0x7fffffffffffffff, 0x8000000000000000)
    TEST_BR(bge, 1, 0, -1)
    TEST_BR(bge, 0, -1, 0)
    TEST_BR(bge, 1, 5, 5)
    TEST_BR(bge, 0, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_BR(bltu, 1, 0, -1)
    TEST_BR(bltu, 0, -1, 0)
    TEST_BR(bltu, 0, 5, 5)
    TEST_BR(bltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_BR(bltu, 1, 0x7fffffff, 0x80000000)
    TEST_BR(bgeu, 1, -1, 0)
    TEST_BR(bgeu, 0, 0, -1)
    TEST_BR(bgeu, 1, 5, 5)
    TEST_BR(bgeu, 1, 0x8000000000000000, 0x7fffffffffffffff)
    /* backward taken branch: count a loop */
    li      s6, 0
    li      s3, 10
11: addi    s6, s6, 1
    addi    s3, s3, -1
    bnez    s3, 11b
    REPORT(s6, 10, backward bne loop)
    /* branch with x0 operands */
    li      s6, 0
    beq     x0, x0, 12f
    li      s6, 1
12: REPORT(s6, 0, beq x0 x0)

    /* ---- loads ---- */
    la      s3, ldata
    lb      s6, 0(s3)
    REPORT(s6, 0xffffffffffffff88, lb 0)
    lbu     s6, 0(s3)
    REPORT(s6, 0x88, lbu 0)
    lb      s6, 7(s3)
    REPORT(s6, 0xffffffffffffff81, lb 7)
    lb      s6, 8(s3)
    REPORT(s6, 0x08, lb 8)
    lh      s6, 0(s3)
    REPORT(s6, 0xffffffffffff8788, lh 0)
    lhu     s6, 0(s3)
    REPORT(s6, 0x8788, lhu 0)
    lh      s6, 6(s3)
    REPORT(s6, 0xffffffffffff8182, lh 6)
    lh      s6, 8(s3)
    REPORT(s6, 0x0708, lh 8)
    lw      s6, 0(s3)
    REPORT(s6, 0xffffffff85868788, lw 0)
    lwu     s6, 0(s3)
    REPORT(s6, 0x85868788, lwu 0)
    lw      s6, 4(s3)
    REPORT(s6, 0xffffffff81828384, lw 4)
    lw      s6, 8(s3)
    REPORT(s6, 0x05060708, lw 8)
    lwu     s6, 12(s3)
    REPORT(s6, 0x01020304, lwu 12)
    ld      s6, 0(s3)
    REPORT(s6, 0x8182838485868788, ld 0)
    ld      s6, 8(s3)
    REPORT(s6, 0x0102030405060708, ld 8)
    addi    s4, s3, 16
    ld      s6, -16(s4)
    REPORT(s6, 0x8182838485868788, ld negative offset)
    lbu     s6, -1(s4)
    REPORT(s6, 0x01, lbu negative offset)
    addi    s4, s3, -2047
    lb      s6, 2047(s4)
    REPORT(s6, 0xffffffffffffff88, lb max offset)
    addi    s4, s3, 2047
    addi    s4, s4, 1
    lhu     s6, -2048(s4)
    REPORT(s6, 0x8788, lhu min offset)
    /* load into the base register */
    la      s6, ldata
    ld      s6, 8(s6)
    REPORT(s6, 0x0102030405060708, ld rd=rs1)
    /* load to x0 is discarded */
    lw      x0, 0(s3)
    REPORT(x0, 0, lw to x0)

    /* ---- stores ---- */
    la      s3, sdata
    sd      x0, 0(s3)
    sd      x0, 8(s3)
    li      s4, 0x1122334455667788
    sb      s4, 1(s3)
    ld      s6, 0(s3)
    REPORT(s6, 0x8800, sb)
    sh      s4, 2(s3)
    ld      s6, 0(s3)
    REPORT(s6, 0x77888800, sh)
    sw      s4, 4(s3)
    ld      s6, 0(s3)
    REPORT(s6, 0x5566778877888800, sw)
    sd      s4, 8(s3)
    ld      s6, 8(s3)
    REPORT(s6, 0x1122334455667788, sd)
    addi    s5, s3, 16
    li      s4, -1
    sh      s4, -10(s5)
    ld      s6, 0(s3)
    REPORT(s6, 0xffff778877888800, sh negative offset)
    lh      s6, 6(s3)
    REPORT(s6, 0xffffffffffffffff, lh after sh)
    sw      x0, 4(s3)
    ld      s6, 0(s3)
    REPORT(s6, 0x77888800, sw x0)

    /* ---- x0 stays zero ---- */
    addi    x0, x0, 5
    REPORT(x0, 0, addi to x0)
    li      s6, 3
    add     s6, s6, x0
    REPORT(s6, 3, add with x0)

    /* ---- fences and hints execute as no-ops ---- */
    li      s6, 42
    fence
    fence   rw, rw
    fence   r, w
    fence   iorw, iorw
    fence.tso
    .word   0x0100000f          /* pause (fence w,0) */
    addi    x0, s6, 1          /* HINT */
    add     x0, s6, s6        /* HINT */
    slli    x0, s6, 3          /* HINT */
    lui     x0, 5               /* HINT */
    REPORT(s6, 42, fences and hints)

ASM_MAIN_END

    .section .rodata
    .balign 8
ldata:
    .dword 0x8182838485868788
    .dword 0x0102030405060708
t_add:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x2
    .dword 0x3, 0x7, 0xa
    .dword 0x7fffffffffffffff, 0x1, 0x8000000000000000
    .dword 0xffffffffffffffff, 0x1, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x7fffffffffffffff
    .dword 0xffffffff80000000, 0xffffffff80000000, 0xffffffff00000000
    .dword 0xffffffff, 0x1, 0x100000000
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0xe100e0f100e100e
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x1111111111111100
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .dword 0x0, 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0x80000000, 0x7fffffff, 0xffffffff
    .dword 0x7fffffff, 0x80000000, 0xffffffff
t_add_end:
t_sub:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x0
    .dword 0x3, 0x7, 0xfffffffffffffffc
    .dword 0x7fffffffffffffff, 0x1, 0x7ffffffffffffffe
    .dword 0xffffffffffffffff, 0x1, 0xfffffffffffffffe
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000001
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0
    .dword 0xffffffff, 0x1, 0xfffffffe
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0xeff1eff0f1eff1f0
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x13579be02468ace0
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .dword 0x0, 0xffffffffffffffff, 0x1
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0x80000000, 0x7fffffff, 0x1
    .dword 0x7fffffff, 0x80000000, 0xffffffffffffffff
t_sub_end:
t_slt:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x0
    .dword 0x3, 0x7, 0x1
    .dword 0x7fffffffffffffff, 0x1, 0x0
    .dword 0xffffffffffffffff, 0x1, 0x1
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x1
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0
    .dword 0xffffffff, 0x1, 0x0
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0x1
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x0
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0x0
    .dword 0x0, 0xffffffffffffffff, 0x0
    .dword 0xffffffffffffffff, 0x0, 0x1
    .dword 0x80000000, 0x7fffffff, 0x0
    .dword 0x7fffffff, 0x80000000, 0x1
t_slt_end:
t_sltu:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x0
    .dword 0x3, 0x7, 0x1
    .dword 0x7fffffffffffffff, 0x1, 0x0
    .dword 0xffffffffffffffff, 0x1, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x1
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0
    .dword 0xffffffff, 0x1, 0x0
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0x0
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x1
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0x1
    .dword 0x0, 0xffffffffffffffff, 0x1
    .dword 0xffffffffffffffff, 0x0, 0x0
    .dword 0x80000000, 0x7fffffff, 0x0
    .dword 0x7fffffff, 0x80000000, 0x1
t_sltu_end:
t_xor:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x0
    .dword 0x3, 0x7, 0x4
    .dword 0x7fffffffffffffff, 0x1, 0x7ffffffffffffffe
    .dword 0xffffffffffffffff, 0x1, 0xfffffffffffffffe
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x7fffffffffffffff
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0
    .dword 0xffffffff, 0x1, 0xfffffffe
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0xf00ff00f0ff00ff0
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0xece8ece0ece8ece0
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .dword 0x0, 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0x80000000, 0x7fffffff, 0xffffffff
    .dword 0x7fffffff, 0x80000000, 0xffffffff
t_xor_end:
t_or:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x1
    .dword 0x3, 0x7, 0x7
    .dword 0x7fffffffffffffff, 0x1, 0x7fffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0xffffffffffffffff
    .dword 0x8000000000000000, 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0xffffffff80000000, 0xffffffff80000000, 0xffffffff80000000
    .dword 0xffffffff, 0x1, 0xffffffff
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0xff0fff0f0fff0fff
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0xfefcfef8fefcfef0
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .dword 0x0, 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0x80000000, 0x7fffffff, 0xffffffff
    .dword 0x7fffffff, 0x80000000, 0xffffffff
t_or_end:
t_and:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x1
    .dword 0x3, 0x7, 0x3
    .dword 0x7fffffffffffffff, 0x1, 0x1
    .dword 0xffffffffffffffff, 0x1, 0x1
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
    .dword 0xffffffff80000000, 0xffffffff80000000, 0xffffffff80000000
    .dword 0xffffffff, 0x1, 0x1
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0xf000f00000f000f
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x1214121812141210
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0x0
    .dword 0x0, 0xffffffffffffffff, 0x0
    .dword 0xffffffffffffffff, 0x0, 0x0
    .dword 0x80000000, 0x7fffffff, 0x0
    .dword 0x7fffffff, 0x80000000, 0x0
t_and_end:
t_addw:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x2
    .dword 0x3, 0x7, 0xa
    .dword 0x7fffffffffffffff, 0x1, 0x0
    .dword 0xffffffffffffffff, 0x1, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0
    .dword 0xffffffff, 0x1, 0x0
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0x100e100e
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x11111100
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .dword 0x0, 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0x80000000, 0x7fffffff, 0xffffffffffffffff
    .dword 0x7fffffff, 0x80000000, 0xffffffffffffffff
t_addw_end:
t_subw:
    .dword 0x0, 0x0, 0x0
    .dword 0x1, 0x1, 0x0
    .dword 0x3, 0x7, 0xfffffffffffffffc
    .dword 0x7fffffffffffffff, 0x1, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0x1, 0xfffffffffffffffe
    .dword 0x8000000000000000, 0xffffffffffffffff, 0x1
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0
    .dword 0xffffffff, 0x1, 0xfffffffffffffffe
    .dword 0xff00ff0000ff00ff, 0xf0f0f0f0f0f0f0f, 0xfffffffff1eff1f0
    .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x2468ace0
    .dword 0x8000000000000000, 0x7fffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .dword 0x0, 0xffffffffffffffff, 0x1
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0x80000000, 0x7fffffff, 0x1
    .dword 0x7fffffff, 0x80000000, 0xffffffffffffffff
t_subw_end:
t_sll:
    .dword 0x1, 0x0, 0x1
    .dword 0x1, 0x1, 0x2
    .dword 0x1, 0x4, 0x10
    .dword 0x1, 0x1f, 0x80000000
    .dword 0x1, 0x20, 0x100000000
    .dword 0x1, 0x21, 0x200000000
    .dword 0x1, 0x3f, 0x8000000000000000
    .dword 0x1, 0x40, 0x1
    .dword 0x1, 0x41, 0x2
    .dword 0x1, 0xffffffffffffffc1, 0x2
    .dword 0x8000000000000000, 0x0, 0x8000000000000000
    .dword 0x8000000000000000, 0x1, 0x0
    .dword 0x8000000000000000, 0x4, 0x0
    .dword 0x8000000000000000, 0x1f, 0x0
    .dword 0x8000000000000000, 0x20, 0x0
    .dword 0x8000000000000000, 0x21, 0x0
    .dword 0x8000000000000000, 0x3f, 0x0
    .dword 0x8000000000000000, 0x40, 0x8000000000000000
    .dword 0x8000000000000000, 0x41, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffc1, 0x0
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0x4, 0xfffffffffffffff0
    .dword 0xffffffffffffffff, 0x1f, 0xffffffff80000000
    .dword 0xffffffffffffffff, 0x20, 0xffffffff00000000
    .dword 0xffffffffffffffff, 0x21, 0xfffffffe00000000
    .dword 0xffffffffffffffff, 0x3f, 0x8000000000000000
    .dword 0xffffffffffffffff, 0x40, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x41, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0xffffffffffffffc1, 0xfffffffffffffffe
    .dword 0x21212121a1a1a1a1, 0x0, 0x21212121a1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x1, 0x4242424343434342
    .dword 0x21212121a1a1a1a1, 0x4, 0x1212121a1a1a1a10
    .dword 0x21212121a1a1a1a1, 0x1f, 0xd0d0d0d080000000
    .dword 0x21212121a1a1a1a1, 0x20, 0xa1a1a1a100000000
    .dword 0x21212121a1a1a1a1, 0x21, 0x4343434200000000
    .dword 0x21212121a1a1a1a1, 0x3f, 0x8000000000000000
    .dword 0x21212121a1a1a1a1, 0x40, 0x21212121a1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x41, 0x4242424343434342
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffc1, 0x4242424343434342
    .dword 0x80000000, 0x0, 0x80000000
    .dword 0x80000000, 0x1, 0x100000000
    .dword 0x80000000, 0x4, 0x800000000
    .dword 0x80000000, 0x1f, 0x4000000000000000
    .dword 0x80000000, 0x20, 0x8000000000000000
    .dword 0x80000000, 0x21, 0x0
    .dword 0x80000000, 0x3f, 0x0
    .dword 0x80000000, 0x40, 0x80000000
    .dword 0x80000000, 0x41, 0x100000000
    .dword 0x80000000, 0xffffffffffffffc1, 0x100000000
    .dword 0x7fffffff, 0x0, 0x7fffffff
    .dword 0x7fffffff, 0x1, 0xfffffffe
    .dword 0x7fffffff, 0x4, 0x7fffffff0
    .dword 0x7fffffff, 0x1f, 0x3fffffff80000000
    .dword 0x7fffffff, 0x20, 0x7fffffff00000000
    .dword 0x7fffffff, 0x21, 0xfffffffe00000000
    .dword 0x7fffffff, 0x3f, 0x8000000000000000
    .dword 0x7fffffff, 0x40, 0x7fffffff
    .dword 0x7fffffff, 0x41, 0xfffffffe
    .dword 0x7fffffff, 0xffffffffffffffc1, 0xfffffffe
t_sll_end:
t_srl:
    .dword 0x1, 0x0, 0x1
    .dword 0x1, 0x1, 0x0
    .dword 0x1, 0x4, 0x0
    .dword 0x1, 0x1f, 0x0
    .dword 0x1, 0x20, 0x0
    .dword 0x1, 0x21, 0x0
    .dword 0x1, 0x3f, 0x0
    .dword 0x1, 0x40, 0x1
    .dword 0x1, 0x41, 0x0
    .dword 0x1, 0xffffffffffffffc1, 0x0
    .dword 0x8000000000000000, 0x0, 0x8000000000000000
    .dword 0x8000000000000000, 0x1, 0x4000000000000000
    .dword 0x8000000000000000, 0x4, 0x800000000000000
    .dword 0x8000000000000000, 0x1f, 0x100000000
    .dword 0x8000000000000000, 0x20, 0x80000000
    .dword 0x8000000000000000, 0x21, 0x40000000
    .dword 0x8000000000000000, 0x3f, 0x1
    .dword 0x8000000000000000, 0x40, 0x8000000000000000
    .dword 0x8000000000000000, 0x41, 0x4000000000000000
    .dword 0x8000000000000000, 0xffffffffffffffc1, 0x4000000000000000
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0x7fffffffffffffff
    .dword 0xffffffffffffffff, 0x4, 0xfffffffffffffff
    .dword 0xffffffffffffffff, 0x1f, 0x1ffffffff
    .dword 0xffffffffffffffff, 0x20, 0xffffffff
    .dword 0xffffffffffffffff, 0x21, 0x7fffffff
    .dword 0xffffffffffffffff, 0x3f, 0x1
    .dword 0xffffffffffffffff, 0x40, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x41, 0x7fffffffffffffff
    .dword 0xffffffffffffffff, 0xffffffffffffffc1, 0x7fffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x0, 0x21212121a1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x1, 0x10909090d0d0d0d0
    .dword 0x21212121a1a1a1a1, 0x4, 0x21212121a1a1a1a
    .dword 0x21212121a1a1a1a1, 0x1f, 0x42424243
    .dword 0x21212121a1a1a1a1, 0x20, 0x21212121
    .dword 0x21212121a1a1a1a1, 0x21, 0x10909090
    .dword 0x21212121a1a1a1a1, 0x3f, 0x0
    .dword 0x21212121a1a1a1a1, 0x40, 0x21212121a1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x41, 0x10909090d0d0d0d0
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffc1, 0x10909090d0d0d0d0
    .dword 0x80000000, 0x0, 0x80000000
    .dword 0x80000000, 0x1, 0x40000000
    .dword 0x80000000, 0x4, 0x8000000
    .dword 0x80000000, 0x1f, 0x1
    .dword 0x80000000, 0x20, 0x0
    .dword 0x80000000, 0x21, 0x0
    .dword 0x80000000, 0x3f, 0x0
    .dword 0x80000000, 0x40, 0x80000000
    .dword 0x80000000, 0x41, 0x40000000
    .dword 0x80000000, 0xffffffffffffffc1, 0x40000000
    .dword 0x7fffffff, 0x0, 0x7fffffff
    .dword 0x7fffffff, 0x1, 0x3fffffff
    .dword 0x7fffffff, 0x4, 0x7ffffff
    .dword 0x7fffffff, 0x1f, 0x0
    .dword 0x7fffffff, 0x20, 0x0
    .dword 0x7fffffff, 0x21, 0x0
    .dword 0x7fffffff, 0x3f, 0x0
    .dword 0x7fffffff, 0x40, 0x7fffffff
    .dword 0x7fffffff, 0x41, 0x3fffffff
    .dword 0x7fffffff, 0xffffffffffffffc1, 0x3fffffff
t_srl_end:
t_sra:
    .dword 0x1, 0x0, 0x1
    .dword 0x1, 0x1, 0x0
    .dword 0x1, 0x4, 0x0
    .dword 0x1, 0x1f, 0x0
    .dword 0x1, 0x20, 0x0
    .dword 0x1, 0x21, 0x0
    .dword 0x1, 0x3f, 0x0
    .dword 0x1, 0x40, 0x1
    .dword 0x1, 0x41, 0x0
    .dword 0x1, 0xffffffffffffffc1, 0x0
    .dword 0x8000000000000000, 0x0, 0x8000000000000000
    .dword 0x8000000000000000, 0x1, 0xc000000000000000
    .dword 0x8000000000000000, 0x4, 0xf800000000000000
    .dword 0x8000000000000000, 0x1f, 0xffffffff00000000
    .dword 0x8000000000000000, 0x20, 0xffffffff80000000
    .dword 0x8000000000000000, 0x21, 0xffffffffc0000000
    .dword 0x8000000000000000, 0x3f, 0xffffffffffffffff
    .dword 0x8000000000000000, 0x40, 0x8000000000000000
    .dword 0x8000000000000000, 0x41, 0xc000000000000000
    .dword 0x8000000000000000, 0xffffffffffffffc1, 0xc000000000000000
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x4, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1f, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x20, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x21, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x3f, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x40, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x41, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0xffffffffffffffc1, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x0, 0x21212121a1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x1, 0x10909090d0d0d0d0
    .dword 0x21212121a1a1a1a1, 0x4, 0x21212121a1a1a1a
    .dword 0x21212121a1a1a1a1, 0x1f, 0x42424243
    .dword 0x21212121a1a1a1a1, 0x20, 0x21212121
    .dword 0x21212121a1a1a1a1, 0x21, 0x10909090
    .dword 0x21212121a1a1a1a1, 0x3f, 0x0
    .dword 0x21212121a1a1a1a1, 0x40, 0x21212121a1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x41, 0x10909090d0d0d0d0
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffc1, 0x10909090d0d0d0d0
    .dword 0x80000000, 0x0, 0x80000000
    .dword 0x80000000, 0x1, 0x40000000
    .dword 0x80000000, 0x4, 0x8000000
    .dword 0x80000000, 0x1f, 0x1
    .dword 0x80000000, 0x20, 0x0
    .dword 0x80000000, 0x21, 0x0
    .dword 0x80000000, 0x3f, 0x0
    .dword 0x80000000, 0x40, 0x80000000
    .dword 0x80000000, 0x41, 0x40000000
    .dword 0x80000000, 0xffffffffffffffc1, 0x40000000
    .dword 0x7fffffff, 0x0, 0x7fffffff
    .dword 0x7fffffff, 0x1, 0x3fffffff
    .dword 0x7fffffff, 0x4, 0x7ffffff
    .dword 0x7fffffff, 0x1f, 0x0
    .dword 0x7fffffff, 0x20, 0x0
    .dword 0x7fffffff, 0x21, 0x0
    .dword 0x7fffffff, 0x3f, 0x0
    .dword 0x7fffffff, 0x40, 0x7fffffff
    .dword 0x7fffffff, 0x41, 0x3fffffff
    .dword 0x7fffffff, 0xffffffffffffffc1, 0x3fffffff
t_sra_end:
t_sllw:
    .dword 0x1, 0x0, 0x1
    .dword 0x1, 0x1, 0x2
    .dword 0x1, 0x4, 0x10
    .dword 0x1, 0x1f, 0xffffffff80000000
    .dword 0x1, 0x20, 0x1
    .dword 0x1, 0x21, 0x2
    .dword 0x1, 0x3f, 0xffffffff80000000
    .dword 0x1, 0x40, 0x1
    .dword 0x1, 0x41, 0x2
    .dword 0x1, 0xffffffffffffffc1, 0x2
    .dword 0x8000000000000000, 0x0, 0x0
    .dword 0x8000000000000000, 0x1, 0x0
    .dword 0x8000000000000000, 0x4, 0x0
    .dword 0x8000000000000000, 0x1f, 0x0
    .dword 0x8000000000000000, 0x20, 0x0
    .dword 0x8000000000000000, 0x21, 0x0
    .dword 0x8000000000000000, 0x3f, 0x0
    .dword 0x8000000000000000, 0x40, 0x0
    .dword 0x8000000000000000, 0x41, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffc1, 0x0
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0x4, 0xfffffffffffffff0
    .dword 0xffffffffffffffff, 0x1f, 0xffffffff80000000
    .dword 0xffffffffffffffff, 0x20, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x21, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0x3f, 0xffffffff80000000
    .dword 0xffffffffffffffff, 0x40, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x41, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0xffffffffffffffc1, 0xfffffffffffffffe
    .dword 0x21212121a1a1a1a1, 0x0, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x1, 0x43434342
    .dword 0x21212121a1a1a1a1, 0x4, 0x1a1a1a10
    .dword 0x21212121a1a1a1a1, 0x1f, 0xffffffff80000000
    .dword 0x21212121a1a1a1a1, 0x20, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x21, 0x43434342
    .dword 0x21212121a1a1a1a1, 0x3f, 0xffffffff80000000
    .dword 0x21212121a1a1a1a1, 0x40, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x41, 0x43434342
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffc1, 0x43434342
    .dword 0x80000000, 0x0, 0xffffffff80000000
    .dword 0x80000000, 0x1, 0x0
    .dword 0x80000000, 0x4, 0x0
    .dword 0x80000000, 0x1f, 0x0
    .dword 0x80000000, 0x20, 0xffffffff80000000
    .dword 0x80000000, 0x21, 0x0
    .dword 0x80000000, 0x3f, 0x0
    .dword 0x80000000, 0x40, 0xffffffff80000000
    .dword 0x80000000, 0x41, 0x0
    .dword 0x80000000, 0xffffffffffffffc1, 0x0
    .dword 0x7fffffff, 0x0, 0x7fffffff
    .dword 0x7fffffff, 0x1, 0xfffffffffffffffe
    .dword 0x7fffffff, 0x4, 0xfffffffffffffff0
    .dword 0x7fffffff, 0x1f, 0xffffffff80000000
    .dword 0x7fffffff, 0x20, 0x7fffffff
    .dword 0x7fffffff, 0x21, 0xfffffffffffffffe
    .dword 0x7fffffff, 0x3f, 0xffffffff80000000
    .dword 0x7fffffff, 0x40, 0x7fffffff
    .dword 0x7fffffff, 0x41, 0xfffffffffffffffe
    .dword 0x7fffffff, 0xffffffffffffffc1, 0xfffffffffffffffe
t_sllw_end:
t_srlw:
    .dword 0x1, 0x0, 0x1
    .dword 0x1, 0x1, 0x0
    .dword 0x1, 0x4, 0x0
    .dword 0x1, 0x1f, 0x0
    .dword 0x1, 0x20, 0x1
    .dword 0x1, 0x21, 0x0
    .dword 0x1, 0x3f, 0x0
    .dword 0x1, 0x40, 0x1
    .dword 0x1, 0x41, 0x0
    .dword 0x1, 0xffffffffffffffc1, 0x0
    .dword 0x8000000000000000, 0x0, 0x0
    .dword 0x8000000000000000, 0x1, 0x0
    .dword 0x8000000000000000, 0x4, 0x0
    .dword 0x8000000000000000, 0x1f, 0x0
    .dword 0x8000000000000000, 0x20, 0x0
    .dword 0x8000000000000000, 0x21, 0x0
    .dword 0x8000000000000000, 0x3f, 0x0
    .dword 0x8000000000000000, 0x40, 0x0
    .dword 0x8000000000000000, 0x41, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffc1, 0x0
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0x7fffffff
    .dword 0xffffffffffffffff, 0x4, 0xfffffff
    .dword 0xffffffffffffffff, 0x1f, 0x1
    .dword 0xffffffffffffffff, 0x20, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x21, 0x7fffffff
    .dword 0xffffffffffffffff, 0x3f, 0x1
    .dword 0xffffffffffffffff, 0x40, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x41, 0x7fffffff
    .dword 0xffffffffffffffff, 0xffffffffffffffc1, 0x7fffffff
    .dword 0x21212121a1a1a1a1, 0x0, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x1, 0x50d0d0d0
    .dword 0x21212121a1a1a1a1, 0x4, 0xa1a1a1a
    .dword 0x21212121a1a1a1a1, 0x1f, 0x1
    .dword 0x21212121a1a1a1a1, 0x20, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x21, 0x50d0d0d0
    .dword 0x21212121a1a1a1a1, 0x3f, 0x1
    .dword 0x21212121a1a1a1a1, 0x40, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x41, 0x50d0d0d0
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffc1, 0x50d0d0d0
    .dword 0x80000000, 0x0, 0xffffffff80000000
    .dword 0x80000000, 0x1, 0x40000000
    .dword 0x80000000, 0x4, 0x8000000
    .dword 0x80000000, 0x1f, 0x1
    .dword 0x80000000, 0x20, 0xffffffff80000000
    .dword 0x80000000, 0x21, 0x40000000
    .dword 0x80000000, 0x3f, 0x1
    .dword 0x80000000, 0x40, 0xffffffff80000000
    .dword 0x80000000, 0x41, 0x40000000
    .dword 0x80000000, 0xffffffffffffffc1, 0x40000000
    .dword 0x7fffffff, 0x0, 0x7fffffff
    .dword 0x7fffffff, 0x1, 0x3fffffff
    .dword 0x7fffffff, 0x4, 0x7ffffff
    .dword 0x7fffffff, 0x1f, 0x0
    .dword 0x7fffffff, 0x20, 0x7fffffff
    .dword 0x7fffffff, 0x21, 0x3fffffff
    .dword 0x7fffffff, 0x3f, 0x0
    .dword 0x7fffffff, 0x40, 0x7fffffff
    .dword 0x7fffffff, 0x41, 0x3fffffff
    .dword 0x7fffffff, 0xffffffffffffffc1, 0x3fffffff
t_srlw_end:
t_sraw:
    .dword 0x1, 0x0, 0x1
    .dword 0x1, 0x1, 0x0
    .dword 0x1, 0x4, 0x0
    .dword 0x1, 0x1f, 0x0
    .dword 0x1, 0x20, 0x1
    .dword 0x1, 0x21, 0x0
    .dword 0x1, 0x3f, 0x0
    .dword 0x1, 0x40, 0x1
    .dword 0x1, 0x41, 0x0
    .dword 0x1, 0xffffffffffffffc1, 0x0
    .dword 0x8000000000000000, 0x0, 0x0
    .dword 0x8000000000000000, 0x1, 0x0
    .dword 0x8000000000000000, 0x4, 0x0
    .dword 0x8000000000000000, 0x1f, 0x0
    .dword 0x8000000000000000, 0x20, 0x0
    .dword 0x8000000000000000, 0x21, 0x0
    .dword 0x8000000000000000, 0x3f, 0x0
    .dword 0x8000000000000000, 0x40, 0x0
    .dword 0x8000000000000000, 0x41, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffc1, 0x0
    .dword 0xffffffffffffffff, 0x0, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x4, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x1f, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x20, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x21, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x3f, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x40, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0x41, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0xffffffffffffffc1, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x0, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x1, 0xffffffffd0d0d0d0
    .dword 0x21212121a1a1a1a1, 0x4, 0xfffffffffa1a1a1a
    .dword 0x21212121a1a1a1a1, 0x1f, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x20, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x21, 0xffffffffd0d0d0d0
    .dword 0x21212121a1a1a1a1, 0x3f, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x40, 0xffffffffa1a1a1a1
    .dword 0x21212121a1a1a1a1, 0x41, 0xffffffffd0d0d0d0
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffc1, 0xffffffffd0d0d0d0
    .dword 0x80000000, 0x0, 0xffffffff80000000
    .dword 0x80000000, 0x1, 0xffffffffc0000000
    .dword 0x80000000, 0x4, 0xfffffffff8000000
    .dword 0x80000000, 0x1f, 0xffffffffffffffff
    .dword 0x80000000, 0x20, 0xffffffff80000000
    .dword 0x80000000, 0x21, 0xffffffffc0000000
    .dword 0x80000000, 0x3f, 0xffffffffffffffff
    .dword 0x80000000, 0x40, 0xffffffff80000000
    .dword 0x80000000, 0x41, 0xffffffffc0000000
    .dword 0x80000000, 0xffffffffffffffc1, 0xffffffffc0000000
    .dword 0x7fffffff, 0x0, 0x7fffffff
    .dword 0x7fffffff, 0x1, 0x3fffffff
    .dword 0x7fffffff, 0x4, 0x7ffffff
    .dword 0x7fffffff, 0x1f, 0x0
    .dword 0x7fffffff, 0x20, 0x7fffffff
    .dword 0x7fffffff, 0x21, 0x3fffffff
    .dword 0x7fffffff, 0x3f, 0x0
    .dword 0x7fffffff, 0x40, 0x7fffffff
    .dword 0x7fffffff, 0x41, 0x3fffffff
    .dword 0x7fffffff, 0xffffffffffffffc1, 0x3fffffff
t_sraw_end:
t_addi_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00ff
t_addi_0_end:
t_addi_1:
    .dword 0x0, 0x1
    .dword 0x1, 0x2
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x8000000000000000
    .dword 0x8000000000000000, 0x8000000000000001
    .dword 0x7fffffff, 0x80000000
    .dword 0xffffffff, 0x100000000
    .dword 0x800, 0x801
    .dword 0xfffffffffffff7ff, 0xfffffffffffff800
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff0100
t_addi_1_end:
t_addi_m1:
    .dword 0x0, 0xffffffffffffffff
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffffe
    .dword 0x7fffffffffffffff, 0x7ffffffffffffffe
    .dword 0x8000000000000000, 0x7fffffffffffffff
    .dword 0x7fffffff, 0x7ffffffe
    .dword 0xffffffff, 0xfffffffe
    .dword 0x800, 0x7ff
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7fe
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00fe
t_addi_m1_end:
t_addi_2047:
    .dword 0x0, 0x7ff
    .dword 0x1, 0x800
    .dword 0xffffffffffffffff, 0x7fe
    .dword 0x7fffffffffffffff, 0x80000000000007fe
    .dword 0x8000000000000000, 0x80000000000007ff
    .dword 0x7fffffff, 0x800007fe
    .dword 0xffffffff, 0x1000007fe
    .dword 0x800, 0xfff
    .dword 0xfffffffffffff7ff, 0xfffffffffffffffe
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff08fe
t_addi_2047_end:
t_addi_m2048:
    .dword 0x0, 0xfffffffffffff800
    .dword 0x1, 0xfffffffffffff801
    .dword 0xffffffffffffffff, 0xfffffffffffff7ff
    .dword 0x7fffffffffffffff, 0x7ffffffffffff7ff
    .dword 0x8000000000000000, 0x7ffffffffffff800
    .dword 0x7fffffff, 0x7ffff7ff
    .dword 0xffffffff, 0xfffff7ff
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0xffffffffffffefff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000fef8ff
t_addi_m2048_end:
t_addi_1365:
    .dword 0x0, 0x555
    .dword 0x1, 0x556
    .dword 0xffffffffffffffff, 0x554
    .dword 0x7fffffffffffffff, 0x8000000000000554
    .dword 0x8000000000000000, 0x8000000000000555
    .dword 0x7fffffff, 0x80000554
    .dword 0xffffffff, 0x100000554
    .dword 0x800, 0xd55
    .dword 0xfffffffffffff7ff, 0xfffffffffffffd54
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff0654
t_addi_1365_end:
t_addi_m1366:
    .dword 0x0, 0xfffffffffffffaaa
    .dword 0x1, 0xfffffffffffffaab
    .dword 0xffffffffffffffff, 0xfffffffffffffaa9
    .dword 0x7fffffffffffffff, 0x7ffffffffffffaa9
    .dword 0x8000000000000000, 0x7ffffffffffffaaa
    .dword 0x7fffffff, 0x7ffffaa9
    .dword 0xffffffff, 0xfffffaa9
    .dword 0x800, 0x2aa
    .dword 0xfffffffffffff7ff, 0xfffffffffffff2a9
    .dword 0xff00ff0000ff00ff, 0xff00ff0000fefba9
t_addi_m1366_end:
t_slti_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_0_end:
t_slti_1:
    .dword 0x0, 0x1
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_1_end:
t_slti_m1:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_m1_end:
t_slti_2047:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_2047_end:
t_slti_m2048:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_m2048_end:
t_slti_1365:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_1365_end:
t_slti_m1366:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_slti_m1366_end:
t_sltiu_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x0
    .dword 0xff00ff0000ff00ff, 0x0
t_sltiu_0_end:
t_sltiu_1:
    .dword 0x0, 0x1
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x0
    .dword 0xff00ff0000ff00ff, 0x0
t_sltiu_1_end:
t_sltiu_m1:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x1
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x1
    .dword 0xffffffff, 0x1
    .dword 0x800, 0x1
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_sltiu_m1_end:
t_sltiu_2047:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x0
    .dword 0xff00ff0000ff00ff, 0x0
t_sltiu_2047_end:
t_sltiu_m2048:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x1
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x1
    .dword 0xffffffff, 0x1
    .dword 0x800, 0x1
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_sltiu_m2048_end:
t_sltiu_1365:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x0
    .dword 0xff00ff0000ff00ff, 0x0
t_sltiu_1365_end:
t_sltiu_m1366:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x1
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0x1
    .dword 0xffffffff, 0x1
    .dword 0x800, 0x1
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_sltiu_m1366_end:
t_xori_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00ff
t_xori_0_end:
t_xori_1:
    .dword 0x0, 0x1
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffffe
    .dword 0x7fffffffffffffff, 0x7ffffffffffffffe
    .dword 0x8000000000000000, 0x8000000000000001
    .dword 0x7fffffff, 0x7ffffffe
    .dword 0xffffffff, 0xfffffffe
    .dword 0x800, 0x801
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7fe
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00fe
t_xori_1_end:
t_xori_m1:
    .dword 0x0, 0xffffffffffffffff
    .dword 0x1, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x8000000000000000
    .dword 0x8000000000000000, 0x7fffffffffffffff
    .dword 0x7fffffff, 0xffffffff80000000
    .dword 0xffffffff, 0xffffffff00000000
    .dword 0x800, 0xfffffffffffff7ff
    .dword 0xfffffffffffff7ff, 0x800
    .dword 0xff00ff0000ff00ff, 0xff00ffff00ff00
t_xori_m1_end:
t_xori_2047:
    .dword 0x0, 0x7ff
    .dword 0x1, 0x7fe
    .dword 0xffffffffffffffff, 0xfffffffffffff800
    .dword 0x7fffffffffffffff, 0x7ffffffffffff800
    .dword 0x8000000000000000, 0x80000000000007ff
    .dword 0x7fffffff, 0x7ffff800
    .dword 0xffffffff, 0xfffff800
    .dword 0x800, 0xfff
    .dword 0xfffffffffffff7ff, 0xfffffffffffff000
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff0700
t_xori_2047_end:
t_xori_m2048:
    .dword 0x0, 0xfffffffffffff800
    .dword 0x1, 0xfffffffffffff801
    .dword 0xffffffffffffffff, 0x7ff
    .dword 0x7fffffffffffffff, 0x80000000000007ff
    .dword 0x8000000000000000, 0x7ffffffffffff800
    .dword 0x7fffffff, 0xffffffff800007ff
    .dword 0xffffffff, 0xffffffff000007ff
    .dword 0x800, 0xfffffffffffff000
    .dword 0xfffffffffffff7ff, 0xfff
    .dword 0xff00ff0000ff00ff, 0xff00ffff00f8ff
t_xori_m2048_end:
t_xori_1365:
    .dword 0x0, 0x555
    .dword 0x1, 0x554
    .dword 0xffffffffffffffff, 0xfffffffffffffaaa
    .dword 0x7fffffffffffffff, 0x7ffffffffffffaaa
    .dword 0x8000000000000000, 0x8000000000000555
    .dword 0x7fffffff, 0x7ffffaaa
    .dword 0xffffffff, 0xfffffaaa
    .dword 0x800, 0xd55
    .dword 0xfffffffffffff7ff, 0xfffffffffffff2aa
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff05aa
t_xori_1365_end:
t_xori_m1366:
    .dword 0x0, 0xfffffffffffffaaa
    .dword 0x1, 0xfffffffffffffaab
    .dword 0xffffffffffffffff, 0x555
    .dword 0x7fffffffffffffff, 0x8000000000000555
    .dword 0x8000000000000000, 0x7ffffffffffffaaa
    .dword 0x7fffffff, 0xffffffff80000555
    .dword 0xffffffff, 0xffffffff00000555
    .dword 0x800, 0xfffffffffffff2aa
    .dword 0xfffffffffffff7ff, 0xd55
    .dword 0xff00ff0000ff00ff, 0xff00ffff00fa55
t_xori_m1366_end:
t_ori_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00ff
t_ori_0_end:
t_ori_1:
    .dword 0x0, 0x1
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x8000000000000001
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0x801
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00ff
t_ori_1_end:
t_ori_m1:
    .dword 0x0, 0xffffffffffffffff
    .dword 0x1, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x8000000000000000, 0xffffffffffffffff
    .dword 0x7fffffff, 0xffffffffffffffff
    .dword 0xffffffff, 0xffffffffffffffff
    .dword 0x800, 0xffffffffffffffff
    .dword 0xfffffffffffff7ff, 0xffffffffffffffff
    .dword 0xff00ff0000ff00ff, 0xffffffffffffffff
t_ori_m1_end:
t_ori_2047:
    .dword 0x0, 0x7ff
    .dword 0x1, 0x7ff
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x80000000000007ff
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0xfff
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff07ff
t_ori_2047_end:
t_ori_m2048:
    .dword 0x0, 0xfffffffffffff800
    .dword 0x1, 0xfffffffffffff801
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x8000000000000000, 0xfffffffffffff800
    .dword 0x7fffffff, 0xffffffffffffffff
    .dword 0xffffffff, 0xffffffffffffffff
    .dword 0x800, 0xfffffffffffff800
    .dword 0xfffffffffffff7ff, 0xffffffffffffffff
    .dword 0xff00ff0000ff00ff, 0xfffffffffffff8ff
t_ori_m2048_end:
t_ori_1365:
    .dword 0x0, 0x555
    .dword 0x1, 0x555
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x8000000000000555
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0xd55
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff05ff
t_ori_1365_end:
t_ori_m1366:
    .dword 0x0, 0xfffffffffffffaaa
    .dword 0x1, 0xfffffffffffffaab
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x8000000000000000, 0xfffffffffffffaaa
    .dword 0x7fffffff, 0xffffffffffffffff
    .dword 0xffffffff, 0xffffffffffffffff
    .dword 0x800, 0xfffffffffffffaaa
    .dword 0xfffffffffffff7ff, 0xffffffffffffffff
    .dword 0xff00ff0000ff00ff, 0xfffffffffffffaff
t_ori_m1366_end:
t_andi_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x0
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x0
    .dword 0xff00ff0000ff00ff, 0x0
t_andi_0_end:
t_andi_1:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x1
    .dword 0x7fffffffffffffff, 0x1
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x1
    .dword 0xffffffff, 0x1
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x1
    .dword 0xff00ff0000ff00ff, 0x1
t_andi_1_end:
t_andi_m1:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffff
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00ff
t_andi_m1_end:
t_andi_2047:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x7ff
    .dword 0x7fffffffffffffff, 0x7ff
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x7ff
    .dword 0xffffffff, 0x7ff
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x7ff
    .dword 0xff00ff0000ff00ff, 0xff
t_andi_2047_end:
t_andi_m2048:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffff800
    .dword 0x7fffffffffffffff, 0x7ffffffffffff800
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x7fffffff, 0x7ffff800
    .dword 0xffffffff, 0xfffff800
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff000
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff0000
t_andi_m2048_end:
t_andi_1365:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0x555
    .dword 0x7fffffffffffffff, 0x555
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x555
    .dword 0xffffffff, 0x555
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0x555
    .dword 0xff00ff0000ff00ff, 0x55
t_andi_1365_end:
t_andi_m1366:
    .dword 0x0, 0x0
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffaaa
    .dword 0x7fffffffffffffff, 0x7ffffffffffffaaa
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x7fffffff, 0x7ffffaaa
    .dword 0xffffffff, 0xfffffaaa
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff2aa
    .dword 0xff00ff0000ff00ff, 0xff00ff0000ff00aa
t_andi_m1366_end:
t_addiw_0:
    .dword 0x0, 0x0
    .dword 0x1, 0x1
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x8000000000000000, 0x0
    .dword 0x7fffffff, 0x7fffffff
    .dword 0xffffffff, 0xffffffffffffffff
    .dword 0x800, 0x800
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7ff
    .dword 0xff00ff0000ff00ff, 0xff00ff
t_addiw_0_end:
t_addiw_1:
    .dword 0x0, 0x1
    .dword 0x1, 0x2
    .dword 0xffffffffffffffff, 0x0
    .dword 0x7fffffffffffffff, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0x7fffffff, 0xffffffff80000000
    .dword 0xffffffff, 0x0
    .dword 0x800, 0x801
    .dword 0xfffffffffffff7ff, 0xfffffffffffff800
    .dword 0xff00ff0000ff00ff, 0xff0100
t_addiw_1_end:
t_addiw_m1:
    .dword 0x0, 0xffffffffffffffff
    .dword 0x1, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffffe
    .dword 0x7fffffffffffffff, 0xfffffffffffffffe
    .dword 0x8000000000000000, 0xffffffffffffffff
    .dword 0x7fffffff, 0x7ffffffe
    .dword 0xffffffff, 0xfffffffffffffffe
    .dword 0x800, 0x7ff
    .dword 0xfffffffffffff7ff, 0xfffffffffffff7fe
    .dword 0xff00ff0000ff00ff, 0xff00fe
t_addiw_m1_end:
t_addiw_2047:
    .dword 0x0, 0x7ff
    .dword 0x1, 0x800
    .dword 0xffffffffffffffff, 0x7fe
    .dword 0x7fffffffffffffff, 0x7fe
    .dword 0x8000000000000000, 0x7ff
    .dword 0x7fffffff, 0xffffffff800007fe
    .dword 0xffffffff, 0x7fe
    .dword 0x800, 0xfff
    .dword 0xfffffffffffff7ff, 0xfffffffffffffffe
    .dword 0xff00ff0000ff00ff, 0xff08fe
t_addiw_2047_end:
t_addiw_m2048:
    .dword 0x0, 0xfffffffffffff800
    .dword 0x1, 0xfffffffffffff801
    .dword 0xffffffffffffffff, 0xfffffffffffff7ff
    .dword 0x7fffffffffffffff, 0xfffffffffffff7ff
    .dword 0x8000000000000000, 0xfffffffffffff800
    .dword 0x7fffffff, 0x7ffff7ff
    .dword 0xffffffff, 0xfffffffffffff7ff
    .dword 0x800, 0x0
    .dword 0xfffffffffffff7ff, 0xffffffffffffefff
    .dword 0xff00ff0000ff00ff, 0xfef8ff
t_addiw_m2048_end:
t_addiw_1365:
    .dword 0x0, 0x555
    .dword 0x1, 0x556
    .dword 0xffffffffffffffff, 0x554
    .dword 0x7fffffffffffffff, 0x554
    .dword 0x8000000000000000, 0x555
    .dword 0x7fffffff, 0xffffffff80000554
    .dword 0xffffffff, 0x554
    .dword 0x800, 0xd55
    .dword 0xfffffffffffff7ff, 0xfffffffffffffd54
    .dword 0xff00ff0000ff00ff, 0xff0654
t_addiw_1365_end:
t_addiw_m1366:
    .dword 0x0, 0xfffffffffffffaaa
    .dword 0x1, 0xfffffffffffffaab
    .dword 0xffffffffffffffff, 0xfffffffffffffaa9
    .dword 0x7fffffffffffffff, 0xfffffffffffffaa9
    .dword 0x8000000000000000, 0xfffffffffffffaaa
    .dword 0x7fffffff, 0x7ffffaa9
    .dword 0xffffffff, 0xfffffffffffffaa9
    .dword 0x800, 0x2aa
    .dword 0xfffffffffffff7ff, 0xfffffffffffff2a9
    .dword 0xff00ff0000ff00ff, 0xfefba9
t_addiw_m1366_end:
t_slli_0:
    .dword 0x1, 0x1
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x21212121a1a1a1a1
    .dword 0x80000000, 0x80000000
    .dword 0x7fffffff, 0x7fffffff
t_slli_0_end:
t_slli_1:
    .dword 0x1, 0x2
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffffe
    .dword 0x21212121a1a1a1a1, 0x4242424343434342
    .dword 0x80000000, 0x100000000
    .dword 0x7fffffff, 0xfffffffe
t_slli_1_end:
t_slli_4:
    .dword 0x1, 0x10
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffff0
    .dword 0x21212121a1a1a1a1, 0x1212121a1a1a1a10
    .dword 0x80000000, 0x800000000
    .dword 0x7fffffff, 0x7fffffff0
t_slli_4_end:
t_slli_31:
    .dword 0x1, 0x80000000
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffff80000000
    .dword 0x21212121a1a1a1a1, 0xd0d0d0d080000000
    .dword 0x80000000, 0x4000000000000000
    .dword 0x7fffffff, 0x3fffffff80000000
t_slli_31_end:
t_slli_62:
    .dword 0x1, 0x4000000000000000
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xc000000000000000
    .dword 0x21212121a1a1a1a1, 0x4000000000000000
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0xc000000000000000
t_slli_62_end:
t_slli_63:
    .dword 0x1, 0x8000000000000000
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0x8000000000000000
    .dword 0x21212121a1a1a1a1, 0x8000000000000000
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0x8000000000000000
t_slli_63_end:
t_srli_0:
    .dword 0x1, 0x1
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x21212121a1a1a1a1
    .dword 0x80000000, 0x80000000
    .dword 0x7fffffff, 0x7fffffff
t_srli_0_end:
t_srli_1:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x4000000000000000
    .dword 0xffffffffffffffff, 0x7fffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x10909090d0d0d0d0
    .dword 0x80000000, 0x40000000
    .dword 0x7fffffff, 0x3fffffff
t_srli_1_end:
t_srli_4:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x800000000000000
    .dword 0xffffffffffffffff, 0xfffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x21212121a1a1a1a
    .dword 0x80000000, 0x8000000
    .dword 0x7fffffff, 0x7ffffff
t_srli_4_end:
t_srli_31:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x100000000
    .dword 0xffffffffffffffff, 0x1ffffffff
    .dword 0x21212121a1a1a1a1, 0x42424243
    .dword 0x80000000, 0x1
    .dword 0x7fffffff, 0x0
t_srli_31_end:
t_srli_62:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x2
    .dword 0xffffffffffffffff, 0x3
    .dword 0x21212121a1a1a1a1, 0x0
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0x0
t_srli_62_end:
t_srli_63:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x1
    .dword 0xffffffffffffffff, 0x1
    .dword 0x21212121a1a1a1a1, 0x0
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0x0
t_srli_63_end:
t_srai_0:
    .dword 0x1, 0x1
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x21212121a1a1a1a1
    .dword 0x80000000, 0x80000000
    .dword 0x7fffffff, 0x7fffffff
t_srai_0_end:
t_srai_1:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0xc000000000000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x10909090d0d0d0d0
    .dword 0x80000000, 0x40000000
    .dword 0x7fffffff, 0x3fffffff
t_srai_1_end:
t_srai_4:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0xf800000000000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x21212121a1a1a1a
    .dword 0x80000000, 0x8000000
    .dword 0x7fffffff, 0x7ffffff
t_srai_4_end:
t_srai_31:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0xffffffff00000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x42424243
    .dword 0x80000000, 0x1
    .dword 0x7fffffff, 0x0
t_srai_31_end:
t_srai_62:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0xfffffffffffffffe
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x0
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0x0
t_srai_62_end:
t_srai_63:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0xffffffffffffffff
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0x0
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0x0
t_srai_63_end:
t_slliw_0:
    .dword 0x1, 0x1
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xffffffffa1a1a1a1
    .dword 0x80000000, 0xffffffff80000000
    .dword 0x7fffffff, 0x7fffffff
t_slliw_0_end:
t_slliw_1:
    .dword 0x1, 0x2
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffffe
    .dword 0x21212121a1a1a1a1, 0x43434342
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0xfffffffffffffffe
t_slliw_1_end:
t_slliw_4:
    .dword 0x1, 0x10
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xfffffffffffffff0
    .dword 0x21212121a1a1a1a1, 0x1a1a1a10
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0xfffffffffffffff0
t_slliw_4_end:
t_slliw_15:
    .dword 0x1, 0x8000
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffff8000
    .dword 0x21212121a1a1a1a1, 0xffffffffd0d08000
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0xffffffffffff8000
t_slliw_15_end:
t_slliw_30:
    .dword 0x1, 0x40000000
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffc0000000
    .dword 0x21212121a1a1a1a1, 0x40000000
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0xffffffffc0000000
t_slliw_30_end:
t_slliw_31:
    .dword 0x1, 0xffffffff80000000
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffff80000000
    .dword 0x21212121a1a1a1a1, 0xffffffff80000000
    .dword 0x80000000, 0x0
    .dword 0x7fffffff, 0xffffffff80000000
t_slliw_31_end:
t_srliw_0:
    .dword 0x1, 0x1
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xffffffffa1a1a1a1
    .dword 0x80000000, 0xffffffff80000000
    .dword 0x7fffffff, 0x7fffffff
t_srliw_0_end:
t_srliw_1:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0x7fffffff
    .dword 0x21212121a1a1a1a1, 0x50d0d0d0
    .dword 0x80000000, 0x40000000
    .dword 0x7fffffff, 0x3fffffff
t_srliw_1_end:
t_srliw_4:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xfffffff
    .dword 0x21212121a1a1a1a1, 0xa1a1a1a
    .dword 0x80000000, 0x8000000
    .dword 0x7fffffff, 0x7ffffff
t_srliw_4_end:
t_srliw_15:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0x1ffff
    .dword 0x21212121a1a1a1a1, 0x14343
    .dword 0x80000000, 0x10000
    .dword 0x7fffffff, 0xffff
t_srliw_15_end:
t_srliw_30:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0x3
    .dword 0x21212121a1a1a1a1, 0x2
    .dword 0x80000000, 0x2
    .dword 0x7fffffff, 0x1
t_srliw_30_end:
t_srliw_31:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0x1
    .dword 0x21212121a1a1a1a1, 0x1
    .dword 0x80000000, 0x1
    .dword 0x7fffffff, 0x0
t_srliw_31_end:
t_sraiw_0:
    .dword 0x1, 0x1
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xffffffffa1a1a1a1
    .dword 0x80000000, 0xffffffff80000000
    .dword 0x7fffffff, 0x7fffffff
t_sraiw_0_end:
t_sraiw_1:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xffffffffd0d0d0d0
    .dword 0x80000000, 0xffffffffc0000000
    .dword 0x7fffffff, 0x3fffffff
t_sraiw_1_end:
t_sraiw_4:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xfffffffffa1a1a1a
    .dword 0x80000000, 0xfffffffff8000000
    .dword 0x7fffffff, 0x7ffffff
t_sraiw_4_end:
t_sraiw_15:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xffffffffffff4343
    .dword 0x80000000, 0xffffffffffff0000
    .dword 0x7fffffff, 0xffff
t_sraiw_15_end:
t_sraiw_30:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xfffffffffffffffe
    .dword 0x80000000, 0xfffffffffffffffe
    .dword 0x7fffffff, 0x1
t_sraiw_30_end:
t_sraiw_31:
    .dword 0x1, 0x0
    .dword 0x8000000000000000, 0x0
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x21212121a1a1a1a1, 0xffffffffffffffff
    .dword 0x80000000, 0xffffffffffffffff
    .dword 0x7fffffff, 0x0
t_sraiw_31_end:

    .bss
    .balign 8
sdata:
    .zero 16
