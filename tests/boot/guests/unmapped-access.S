/*
 * unmapped-access: M-mode guest (-bios none, loaded at 0x80000000) that touches
 * physical addresses where the virt machine has nothing, and checks that each
 * access traps with an access fault instead of reaching the emulator:
 *   load/store at 0x0 (below the boot ROM), a load just past the end of the
 *   default 128 MiB of RAM, a store into the unused part of the UART's 4 KiB
 *   page, an instruction fetch from 0x0.
 * For every probe it prints "<what> <address>: mcause=<n> mtval=<hex>" on the
 * UART, then "done", and exits through the sifive_test finisher: PASS (status 0)
 * if every probe trapped with the expected cause and mtval = the address,
 * otherwise FAIL with the number of wrong probes as exit status.
 */
    .equ UART_THR,      0x10000000
    .equ UART_LSR,      0x10000005
    .equ FINISHER,      0x100000
    .equ FINISHER_PASS, 0x5555
    .equ FINISHER_FAIL, 0x3333
    .equ NO_TRAP,       0xff            /* recorded cause when an access did not trap */
    .equ CAUSE_FETCH,   1
    .equ CAUSE_LOAD,    5
    .equ CAUSE_STORE,   7

    .section .text.init
    .globl _start
_start:
    la      sp, stack_top
    la      t0, trap_handler
    csrw    mtvec, t0
    li      s0, 0                       /* wrong probes so far */

    la      a0, name_load
    li      a1, 0x0
    li      a2, CAUSE_LOAD
    call    probe_load
    la      a0, name_store
    li      a1, 0x0
    li      a2, CAUSE_STORE
    call    probe_store
    la      a0, name_load
    li      a1, 0x88000000              /* first byte after 128 MiB of RAM */
    li      a2, CAUSE_LOAD
    call    probe_load
    la      a0, name_store
    li      a1, 0x10000800              /* UART page, past its 0x100-byte window */
    li      a2, CAUSE_STORE
    call    probe_store
    la      a0, name_fetch
    li      a1, 0x0
    li      a2, CAUSE_FETCH
    call    probe_fetch

    la      a0, msg_done
    call    puts
    li      t0, FINISHER
    li      t1, FINISHER_PASS
    beqz    s0, 1f
    slli    t1, s0, 16
    li      t2, FINISHER_FAIL
    or      t1, t1, t2
1:  sw      t1, 0(t0)
2:  j       2b

/* probe_*(a0 = name, a1 = address, a2 = expected cause): access, then report. */
probe_load:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    call    arm
    ld      t0, 0(a1)
    j       report

probe_store:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    call    arm
    sd      zero, 0(a1)
    j       report

probe_fetch:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    call    arm
    jalr    ra, 0(a1)                   /* the handler resumes at ra */
    j       report

/* Marks "no trap yet"; keeps a0..a2 for report. */
arm:
    li      t0, NO_TRAP
    la      t1, trap_cause
    sd      t0, 0(t1)
    ret

/* Prints "<name> <address>: mcause=<n> mtval=<hex>\n" and counts a mismatch. */
report:
    sd      a1, 8(sp)
    sd      a2, 16(sp)
    call    puts                        /* name */
    ld      a0, 8(sp)
    call    puthex
    la      a0, msg_cause
    call    puts
    la      t0, trap_cause
    ld      a0, 0(t0)
    call    puthex
    la      a0, msg_tval
    call    puts
    la      t0, trap_tval
    ld      a0, 0(t0)
    call    puthex
    li      a0, '\n'
    call    putc
    la      t0, trap_cause
    ld      t1, 0(t0)
    ld      t2, 16(sp)
    bne     t1, t2, 1f
    ld      t1, 8(t0)                   /* trap_tval */
    ld      t2, 8(sp)
    beq     t1, t2, 2f
1:  addi    s0, s0, 1
2:  ld      ra, 0(sp)
    addi    sp, sp, 32
    ret

/* Records mcause/mtval and resumes: after the faulting load/store, or at ra for a fetch fault. */
    .balign 4
trap_handler:
    csrr    t0, mcause
    csrr    t1, mtval
    la      t2, trap_cause
    sd      t0, 0(t2)
    sd      t1, 8(t2)
    li      t2, CAUSE_FETCH
    beq     t0, t2, 1f
    csrr    t0, mepc
    addi    t0, t0, 4                   /* probes use 4-byte loads/stores (no RVC here) */
    csrw    mepc, t0
    mret
1:  csrw    mepc, ra
    mret

/* putc(a0): waits for THR empty, writes the byte. */
putc:
    li      t0, UART_LSR
1:  lbu     t1, 0(t0)
    andi    t1, t1, 0x20
    beqz    t1, 1b
    li      t0, UART_THR
    sb      a0, 0(t0)
    ret

/* puts(a0 = NUL-terminated string) */
puts:
    addi    sp, sp, -16
    sd      ra, 0(sp)
    sd      s1, 8(sp)
    mv      s1, a0
1:  lbu     a0, 0(s1)
    beqz    a0, 2f
    call    putc
    addi    s1, s1, 1
    j       1b
2:  ld      ra, 0(sp)
    ld      s1, 8(sp)
    addi    sp, sp, 16
    ret

/* puthex(a0): "0x" and the value in hex without leading zeros. */
puthex:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    sd      s1, 8(sp)
    sd      s2, 16(sp)
    mv      s1, a0
    li      a0, '0'
    call    putc
    li      a0, 'x'
    call    putc
    li      s2, 60                      /* shift of the top nibble */
1:  beqz    s2, 2f                      /* skip leading zeros, keep the last digit */
    srl     t0, s1, s2
    bnez    t0, 2f
    addi    s2, s2, -4
    j       1b
2:  srl     t0, s1, s2
    andi    t0, t0, 0xf
    la      t1, hexdigits
    add     t1, t1, t0
    lbu     a0, 0(t1)
    call    putc
    addi    s2, s2, -4
    bgez    s2, 2b
    ld      ra, 0(sp)
    ld      s1, 8(sp)
    ld      s2, 16(sp)
    addi    sp, sp, 32
    ret

    .section .rodata
hexdigits:  .ascii "0123456789abcdef"
name_load:  .asciz "load "
name_store: .asciz "store "
name_fetch: .asciz "fetch "
msg_cause:  .asciz ": mcause="
msg_tval:   .asciz " mtval="
msg_done:   .asciz "done\n"

    .data
    .balign 8
trap_cause: .dword 0
trap_tval:  .dword 0

    .bss
    .balign 16
    .space 4096
stack_top:
