/*
 * The devices of QEMU's (and tsemu's) `virt` board that the firmware drives. The board's map is
 * fixed (hw/riscv/virt.c), so the firmware uses it directly; what varies per run (harts, RAM,
 * whether the CPU hot-plug controller exists) comes from the device tree.
 */
#ifndef TSEMU_SBI_PLATFORM_H
#define TSEMU_SBI_PLATFORM_H

#define UART0_BASE      0x10000000UL
#define UART0_CLOCK     3686400UL
#define UART0_BAUD      115200UL
#define CLINT_BASE      0x2000000UL
#define CLINT_SIZE      0x10000UL
#define CLINT_MSIP(h)   (CLINT_BASE + 4UL * (h))
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000UL + 8UL * (h))
#define TEST_BASE       0x100000UL        /* sifive_test finisher */
#define TEST_PASS       0x5555
#define TEST_RESET      0x7777
#define HOTPLUG_PRESENT 0x102000UL        /* tsemu's CPU hot-plug controller: PRESENT register */
#define HOTPLUG_GENERATION(h) (0x102100UL + 4UL * (h))   /* times hart h was plugged in */
#define MROM_BASE       0x1000UL
#define MROM_END        0x10000UL

/* The firmware's own region: code, data and per-hart stacks (linker script), kept from S-mode. */
#define FW_BASE         0x80000000UL
#define FW_REGION_SIZE  0x80000UL

/* Harts the firmware can serve: hart ids 0 .. MAX_HARTS-1 (tsemu: -smp maxcpus <= 16). */
#define MAX_HARTS       32
#define STACK_SIZE      8192

#endif
