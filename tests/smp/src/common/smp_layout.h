/* Per-hart memory layout shared by crt0.S and C. Keep in sync with the
 * SMP_* symbols at the top of link.ld. */
#ifndef SMP_LAYOUT_H
#define SMP_LAYOUT_H

/* Harts this image has stacks for. QEMU virt and tsemu boot at most 8 harts
 * per socket here; a hart with a larger id parks and hart 0 reports FAIL. */
#define SMP_MAX_HARTS        16
#define SMP_STACK_BYTES      8192
#define SMP_TRAP_STACK_BYTES 4096
#define SMP_HART_BYTES       (SMP_STACK_BYTES + SMP_TRAP_STACK_BYTES)

#endif
