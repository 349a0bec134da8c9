/**
 * tsemu's CPU hot-plug controller: how a guest learns that harts came or
 * went (QEMU's virt has no such device for RISC-V; this one is documented in
 * README.md and described in the device tree as "tsemu,cpu-hotplug").
 *
 *   0x00 PRESENT   (RO)   bit h set while hart h exists
 *   0x04 ADDED     (RW1C) bit h set when hart h was hot-added; write 1 to clear
 *   0x08 REMOVED   (RW1C) bit h set when hart h was hot-removed; write 1 to clear
 *   0x0c MAX_HARTS (RO)   number of slots (-smp maxcpus)
 *   0x100 + 4h GENERATION[h] (RO) how many times hart h has been plugged in (cold plug counts)
 *
 * GENERATION lets firmware tell a hart that came back from one it still thinks runs: a hart
 * removed while running and plugged in again restarts at the reset vector, so anything the
 * firmware kept about it (tsemu-sbi's HSM state) belongs to the previous generation.
 *
 * The interrupt line (PLIC source 12 on virt) is high while ADDED or
 * REMOVED has a bit set. A hot-added hart itself starts at the reset vector
 * like a cold-booted one (a0 = hart id, a1 = device tree).
 */
import type { AccessSize, DevicePlacement, IrqLine, MmioDevice } from './device.js';

const GENERATION_BASE = 0x100;

export class CpuHotplugController implements MmioDevice {
  readonly name = 'cpu-hotplug';
  readonly base: number;
  readonly size: number;
  private present = 0;
  private added = 0;
  private removed = 0;
  private readonly generation: number[];

  constructor(private readonly irq: IrqLine, private readonly maxHarts: number, initialHarts: number, placement: DevicePlacement) {
    this.base = placement.base;
    this.size = placement.size;
    this.present = initialHarts >= 32 ? -1 : (1 << initialHarts) - 1;
    this.generation = Array.from({ length: 32 }, (_, h) => (h < initialHarts ? 1 : 0));
  }

  read(offset: number, _size: AccessSize): bigint {
    switch (offset) {
      case 0x0: return BigInt(this.present >>> 0);
      case 0x4: return BigInt(this.added >>> 0);
      case 0x8: return BigInt(this.removed >>> 0);
      case 0xc: return BigInt(this.maxHarts);
      default:
        if (offset >= GENERATION_BASE && offset < GENERATION_BASE + 4 * 32 && offset % 4 === 0) return BigInt(this.generation[(offset - GENERATION_BASE) / 4] ?? 0);
        return 0n;
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
    this.generation[hart] = (this.generation[hart] ?? 0) + 1;
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
