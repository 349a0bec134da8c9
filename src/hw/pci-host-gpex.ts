/**
 * The generic PCIe host bridge of QEMU 7.2's virt machine (hw/pci-host/gpex.c,
 * "pci-host-ecam-generic" in the device tree): bus 0 ("pcie.0") with its host bridge
 * function at 00:00.0 (1b36:0008, class 0600, subsystem 1af4:1100), the ECAM window
 * (bus << 20 | device << 15 | function << 12 | register), and the CPU windows onto PCI
 * memory and I/O space, where the BARs the guest programmed decode.
 *
 * As in QEMU (gpex's allow-unmapped-accesses, on by default): configuration reads of an
 * absent function or of extended space (>= 0x100: every function here is conventional
 * PCI) return all-ones, window accesses that hit no BAR read all-ones and writes are
 * ignored. Every window access goes through in 4-byte pieces at most, as QEMU's
 * unassigned_io_ops / pcie_mmcfg_ops (no impl.max_access_size) split them.
 *
 * Legacy interrupts: function pin P (1 = INTA) of slot S raises gpex line
 * (P - 1 + S) % 4 (pci_swizzle_map_irq_fn), which virt wires to PLIC sources 32..35;
 * a line is the OR of the functions on it (QEMU's irq_count).
 */
import type { AccessSize, DevicePlacement, IrqLine, MmioDevice } from './device.js';
import { BAR_UNMAPPED, PCI_CFG, PCI_CONFIG_SPACE_SIZE, type PciDevice, PciFunction } from './pci.js';

export const GPEX_NUM_IRQS = 4;
/** Devices per bus. */
export const PCI_SLOTS = 32;
const ECAM_FUNCTION_SIZE = 0x1000;

/** QEMU's gpex-pcihost "pcie.0" host bridge function. */
function hostBridgeFunction(): PciFunction {
  return new PciFunction({
    vendorId: 0x1b36, deviceId: 0x0008, revision: 0, classCode: 0x060000,
    subsystemVendorId: 0x1af4, subsystemId: 0x1100, interruptPin: 0,
  });
}

export interface GpexWindows {
  ecam: DevicePlacement;
  /** Low MMIO window: CPU address = PCI memory address. */
  mmio: DevicePlacement;
  /** High MMIO window (above 4 GiB): CPU address = PCI memory address. */
  mmioHigh: DevicePlacement;
  /** I/O window: PCI I/O address 0 at `base`. */
  pio: DevicePlacement;
}

/** An all-ones value of `size` bytes: what an unclaimed PCI access reads. */
function allOnes(size: number): bigint {
  return (1n << BigInt(8 * size)) - 1n;
}

/** Split an access into pieces of at most 4 bytes (little-endian), as QEMU's memory core does here. */
function pieces(size: AccessSize): { at: number; size: AccessSize }[] {
  if (size <= 4) return [{ at: 0, size }];
  return [{ at: 0, size: 4 }, { at: 4, size: 4 }];
}

export class GpexHost {
  private readonly slots: (PciDevice | undefined)[] = new Array<PciDevice | undefined>(PCI_SLOTS).fill(undefined);
  private readonly host: PciDevice = { typeName: 'gpex-root', id: '', fn: hostBridgeFunction() };
  /** Per gpex line: the functions asserting it. */
  private readonly lineLevels: Set<PciFunction>[] = Array.from({ length: GPEX_NUM_IRQS }, () => new Set<PciFunction>());
  readonly devices: MmioDevice[];

  /** `irqs[i]` is gpex line i (PLIC source 32 + i on virt). */
  constructor(private readonly irqs: readonly IrqLine[], windows: GpexWindows) {
    this.slots[0] = this.host;
    this.devices = [
      this.window('pcie-ecam', windows.ecam, (o, s) => this.ecamRead(o, s), (o, s, v) => this.ecamWrite(o, s, v)),
      this.window('pcie-mmio', windows.mmio, (o, s) => this.spaceRead('mem', windows.mmio.base + o, s), (o, s, v) => this.spaceWrite('mem', windows.mmio.base + o, s, v)),
      this.window('pcie-mmio-high', windows.mmioHigh, (o, s) => this.spaceRead('mem', windows.mmioHigh.base + o, s), (o, s, v) => this.spaceWrite('mem', windows.mmioHigh.base + o, s, v)),
      this.window('gpex_ioport_window', windows.pio, (o, s) => this.spaceRead('io', o, s), (o, s, v) => this.spaceWrite('io', o, s, v)),
    ];
  }

  private window(name: string, at: DevicePlacement, read: (o: number, s: AccessSize) => bigint, write: (o: number, s: AccessSize, v: bigint) => void): MmioDevice {
    return { name, base: at.base, size: at.size, read, write, reset: name === 'pcie-ecam' ? () => this.reset() : undefined, flush: name === 'pcie-ecam' ? () => this.flush() : undefined };
  }

  /** The first free slot from 1 up (QEMU's automatic devfn), or undefined. */
  freeSlot(): number | undefined {
    for (let s = 1; s < PCI_SLOTS; s++) if (!this.slots[s]) return s;
    return undefined;
  }

  isFree(slot: number): boolean {
    return slot >= 0 && slot < PCI_SLOTS && !this.slots[slot];
  }

  /** Plug `dev` in at `slot` (function 0) and wire its INTx pin through the swizzle. */
  plug(slot: number, dev: PciDevice): void {
    if (!this.isFree(slot)) throw new RangeError(`PCI slot ${slot} is taken`);
    this.slots[slot] = dev;
    const pin = dev.fn.identity.interruptPin;
    if (pin === 0) return;
    const line = (pin - 1 + slot) % GPEX_NUM_IRQS;
    const fn = dev.fn;
    fn.intx = {
      set: (level) => {
        const set = this.lineLevels[line];
        if (level) set.add(fn);
        else set.delete(fn);
        this.irqs[line].set(set.size > 0);
      },
    };
  }

  /** Devices by slot, the host bridge at 0. */
  plugged(): { slot: number; dev: PciDevice }[] {
    const out: { slot: number; dev: PciDevice }[] = [];
    this.slots.forEach((dev, slot) => { if (dev) out.push({ slot, dev }); });
    return out;
  }

  reset(): void {
    for (const { dev } of this.plugged()) {
      dev.fn.reset();
      dev.reset?.();
    }
  }

  flush(): void {
    for (const { dev } of this.plugged()) {
      try { dev.flush?.(); } catch { /* keep flushing the others */ }
    }
  }

  /** The function an ECAM offset addresses: bus 0 only, function 0 only. */
  private ecamFunction(offset: number): PciFunction | undefined {
    const bus = Math.floor(offset / 0x100000);
    const devfn = Math.floor(offset / ECAM_FUNCTION_SIZE) & 0xff;
    if (bus !== 0 || (devfn & 7) !== 0) return undefined;
    return this.slots[devfn >> 3]?.fn;
  }

  private ecamRead(offset: number, size: AccessSize): bigint {
    let value = 0n;
    for (const p of pieces(size)) {
      const fn = this.ecamFunction(offset + p.at);
      const reg = (offset + p.at) % ECAM_FUNCTION_SIZE;
      const v = fn && reg + p.size <= PCI_CONFIG_SPACE_SIZE ? BigInt(fn.readConfig(reg, p.size)) : allOnes(p.size);
      value |= v << BigInt(8 * p.at);
    }
    return value;
  }

  private ecamWrite(offset: number, size: AccessSize, value: bigint): void {
    for (const p of pieces(size)) {
      const fn = this.ecamFunction(offset + p.at);
      const reg = (offset + p.at) % ECAM_FUNCTION_SIZE;
      if (fn && reg + p.size <= PCI_CONFIG_SPACE_SIZE) fn.writeConfig(reg, p.size, Number(BigInt.asUintN(8 * p.size, value >> BigInt(8 * p.at))));
    }
  }

  private barAt(space: 'io' | 'mem', addr: number): ReturnType<PciFunction['barAt']> {
    for (const dev of this.slots) {
      const hit = dev?.fn.barAt(space, addr);
      if (hit) return hit;
    }
    return undefined;
  }

  private spaceRead(space: 'io' | 'mem', addr: number, size: AccessSize): bigint {
    let value = 0n;
    for (const p of pieces(size)) {
      const hit = this.barAt(space, addr + p.at);
      const v = hit ? BigInt.asUintN(8 * p.size, hit.handler.read(hit.offset, p.size)) : allOnes(p.size);
      value |= v << BigInt(8 * p.at);
    }
    return value;
  }

  private spaceWrite(space: 'io' | 'mem', addr: number, size: AccessSize, value: bigint): void {
    for (const p of pieces(size)) {
      const hit = this.barAt(space, addr + p.at);
      hit?.handler.write(hit.offset, p.size, BigInt.asUintN(8 * p.size, value >> BigInt(8 * p.at)));
    }
  }

  /** HMP `info pci`, as QEMU 7.2 prints it. */
  infoPci(): string {
    return this.plugged().map(({ slot, dev }) => describeFunction(slot, dev)).join('');
  }
}

/** QEMU's pci_class_descriptions for the classes tsemu's devices have. */
const CLASS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0100, 'SCSI controller'],
  [0x0200, 'Ethernet controller'],
  [0x0600, 'Host bridge'],
]);

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** One device of `info pci` (hmp_info_pci_device of QEMU 7.2: unmapped BARs print address -1). */
function describeFunction(slot: number, dev: PciDevice): string {
  const fn = dev.fn;
  const c = fn.config;
  const word = (o: number): number => c[o] | (c[o + 1] << 8);
  const cls = word(0x0a);
  const lines = [
    `  Bus  0, device ${String(slot).padStart(3)}, function 0:`,
    `    ${CLASS_NAMES.get(cls) ?? `Class ${String(cls).padStart(4, '0')}`}: PCI device ${hex(word(PCI_CFG.VENDOR_ID), 4)}:${hex(word(PCI_CFG.DEVICE_ID), 4)}`,
    `      PCI subsystem ${hex(word(PCI_CFG.SUBSYSTEM_VENDOR_ID), 4)}:${hex(word(PCI_CFG.SUBSYSTEM_ID), 4)}`,
  ];
  if (c[PCI_CFG.INTERRUPT_PIN] !== 0) lines.push(`      IRQ ${c[PCI_CFG.INTERRUPT_LINE]}, pin ${String.fromCharCode(64 + c[PCI_CFG.INTERRUPT_PIN])}`);
  for (const bar of fn.barSpecs()) {
    const mapped = fn.barAddress(bar.index);
    const addr = mapped === BAR_UNMAPPED ? (1n << 64n) - 1n : BigInt(mapped);
    const last = BigInt.asUintN(64, addr + BigInt(bar.size) - 1n);
    if (bar.kind === 'io') lines.push(`      BAR${bar.index}: I/O at 0x${hex16(addr, 4)} [0x${hex16(last, 4)}].`);
    else lines.push(`      BAR${bar.index}: ${bar.kind === 'mem64' ? 64 : 32} bit${bar.prefetchable ? ' prefetchable' : ''} memory at 0x${hex16(addr, 8)} [0x${hex16(last, 8)}].`);
  }
  lines.push(`      id "${dev.id}"`);
  return lines.map((l) => `${l}\n`).join('');
}

function hex16(n: bigint, width: number): string {
  return n.toString(16).padStart(width, '0');
}
