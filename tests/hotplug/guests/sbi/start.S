/* Entry of the S-mode hot-plug guest (hotplug-sbi.c): the boot hart comes from the firmware with
   a0 = hart id, a1 = device tree; harts started through SBI HSM arrive at secondary_entry. */
    .section .text.start, "ax"
    .globl _start
_start:
    la      sp, stacks_top
    slli    t0, a0, 12
    sub     sp, sp, t0
    call    boot_main
1:  wfi
    j       1b

    .globl secondary_entry
secondary_entry:
    la      sp, stacks_top
    slli    t0, a0, 12
    sub     sp, sp, t0
    call    secondary_main
2:  wfi
    j       2b

    .bss
    .align 12
stacks:
    .space 4096 * 32
stacks_top:
