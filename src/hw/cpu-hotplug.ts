/**
 * tsemu's CPU hot-plug controller: how a guest learns that harts came or
 * went (QEMU's virt has no such device for RISC-V; this one is documented in
 * README.md and described in the device tree as "tsemu,cpu-hotplug").
 *
 *   0x00 PRESENT   (RO)   bit h set while hart h exists
 *   0x04 ADDED     (RW1C) bit h set when hart h was hot-added; write 1 to clear
 *   0x08 REMOVED   (RW1C) bit h set when hart h was hot-removed; write 1 to clear
 *   0x0c MAX_HARTS (RO)   number of slots (-smp maxcpus)
 *
 * The interrupt line (PLIC source CPU_HOTPLUG_IRQ) is high while ADDED or
 * REMOVED has a bit set. A hot-added hart itself starts at the reset vector
 * like a cold-booted one (a0 = hart id, a1 = device tree).
 */
import type { AccessSize, IrqLine, MmioDevice } from './device.js';

export const CPU_HOTPLUG_BASE = 0x102000;
export const CPU_HOTPLUG_SIZE = 0x1000;
export const CPU_HOTPLUG_IRQ = 12;

export class CpuHotplugController implements MmioDevice {
  readonly name = 'cpu-hotplug';
  readonly base = CPU_HOTPLUG_BASE;
  readonly size = CPU_HOTPLUG_SIZE;
  private present = 0;
  private added = 0;
  private removed = 0;

  constructor(private readonly irq: IrqLine, private readonly maxHarts: number, initialHarts: number) {
    this.present = initialHarts >= 32 ? -1 : (1 << initialHarts) - 1;
  }

  read(offset: number, _size: AccessSize): bigint {
    switch (offset) {
      case 0x0: return BigInt(this.present >>> 0);
      case 0x4: return BigInt(this.added >>> 0);
      case 0x8: return BigInt(this.removed >>> 0);
      case 0xc: return BigInt(this.maxHarts);
      default: return 0n;
    }
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    const bits = Number(value & 0xffffffffn);
    if (offset === 0x4) this.added &= ~bits;
    else if (offset === 0x8) this.removed &= ~bits;
    this.update();
  }

  hartAdded(hart: number): void {
    this.present |= 1 << hart;
    this.added |= 1 << hart;
    this.removed &= ~(1 << hart);
    this.update();
  }

  hartRemoved(hart: number): void {
    this.present &= ~(1 << hart);
    this.removed |= 1 << hart;
    this.added &= ~(1 << hart);
    this.update();
  }

  reset(): void {
    this.added = 0;
    this.removed = 0;
    this.update();
  }

  private update(): void {
    this.irq.set((this.added | this.removed) !== 0);
  }
}
