/**
 * A PCI function's configuration space and BARs, after QEMU 7.2 hw/pci/pci.c: the
 * write mask (pci_init_wmask: command bits IO/MEMORY/MASTER/SERR/INTX_DISABLE, cache line
 * size, interrupt line, the whole device-specific area until a capability claims it),
 * BAR sizing by writing all-ones (the BAR's write mask is ~(size - 1)), capabilities
 * linked at the head of the list as pci_add_capability() does, and pci_bar_address()'s
 * rule for when a BAR decodes (command enable bit, not 0, not wrapping).
 *
 * Deliberate differences: no expansion ROM, no PCIe extended capabilities (QEMU's
 * virt devices on pcie.0 are conventional PCI: extended space reads all-ones), no MSI.
 */
import type { AccessSize, IrqLine } from './device.js';

/** Configuration header offsets (type 0). */
export const PCI_CFG = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION: 0x08,
  CLASS_PROG: 0x09,
  CACHE_LINE_SIZE: 0x0c,
  HEADER_TYPE: 0x0e,
  BAR0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  CAPABILITY_LIST: 0x34,
  INTERRUPT_LINE: 0x3c,
  INTERRUPT_PIN: 0x3d,
} as const;

export const PCI_COMMAND = { IO: 0x1, MEMORY: 0x2, MASTER: 0x4, SERR: 0x100, INTX_DISABLE: 0x400 } as const;
export const PCI_STATUS = { INTERRUPT: 0x08, CAP_LIST: 0x10 } as const;
/** Size of a conventional function's configuration space (the ECAM window gives each 4 KiB). */
export const PCI_CONFIG_SPACE_SIZE = 0x100;
const HEADER_SIZE = 0x40;
const NUM_BARS = 6;
/** The expansion ROM's "BAR" (QEMU's PCI_ROM_SLOT), at configuration offset 0x30. */
export const PCI_ROM_SLOT = 6;
const PCI_ROM_ADDRESS = 0x30;
const PCI_ROM_ADDRESS_ENABLE = 1;

/** Configuration offset of BAR `index` (6 = the expansion ROM). */
function barOffset(index: number): number {
  return index === PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_CFG.BAR0 + 4 * index;
}

/** What a BAR decodes: I/O ports, or memory below 4 GiB, or 64-bit memory (taking the next BAR slot too). */
export type BarKind = 'io' | 'mem32' | 'mem64';

/** Registers behind a BAR, accessed at offsets within it. */
export interface BarHandler {
  read(offset: number, size: AccessSize): bigint;
  write(offset: number, size: AccessSize, value: bigint): void;
}

export interface BarSpec extends BarHandler {
  readonly index: number;
  readonly kind: BarKind;
  /** A power of two. */
  readonly size: number;
  readonly prefetchable?: boolean;
}

export interface PciIdentity {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly revision: number;
  /** class << 16 | subclass << 8 | programming interface. */
  readonly classCode: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  /** 1 = INTA .. 4 = INTD, 0 = no legacy interrupt. */
  readonly interruptPin: number;
}

/** QEMU's PCI_BAR_UNMAPPED. */
export const BAR_UNMAPPED = -1;

export class PciFunction {
  readonly config = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  private readonly wmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  private readonly bars: (BarSpec | undefined)[] = new Array<BarSpec | undefined>(NUM_BARS + 1).fill(undefined);
  private intxLevel = false;
  /** Set by the bus when the function is plugged in: its INTx line after the swizzle. */
  intx: IrqLine | undefined;
  private readonly initial: Uint8Array;

  constructor(readonly identity: PciIdentity, bars: readonly BarSpec[] = [], buildCapabilities?: (fn: PciFunction) => void) {
    const v = this.view();
    v.setUint16(PCI_CFG.VENDOR_ID, identity.vendorId, true);
    v.setUint16(PCI_CFG.DEVICE_ID, identity.deviceId, true);
    v.setUint32(PCI_CFG.REVISION, (identity.classCode << 8) | identity.revision, true);
    v.setUint16(PCI_CFG.SUBSYSTEM_VENDOR_ID, identity.subsystemVendorId, true);
    v.setUint16(PCI_CFG.SUBSYSTEM_ID, identity.subsystemId, true);
    this.config[PCI_CFG.INTERRUPT_PIN] = identity.interruptPin;
    const w = new DataView(this.wmask.buffer);
    this.wmask[PCI_CFG.CACHE_LINE_SIZE] = 0xff;
    this.wmask[PCI_CFG.INTERRUPT_LINE] = 0xff;
    w.setUint16(PCI_CFG.COMMAND, PCI_COMMAND.IO | PCI_COMMAND.MEMORY | PCI_COMMAND.MASTER | PCI_COMMAND.INTX_DISABLE | PCI_COMMAND.SERR, true);
    this.wmask.fill(0xff, HEADER_SIZE);
    for (const bar of bars) this.registerBar(bar);
    buildCapabilities?.(this);
    this.initial = this.config.slice();
  }

  private view(): DataView {
    return new DataView(this.config.buffer);
  }

  /** pci_register_bar(): the type bits in the BAR, the size in its write mask. */
  private registerBar(bar: BarSpec): void {
    if (bar.size & (bar.size - 1)) throw new RangeError(`BAR${bar.index} size ${bar.size} is not a power of two`);
    this.bars[bar.index] = bar;
    const off = barOffset(bar.index);
    const w = new DataView(this.wmask.buffer);
    if (bar.index === PCI_ROM_SLOT) {
      w.setUint32(off, (~(bar.size - 1) | PCI_ROM_ADDRESS_ENABLE) >>> 0, true);
      return;
    }
    const type = bar.kind === 'io' ? 1 : (bar.kind === 'mem64' ? 4 : 0) | (bar.prefetchable ? 8 : 0);
    this.view().setUint32(off, type, true);
    w.setUint32(off, (~(bar.size - 1) & ~(bar.kind === 'io' ? 0x3 : 0xf)) >>> 0, true);
    if (bar.kind === 'mem64') w.setUint32(off + 4, 0xffffffff, true);
  }

  /**
   * pci_add_capability() with an explicit offset: the capability goes at the head of the
   * list and its bytes become read-only (the caller opens the ones the guest may write).
   */
  addCapability(id: number, offset: number, size: number): number {
    this.config[offset] = id;
    this.config[offset + 1] = this.config[PCI_CFG.CAPABILITY_LIST];
    this.config[PCI_CFG.CAPABILITY_LIST] = offset;
    this.view().setUint16(PCI_CFG.STATUS, this.view().getUint16(PCI_CFG.STATUS, true) | PCI_STATUS.CAP_LIST, true);
    this.wmask.fill(0, offset, offset + size);
    return offset;
  }

  /** Let the guest write these configuration bytes (after addCapability made them read-only), `mask` bits of each. */
  setWritable(offset: number, length: number, mask = 0xff): void {
    this.wmask.fill(mask, offset, offset + length);
  }

  /** Back to the power-on configuration (pci_do_device_reset), INTx deasserted. */
  reset(): void {
    this.config.set(this.initial);
    this.setIntx(false);
  }

  /** A configuration read (offset and size within the 256 bytes; the bus handles the rest). */
  readConfig(offset: number, size: number): number {
    let value = 0;
    for (let i = 0; i < size; i++) value |= this.config[offset + i] << (8 * i);
    return value >>> 0;
  }

  /** pci_default_write_config(): only write-mask bits change; INTx disable re-evaluates the line. */
  writeConfig(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const a = offset + i;
      const m = this.wmask[a];
      this.config[a] = (this.config[a] & ~m) | ((value >>> (8 * i)) & m);
    }
    if (offset < PCI_CFG.COMMAND + 2 && offset + size > PCI_CFG.COMMAND) this.updateIntx();
  }

  get command(): number {
    return this.view().getUint16(PCI_CFG.COMMAND, true);
  }

  /** pci_bar_address(): where BAR `index` decodes now, or BAR_UNMAPPED. */
  barAddress(index: number): number {
    const bar = this.bars[index];
    if (!bar) return BAR_UNMAPPED;
    const v = this.view();
    const off = barOffset(index);
    // the ROM decodes only while its enable bit is set (QEMU's pci_bar_address)
    if (index === PCI_ROM_SLOT && !(v.getUint32(off, true) & PCI_ROM_ADDRESS_ENABLE)) return BAR_UNMAPPED;
    if (bar.kind === 'io') {
      if (!(this.command & PCI_COMMAND.IO)) return BAR_UNMAPPED;
      const addr = (v.getUint32(off, true) & ~(bar.size - 1)) >>> 0;
      const last = addr + bar.size - 1;
      return addr === 0 || last >= 0xffffffff ? BAR_UNMAPPED : addr;
    }
    if (!(this.command & PCI_COMMAND.MEMORY)) return BAR_UNMAPPED;
    let addr = (v.getUint32(off, true) & (index === PCI_ROM_SLOT ? ~0x7ff : ~0xf)) >>> 0;
    if (bar.kind === 'mem64') addr += v.getUint32(off + 4, true) * 0x1_0000_0000;
    addr -= addr % bar.size;
    return addr === 0 ? BAR_UNMAPPED : addr;
  }

  /** The BAR of this kind that decodes `addr` (a PCI memory or I/O address), with the offset in it. */
  barAt(space: 'io' | 'mem', addr: number): { handler: BarHandler; offset: number } | undefined {
    for (const bar of this.bars) {
      if (!bar || (bar.kind === 'io') !== (space === 'io')) continue;
      const base = this.barAddress(bar.index);
      if (base !== BAR_UNMAPPED && addr >= base && addr < base + bar.size) return { handler: bar, offset: addr - base };
    }
    return undefined;
  }

  /** The BARs as registered (for `info pci`). */
  barSpecs(): readonly BarSpec[] {
    return this.bars.filter((b): b is BarSpec => b !== undefined);
  }

  /** The device's legacy interrupt (INTx) level; the line follows it unless INTX_DISABLE is set. */
  setIntx(level: boolean): void {
    this.intxLevel = level;
    const v = this.view();
    const status = v.getUint16(PCI_CFG.STATUS, true);
    v.setUint16(PCI_CFG.STATUS, level ? status | PCI_STATUS.INTERRUPT : status & ~PCI_STATUS.INTERRUPT, true);
    this.updateIntx();
  }

  private updateIntx(): void {
    this.intx?.set(this.intxLevel && !(this.command & PCI_COMMAND.INTX_DISABLE));
  }
}

/** A PCI device as the bus sees it: one function (tsemu has no multi-function devices yet). */
export interface PciDevice {
  /** QEMU's type name, e.g. "virtio-blk-pci". */
  readonly typeName: string;
  /** `id=` of -device, "" when none. */
  readonly id: string;
  readonly fn: PciFunction;
  reset?(): void;
  flush?(): void;
}
