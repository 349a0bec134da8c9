/* Macros for riscv-tests style assembly guests.
 *
 * A test case computes a value into a register and calls REPORT, which passes
 * (got, expected, text-of-the-case) to asm_check() (C, in asm_support.c), so a
 * FAIL line names the exact instruction and operands. REPORT clobbers the
 * caller-saved registers (it is a call), so cases must set up their operands
 * from scratch. Cases use x11/x12/x13 as sources and x14 as destination, like
 * riscv-tests, plus a few variants with rd == rs and x0. */
#ifndef ASM_TEST_H
#define ASM_TEST_H
#include "csr.h"

#define TEXT_(...) #__VA_ARGS__
#define TEXT(...) TEXT_(__VA_ARGS__)

/* REPORT(reg, expected, description...) */
#define REPORT(reg, expected, ...)                         \
    mv      a0, reg;                                       \
    li      a1, expected;                                  \
    .pushsection .rodata.str1.1, "aMS", @progbits, 1;      \
99: .asciz  TEXT(__VA_ARGS__);                             \
    .popsection;                                           \
    la      a2, 99b;                                       \
    call    asm_check

/* rd = op(rs1, rs2) */
#define TEST_RR(inst, expected, v1, v2)                    \
    li      x11, v1;                                       \
    li      x12, v2;                                       \
    inst    x14, x11, x12;                                 \
    REPORT(x14, expected, inst v1 v2)

/* rd = op(rs1, imm) */
#define TEST_RI(inst, expected, v1, imm)                   \
    li      x11, v1;                                       \
    inst    x14, x11, imm;                                 \
    REPORT(x14, expected, inst v1 imm)

/* rd == rs1 == rs2 */
#define TEST_RR_SAME(inst, expected, v1)                   \
    li      x13, v1;                                       \
    inst    x13, x13, x13;                                 \
    REPORT(x13, expected, inst same-reg v1)

/* rd == rs1 */
#define TEST_RR_DEST1(inst, expected, v1, v2)              \
    li      x11, v1;                                       \
    li      x12, v2;                                       \
    inst    x11, x11, x12;                                 \
    REPORT(x11, expected, inst rd=rs1 v1 v2)

/* rd == rs2 */
#define TEST_RR_DEST2(inst, expected, v1, v2)              \
    li      x11, v1;                                       \
    li      x12, v2;                                       \
    inst    x12, x11, x12;                                 \
    REPORT(x12, expected, inst rd=rs2 v1 v2)

/* rs1 = x0 / rs2 = x0 */
#define TEST_RR_ZERO1(inst, expected, v2)                  \
    li      x12, v2;                                       \
    inst    x14, x0, x12;                                  \
    REPORT(x14, expected, inst x0 v2)
#define TEST_RR_ZERO2(inst, expected, v1)                  \
    li      x11, v1;                                       \
    inst    x14, x11, x0;                                  \
    REPORT(x14, expected, inst v1 x0)

/* rd = x0 must stay zero */
#define TEST_RR_X0DEST(inst, v1, v2)                       \
    li      x11, v1;                                       \
    li      x12, v2;                                       \
    inst    x0, x11, x12;                                  \
    REPORT(x0, 0, inst to x0 v1 v2)

/* Branch taken / not taken: x14 = 1 if taken. */
#define TEST_BR(inst, taken, v1, v2)                       \
    li      x11, v1;                                       \
    li      x12, v2;                                       \
    li      x14, 0;                                        \
    inst    x11, x12, 98f;                                 \
    j       97f;                                           \
98: li      x14, 1;                                        \
97: REPORT(x14, taken, inst v1 v2)

#define ASM_MAIN_BEGIN(name)                               \
    .text;                                                 \
    .globl main;                                           \
main:                                                      \
    addi    sp, sp, -16;                                   \
    sd      ra, 8(sp);                                     \
    la      a0, 96f;                                       \
    call    test_begin;                                    \
    .pushsection .rodata.str1.1, "aMS", @progbits, 1;      \
96: .asciz  name;                                          \
    .popsection

#define ASM_MAIN_END                                       \
    call    test_end;                                      \
    ld      ra, 8(sp);                                     \
    addi    sp, sp, 16;                                    \
    ret

#endif

#ifndef ASM_TEST_TABLES
#define ASM_TEST_TABLES
/* Table-driven cases: a table of {rs1, rs2, expected} dwords run through one
 * instruction. s0..s2 are used as loop registers (callee-saved, so they survive
 * the asm_check_op() calls). FAIL lines read "<text> 0x<rs1> 0x<rs2> got ..". */
#define TABLE_RR(inst, table, text)                        \
    la      s0, table;                                     \
    la      s1, table##_end;                               \
    .pushsection .rodata.str1.1, "aMS", @progbits, 1;      \
99: .asciz  text;                                          \
    .popsection;                                           \
    la      s2, 99b;                                       \
98: bgeu    s0, s1, 97f;                                   \
    ld      x11, 0(s0);                                    \
    ld      x12, 8(s0);                                    \
    inst    x14, x11, x12;                                 \
    mv      a0, x14;                                       \
    ld      a1, 16(s0);                                    \
    mv      a2, s2;                                        \
    ld      a3, 0(s0);                                     \
    ld      a4, 8(s0);                                     \
    call    asm_check_op;                                  \
    addi    s0, s0, 24;                                    \
    j       98b;                                           \
97:

/* Same with an immediate: table of {rs1, expected}; rs2 is reported as imm. */
#define TABLE_RI(inst, imm, table, text)                   \
    la      s0, table;                                     \
    la      s1, table##_end;                               \
    .pushsection .rodata.str1.1, "aMS", @progbits, 1;      \
99: .asciz  text;                                          \
    .popsection;                                           \
    la      s2, 99b;                                       \
98: bgeu    s0, s1, 97f;                                   \
    ld      x11, 0(s0);                                    \
    inst    x14, x11, imm;                                 \
    mv      a0, x14;                                       \
    ld      a1, 8(s0);                                     \
    mv      a2, s2;                                        \
    ld      a3, 0(s0);                                     \
    li      a4, imm;                                       \
    call    asm_check_op;                                  \
    addi    s0, s0, 16;                                    \
    j       98b;                                           \
97:
#endif
