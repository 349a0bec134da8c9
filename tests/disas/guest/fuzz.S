/*
 * Disassembler fuzz guest for tests/disas/disas.unit.spec.ts: every 16-bit
 * encoding (except control transfers) and seeded pseudo-random 32-bit words
 * for each major opcode, executed in U-mode under `-singlestep -d in_asm`.
 *
 * The random instructions run with random register values, so they must not
 * be able to hurt anything: U-mode may only read/write a scratch buffer and
 * read/execute the code (PMP), everything else faults. The M-mode handler
 * skips whatever traps and returns to U-mode; the ecall at fuzz_end finishes
 * the run through the sifive_test device. Jumps and branches are left out
 * (their targets would be random); coverage.S checks those.
 */
#define TEST_DEVICE 0x100000
#define TEST_PASS   0x5555
#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_NAPOT 0x18
#define CODE_SIZE 0x100000          /* PMP region for the code: 1 MiB from 0x80000000 */
#define BUFFER_SIZE 0x10000

    .section .text.start, "ax"
    .globl _start
    .option norvc
_start:
    la      t0, trap
    csrw    mtvec, t0
    /* pmp0: scratch buffer, RW. pmp1: code, RX. Nothing else for U-mode. */
    la      t0, buffer
    srli    t0, t0, 2
    li      t1, (BUFFER_SIZE / 8) - 1
    or      t0, t0, t1
    csrw    pmpaddr0, t0
    li      t0, (0x80000000 >> 2) | ((CODE_SIZE / 8) - 1)
    csrw    pmpaddr1, t0
    li      t0, (PMP_NAPOT | PMP_R | PMP_W) | ((PMP_NAPOT | PMP_R | PMP_X) << 8)
    csrw    pmpcfg0, t0
    /* FPU on, then drop to U-mode at fuzz_start with every register in the buffer. */
    li      t0, 0x6000
    csrs    mstatus, t0
    li      t0, 0x1800
    csrc    mstatus, t0
    la      t0, fuzz_start
    csrw    mepc, t0
    la      t0, buffer + BUFFER_SIZE / 2
    .irp r, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    mv      x\r, t0
    .endr
    mret

/* Trap handler: finish at fuzz_end, else skip the trapping instruction. */
    .balign 4
trap:
    csrr    t6, mepc
    la      t5, fuzz_end
    beq     t6, t5, finish
    lhu     t5, 0(t6)
    andi    t5, t5, 3
    li      t4, 3
    addi    t6, t6, 2
    bne     t5, t4, 1f
    addi    t6, t6, 2
1:  csrw    mepc, t6
    mret
finish:
    li      t0, TEST_DEVICE
    li      t1, TEST_PASS
    sw      t1, 0(t0)
1:  j       1b

/* Pseudo-random numbers in assembler arithmetic (an LCG; its high bits). */
    .set    seed, 20240601
    .macro  random16
    .set    seed, (seed * 1103515245 + 12345) & 0x7fffffff
    .set    r16, (seed >> 15) & 0xffff
    .endm
    .macro  random32
    random16
    .set    r32hi, r16
    random16
    .set    r32, (r32hi << 16) | r16
    .endm
    /* count words: random bits outside `fixed`, which holds opcode and chosen fields */
    .macro  words fixed, fixed_mask, count
    .rept   \count
    random32
    .word   (r32 & ~(\fixed_mask) & 0xffffffff) | (\fixed)
    .endr
    .endm

    .balign 4
fuzz_start:
/* ---- all 16-bit encodings but c.j, c.beqz, c.bnez and c.jr/c.jalr/c.ebreak (one rs2 = 0 group) ---- */
    .set    c, 0
    .rept   0x10000
    .if     ((c & 3) != 3) && ((c & 0xe003) != 0xa001) && ((c & 0xe003) != 0xc001) && ((c & 0xe003) != 0xe001) && ((c & 0xe07f) != 0x8002)
    .half   c
    .endif
    .set    c, c + 1
    .endr
    .balign 4

/* ---- 32-bit: fully random fields for every major opcode but jal/jalr/branch ---- */
    .irp    op, 0x03,0x07,0x0b,0x0f,0x13,0x17,0x1b,0x23,0x27,0x2b,0x2f,0x33,0x37,0x3b,0x43,0x47,0x4b,0x4f,0x53,0x5b,0x73,0x77,0x7b
    words   \op, 0x7f, 128
    .endr
/* ---- 32-bit: valid funct7 / funct5 values with random other fields ---- */
    .irp    f7, 0x00,0x20,0x01
    words   (\f7 << 25) | 0x33, 0xfe00007f, 64
    words   (\f7 << 25) | 0x3b, 0xfe00007f, 64
    .endr
    .irp    f7, 0x00,0x04,0x08,0x0c,0x10,0x14,0x20,0x2c,0x50,0x60,0x68,0x70,0x78, 0x01,0x05,0x09,0x0d,0x11,0x15,0x21,0x2d,0x51,0x61,0x69,0x71,0x79
    words   (\f7 << 25) | 0x53, 0xfe00007f, 24
    words   (\f7 << 25) | 0x53, 0xfe70007f, 8       /* rs2 0..3: the conversions' selector */
    .endr
    .irp    f5, 0x00,0x01,0x02,0x03,0x04,0x08,0x0c,0x10,0x14,0x18,0x1c
    words   (\f5 << 27) | (2 << 12) | 0x2f, 0xf800707f, 16
    words   (\f5 << 27) | (3 << 12) | 0x2f, 0xf800707f, 16
    .endr
    .irp    f3, 1,2,3,5,6,7
    words   (\f3 << 12) | 0x73, 0x707f, 48
    .endr
    .irp    imm, 0x000,0x001,0x002,0x102,0x105,0x302,0x7b2
    words   (\imm << 20) | 0x73, 0xfff0707f, 8
    .endr
    words   (0x09 << 25) | 0x73, 0xfe00707f, 32     /* sfence.vma and neighbours */

fuzz_end:
    ecall

    .bss
    .balign BUFFER_SIZE
buffer:
    .space  BUFFER_SIZE
