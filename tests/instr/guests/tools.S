/*
 * tools: deterministic single-hart M-mode guest (-bios none) for the contrib-equivalent tools
 * (examples/instr/contrib), with enough variety for a cache model, basic-block vectors and
 * control-flow edges to say something, in about 58,000 instructions:
 *
 *   - `stride`: PASSES passes over BUF_BYTES (64 KiB, four times the default 16 KiB L1D) with a
 *     64-byte stride, a load and a store per line: every access misses L1D (LRU), L2 holds it all;
 *   - `walk`: a call per element of a 4 KiB table (jal/ret edges, a taken/not-taken branch on the
 *     element's low bit: data-dependent edges);
 *   - `far`: code spread over 8 pages, 4 KiB apart, called in turn (L1I and page counts).
 *
 * Exits through the sifive_test finisher (status 0). Other harts park in wfi.
 */
    .equ FINISHER,       0x100000
    .equ FINISHER_PASS,  0x5555
    .equ PASSES,         8
    .equ BUF_BYTES,      65536
    .equ TABLE_WORDS,    512
    .equ FAR_ROUNDS,     64

    .section .text
    .option norvc
    .globl _start
_start:
    csrr    a0, mhartid
    bnez    a0, park
    li      s1, PASSES
    .globl stride
stride:
    la      s0, buf
    li      t2, BUF_BYTES / 64
1:  ld      t0, 0(s0)
    addi    t0, t0, 1
    sd      t0, 0(s0)
    addi    s0, s0, 64
    addi    t2, t2, -1
    bnez    t2, 1b
    addi    s1, s1, -1
    bnez    s1, stride

    /* fill the table with 0, 1, 2, ... then walk it */
    la      s0, table
    li      t2, TABLE_WORDS
    li      t0, 0
2:  sd      t0, 0(s0)
    addi    t0, t0, 1
    addi    s0, s0, 8
    addi    t2, t2, -1
    bnez    t2, 2b

    la      s0, table
    li      s2, TABLE_WORDS
    li      s3, 0
    .globl walk
walk:
    ld      a0, 0(s0)
    call    visit
    add     s3, s3, a0
    addi    s0, s0, 8
    addi    s2, s2, -1
    bnez    s2, walk

    li      s4, FAR_ROUNDS
3:  call    far0
    call    far1
    call    far2
    call    far3
    addi    s4, s4, -1
    bnez    s4, 3b

    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
    .globl park
park:
    wfi
    j       park

    /* odd elements take the branch (return 3*a0), even ones fall through (return a0) */
    .globl visit
visit:
    andi    t0, a0, 1
    bnez    t0, 4f
    ret
4:  slli    t0, a0, 1
    add     a0, a0, t0
    ret

    .section .text.far, "ax"
    .balign 4096
    .globl far0
far0:
    addi    s3, s3, 1
    ret
    .balign 4096
    .globl far1
far1:
    addi    s3, s3, 2
    ret
    .balign 4096
    .globl far2
far2:
    addi    s3, s3, 3
    ret
    .balign 4096
    .globl far3
far3:
    addi    s3, s3, 4
    ret

    .data
    .balign 4096                        /* own pages: stores to a code page would invalidate its translations */
    .globl table
table:
    .zero   TABLE_WORDS * 8
    .balign 4096
    .globl buf
buf:
    .zero   BUF_BYTES
