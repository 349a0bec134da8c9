/*
 * api: M-mode guest (-bios none, -smp 1) whose registers, memory values and
 * control-flow discontinuities are known from this source, for the handle,
 * register, value and event API (tests/instr/api.spec.ts, libs/api-probe.ts):
 *
 *   probe:   entered by `call` (a translation block of its own: another page) with s2 = 0x123456789abcdef0,
 *            s3 = -2, mscratch = 0x5a5a, f5 = 0x400921fb54442d18 (pi), fflags = 0;
 *   memops:  sd 0x1122334455667788 to data, ld it back, sb 0xff to data+8,
 *            lb it back (sign-extended in t3; the access's value is 0xff),
 *            sw 0xdeadbeef to data+12, sb 'A' to the UART's THR and lbu its LSR (0x60: a device);
 *   ecall:   one exception (cause 11), whose handler returns with mret;
 *   msip:    one machine software interrupt (cause 3) through the CLINT, mret;
 *   wfi:     with a timer 50 ms ahead, MTIE on and MIE off: the vCPU idles and resumes;
 * then the sifive_test finisher ends the run (status 0).
 */
    .equ FINISHER,      0x100000
    .equ FINISHER_PASS, 0x5555
    .equ UART,          0x10000000
    .equ CLINT_MSIP,    0x2000000
    .equ CLINT_MTIMECMP, 0x2004000
    .equ CLINT_MTIME,   0x200bff8

    .section .text
    .option norvc
    .globl _start
_start:
    csrr    a0, mhartid
    bnez    a0, park
    la      t0, trap
    csrw    mtvec, t0
    li      t0, (1 << 13)               /* mstatus.FS = initial: FP registers usable */
    csrs    mstatus, t0
    li      s2, 0x123456789abcdef0
    li      s3, -2
    li      t0, 0x5a5a
    csrw    mscratch, t0
    li      t1, 0x400921fb54442d18
    fmv.d.x f5, t1
    csrw    fflags, zero
    call    probe
    call    memops
    ecall                               /* exception: the handler skips it */
    li      t0, 8                       /* mie.MSIE */
    csrs    mie, t0
    li      t0, CLINT_MSIP
    li      t1, 1
    sw      t1, 0(t0)
    csrsi   mstatus, 8                  /* MIE: the software interrupt is taken here */
    csrci   mstatus, 8
    li      t0, CLINT_MTIME
    ld      t1, 0(t0)
    li      t2, 500000                  /* 50 ms at 10 MHz: the wfi below comes long before */
    add     t1, t1, t2
    li      t0, CLINT_MTIMECMP
    sd      t1, 0(t0)
    li      t0, 0x80                    /* mie.MTIE only */
    csrw    mie, t0
1:  wfi                                 /* idles until the timer is pending (MIE off: not taken) */
    csrr    t1, mip
    andi    t1, t1, 0x80
    beqz    t1, 1b
    li      t0, CLINT_MTIMECMP
    li      t1, -1
    sd      t1, 0(t0)
    csrw    mie, zero
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    sw      t1, 0(t0)
park:
    wfi
    j       park

    .balign 4096                        /* a page of their own: `call` (a jal here) is not followed into them */
    .globl probe
    .type probe, @function
probe:
    addi    a0, s2, 0
    addi    a1, s3, 1
    ret
    .size probe, . - probe

    .globl memops
    .type memops, @function
memops:
    la      t0, data
    li      t1, 0x1122334455667788
    sd      t1, 0(t0)
    ld      t2, 0(t0)
    li      t1, 0xff
    sb      t1, 8(t0)
    lb      t3, 8(t0)
    li      t1, 0xdeadbeef
    sw      t1, 12(t0)
    li      t0, UART
    li      t1, 'A'
    sb      t1, 0(t0)
    lbu     t2, 5(t0)                   /* the UART's LSR: 0x60, transmitter empty */
    ret
    .size memops, . - memops

    .align 2
trap:
    csrr    t4, mcause
    bltz    t4, 2f                      /* an interrupt: clear msip, return to where it came */
    csrr    t4, mepc
    addi    t4, t4, 4
    csrw    mepc, t4
    mret
2:  li      t4, CLINT_MSIP
    sw      zero, 0(t4)
    mret

    .section .data
    .balign 4096                        /* not on a page with code */
    .globl data
data:
    .dword  0, 0
