/* Physical addresses and constants of QEMU's `virt` machine (hw/riscv/virt.c),
 * mirrored from src/machine/virt-map.ts so guests and emulator agree. */
#ifndef PLATFORM_H
#define PLATFORM_H

/* Headers are shared by C and assembly: UL_() drops the C suffix for gas. */
#ifdef __ASSEMBLER__
#define UL_(x) x
#else
#define UL_(x) x##UL
#endif

#define DRAM_BASE        UL_(0x80000000)
#define TEST_FINISHER    UL_(0x00100000)
#define RTC_BASE         UL_(0x00101000)
#define CLINT_BASE       UL_(0x02000000)
#define PLIC_BASE        UL_(0x0c000000)
#define UART0_BASE       UL_(0x10000000)
#define VIRTIO_BASE      UL_(0x10001000)
#define VIRTIO_STRIDE    UL_(0x1000)
#define VIRTIO_COUNT     8

#define UART0_IRQ        10
#define RTC_IRQ          11
#define VIRTIO_IRQ(i)    (1 + (i))

/* CLINT (SiFive layout) */
#define CLINT_MSIP(h)     (CLINT_BASE + UL_(4) * (h))
#define CLINT_MTIMECMP(h) (CLINT_BASE + UL_(0x4000) + UL_(8) * (h))
#define CLINT_MTIME       (CLINT_BASE + UL_(0xbff8))

/* sifive_test finisher */
#define FINISHER_PASS    0x5555
#define FINISHER_FAIL    0x3333

/* Timebase of the virt machine's CLINT (10 MHz). */
#define TIMEBASE_HZ      UL_(10000000)

#define MAX_HARTS        4

#endif
