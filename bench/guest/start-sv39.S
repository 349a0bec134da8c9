# Bare-metal start for the S-mode-with-paging benchmark guests (virt, -bios none): M-mode builds
# Sv39 page tables (sv39.c: RAM as 4 KiB pages, as an OS maps it), opens PMP to S-mode, lets
# S-mode read instret (mcounteren), and mrets to main in S-mode with satp set. main's return
# value goes to the test finisher (reached through the identity-mapped first gigabyte); any trap
# lands in M-mode and ends the run with code 0x7e.
    .section .text.start
    .globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park              # benchmarks run on hart 0 only
    la    sp, __stack_top
    la    t0, m_trap
    csrw  mtvec, t0
    li    t0, 0x6000            # mstatus.FS = dirty: allow FP
    csrs  mstatus, t0
    li    t0, 0x003fffffffffffff  # pmpaddr0: NAPOT over the whole address space
    csrw  pmpaddr0, t0
    li    t0, 0x1f              # pmpcfg0: NAPOT, R W X
    csrw  pmpcfg0, t0
    li    t0, 7                 # S-mode may read cycle, time, instret
    csrw  mcounteren, t0
    call  sv39_setup            # returns satp
    csrw  satp, a0
    sfence.vma
    li    t0, 0x1800            # mstatus.MPP = S
    csrc  mstatus, t0
    li    t0, 0x0800
    csrs  mstatus, t0
    la    t0, s_entry
    csrw  mepc, t0
    mret
s_entry:
    call  main
finish:
    li    t0, 0x100000          # sifive_test finisher
    li    t1, 0x5555
    beqz  a0, 1f
    slli  t1, a0, 16
    li    t2, 0x3333
    or    t1, t1, t2            # (code << 16) | 0x3333
1:  sw    t1, 0(t0)
park:
    wfi
    j     park
    .align 2
m_trap:                         # an unexpected trap: fail with 0x7e
    li    a0, 0x7e
    j     finish
