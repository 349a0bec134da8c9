# Bare-metal start for the multi-hart benchmark guests (virt, -bios none, M-mode).
# Every hart enters here from the reset ROM with a0 = mhartid and a1 = DTB
# address; each gets its own stack in hart_stacks (harts.h) and runs
# hart_main(hartid, dtb). Hart 0's return value goes to the test finisher;
# the other harts park (hart_main does not return for them).
    .section .text.start
    .globl _start
_start:
    csrw  mie, zero
    li    t0, 8                 # HARTS_MAX in harts.h
    bgeu  a0, t0, park          # no stack for this hart
    addi  t0, a0, 1
    slli  t0, t0, 14            # HART_STACK_BYTES = 16 KiB
    la    sp, hart_stacks
    add   sp, sp, t0
    li    t0, 0x6000            # mstatus.FS = dirty: allow FP
    csrs  mstatus, t0
    call  hart_main
    li    t0, 0x100000          # sifive_test finisher
    li    t1, 0x5555
    beqz  a0, 1f
    slli  t1, a0, 16
    li    t2, 0x3333
    or    t1, t1, t2            # (code << 16) | 0x3333
1:  sw    t1, 0(t0)
park:
    csrw  mie, zero             # nothing can wake us: WFI sleeps for good
    wfi
    j     park
