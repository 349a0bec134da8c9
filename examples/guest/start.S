# Entry of the demo kernel: S-mode, loaded at 0x80200000 by QEMU's (or
# tsemu's) default OpenSBI. The boot hart arrives with a0 = hartid, a1 = DTB;
# harts started through SBI HSM arrive at secondary_entry with a0 = hartid.
    .section .text.start
    .globl _start
_start:
    la    sp, stacks_top
    mv    t0, a0
    slli  t0, t0, 12            # 4 KiB of stack per hart
    sub   sp, sp, t0
    call  boot_main
1:  wfi
    j     1b

    .globl secondary_entry
secondary_entry:
    la    sp, stacks_top
    mv    t0, a0
    slli  t0, t0, 12
    sub   sp, sp, t0
    call  secondary_main
2:  wfi
    j     2b

    .bss
    .align 12
stacks:
    .space 4096 * 8
stacks_top:
