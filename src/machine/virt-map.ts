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
  pciePio: { base: 0x3000000, size: 0x10000 },
  uart0: { base: 0x10000000, size: 0x100 },
  virtio: { base: 0x10001000, size: 0x1000, count: 8 },
  fwCfg: { base: 0x10100000, size: 0x18 },
  /** Two pflash banks of 32 MiB each (flash0 at the base, flash1 after it). */
  flash: { base: 0x20000000, size: 0x4000000 },
  pcieEcam: { base: 0x30000000, size: 0x10000000 },
  pcieMmio: { base: 0x40000000, size: 0x40000000 },
  dram: { base: 0x80000000 },
} as const;

/** Size of the high PCIe MMIO window on rv64 (VIRT64_HIGH_PCIE_MMIO_SIZE). */
const PCIE_MMIO_HIGH_SIZE = 0x4_0000_0000;

/** QEMU 7.2's high PCIe window: 16 GiB at the end of RAM rounded up to its size (16 GiB for up to 14 GiB of RAM). */
export function pcieMmioHigh(ramSize: number): { base: number; size: number } {
  const end = VIRT.dram.base + ramSize;
  return { base: Math.ceil(end / PCIE_MMIO_HIGH_SIZE) * PCIE_MMIO_HIGH_SIZE, size: PCIE_MMIO_HIGH_SIZE };
}

export const VIRT_IRQ = {
  uart0: 10,
  rtc: 11,
  /** tsemu's CPU hot-plug controller. */
  cpuHotplug: 12,
  /** virtio-mmio transport i uses IRQ virtioBase + i (1..8). */
  virtioBase: 1,
  /** PCIe INTA..INTD (gpex lines 0..3) on PLIC sources 32..35. */
  pcieBase: 0x20,
} as const;

/** Number of PLIC interrupt sources on virt (source 0 is reserved). */
export const PLIC_NUM_SOURCES = 96;
/** CLINT timebase: 10 MHz, as QEMU's virt machine. */
export const TIMEBASE_FREQ = 10_000_000;
