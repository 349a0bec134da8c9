/**
 * The QEMU `virt` machine's memory map and interrupt numbers (hw/riscv/virt.c).
 * Everything that places a device or writes the device tree reads it from here.
 */
export const VIRT = {
  mrom: { base: 0x1000, size: 0xf000 },
  test: { base: 0x100000, size: 0x1000 },
  rtc: { base: 0x101000, size: 0x1000 },
  /** tsemu's CPU hot-plug controller (src/hw/cpu-hotplug.ts), present when -smp maxcpus leaves room; not in QEMU. */
  cpuHotplug: { base: 0x102000, size: 0x1000 },
  clint: { base: 0x2000000, size: 0x10000 },
  plic: { base: 0xc000000, size: 0x600000 },
  uart0: { base: 0x10000000, size: 0x100 },
  virtio: { base: 0x10001000, size: 0x1000, count: 8 },
  dram: { base: 0x80000000 },
} as const;

export const VIRT_IRQ = {
  uart0: 10,
  rtc: 11,
  /** tsemu's CPU hot-plug controller. */
  cpuHotplug: 12,
  /** virtio-mmio transport i uses IRQ virtioBase + i (1..8). */
  virtioBase: 1,
} as const;

/** Number of PLIC interrupt sources on virt (source 0 is reserved). */
export const PLIC_NUM_SOURCES = 96;
/** CLINT timebase: 10 MHz, as QEMU's virt machine. */
export const TIMEBASE_FREQ = 10_000_000;
