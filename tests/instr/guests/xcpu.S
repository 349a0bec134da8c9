/*
 * xcpu: M-mode guest (-bios none, -smp 3) where vCPU 1 translates a function
 * and vCPU 2 executes the translation it already made (a cache hit).
 *
 *   every hart 0..2 first checks in (checkin[hart] = 1): a vCPU runs guest
 *           code only once its worker has loaded the instrumentation
 *           library, and a worker's qi_init may drop every translation
 *           (it sets trace state), so hart 1 waits for all check-ins before
 *           it calls F — no late worker start-up can discard F's translation;
 *   hart 1: calls F(out1), then (fence) sets flag1 — F has been translated
 *           at hart 1's request *and* fully executed before flag1 is set;
 *   hart 2: waits for flag1, calls F(out2), then sets flag2;
 *   hart 0: waits for flag2 and exits through the sifive_test finisher (0).
 * Harts >= 3 park. F is only reachable through `call` and sits on a page of
 * its own: nothing falls through into it, and the translator, which follows
 * a `jal` into its target only within the same page, cannot copy F into the
 * callers' blocks — so F's code is translated only when a hart enters F, and
 * the first to enter it is hart 1.
 *
 * F(a1): t2 = *(s32 *)a1; t2 += 1; *(u32 *)a1 = t2; return   (lw, sw)
 */
    .equ FINISHER,      0x100000
    .equ FINISHER_PASS, 0x5555

    .section .text
    .option norvc
    .globl _start
_start:
    csrr    a0, mhartid
    li      t0, 1
    beq     a0, t0, hart1
    li      t0, 2
    beq     a0, t0, hart2
    bnez    a0, park
    j       hart0

check_in:                               /* checkin[a0] = 1; returns to t3 */
    la      t0, checkin
    slli    t1, a0, 3
    add     t0, t0, t1
    li      t1, 1
    sd      t1, 0(t0)
    fence   rw, rw
    jr      t3

hart0:
    jal     t3, check_in
    la      t0, flag2
1:  ld      t1, 0(t0)
    beqz    t1, 1b
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
    j       park

hart1:
    jal     t3, check_in
    la      t0, checkin
1:  ld      t1, 0(t0)                   /* hart 0 checked in */
    ld      t2, 16(t0)                  /* hart 2 checked in */
    and     t1, t1, t2
    beqz    t1, 1b
    fence   rw, rw
    la      a1, out1
    call    F
    fence   rw, rw
    la      t0, flag1
    li      t1, 1
    sd      t1, 0(t0)
    j       park

hart2:
    jal     t3, check_in
    la      t0, flag1
1:  ld      t1, 0(t0)
    beqz    t1, 1b
    fence   rw, rw
    la      a1, out2
    call    F
    fence   rw, rw
    la      t0, flag2
    li      t1, 1
    sd      t1, 0(t0)
    j       park

park:
    wfi
    j       park

    .balign 4096                        /* F's own page (see above) */
    .globl F
F:
    lw      t2, 0(a1)
    addi    t2, t2, 1
    sw      t2, 0(a1)
    ret

    .data
    .balign 4096                        /* own page: stores to the code page would invalidate its translations */
    .globl flag1, flag2, out1, out2, checkin
checkin: .dword 0, 0, 0
flag1:  .dword 0
flag2:  .dword 0
out1:   .dword 0
out2:   .dword 0
