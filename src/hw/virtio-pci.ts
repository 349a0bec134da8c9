/**
 * virtio-pci after QEMU 7.2 hw/virtio/virtio-pci.c, transitional as QEMU makes a
 * device on the root bus pcie.0 (disable-legacy=auto: legacy stays on when the device
 * is not behind a PCIe port), with the configuration space QEMU builds (measured with
 * a guest on QEMU 7.2):
 *
 * - BAR0: legacy I/O registers (virtio 1.1 spec 4.1.4.8), size = pow2ceil(24 + device
 *   configuration): host/guest features, queue PFN (4 KiB pages, 4 KiB alignment),
 *   queue size/select/notify, status, ISR, device configuration at 0x14 (0x18 while
 *   MSI-X is enabled);
 * - BAR1: the MSI-X table (2 vectors at 0, PBA at 0x800), 4 KiB;
 * - BAR4: 64-bit prefetchable 16 KiB: common configuration at 0, ISR at 0x1000,
 *   device configuration at 0x2000, notifications at 0x3000 (queue n at n * 4);
 * - capabilities, head first: MSI-X at 0x98, then the vendor capabilities at 0x84
 *   (PCI configuration access), 0x70 (notify, multiplier 4), 0x60 (device),
 *   0x50 (ISR), 0x40 (common).
 *
 * Interrupts are INTx (pin A): the line follows ISR bit 0 as QEMU's virtio_pci_notify
 * sets it, and reading the ISR clears it. Features are applied on every driver-feature
 * write (QEMU's virtio_set_features), bits not offered are dropped.
 *
 * Deliberate differences: the expansion ROM BAR (virtio-net-pci's efi-virtio.rom) sizes, maps and
 * shows in `info pci` as QEMU's, but reads as zeros (no iPXE image); MSI-X is described and its table can be written, but no
 * message is ever sent (QEMU 7.2's virt has no MSI controller unless aia= is given, so
 * a guest's MSI-X writes go nowhere there either; a guest that enables MSI-X gets no
 * interrupts on either); the PCI configuration access capability's window
 * (pci_cfg_data) is writable but not forwarded to the BARs; requests complete
 * synchronously on the notify write.
 */
import type { AccessSize, GuestRam } from './device.js';
import { GuestDma } from './guest-dma.js';
import { type BarSpec, PCI_ROM_SLOT, type PciDevice, PciFunction } from './pci.js';
import { featureBit, VIRTIO_F, VIRTIO_ISR, VIRTIO_STATUS, type VirtioDevice, type VirtioQueueAccess } from './virtio.js';
import { queueAccessOver, queueErrorMessage, SplitVirtqueue, VIRTQUEUE_MAX_SIZE } from './virtqueue.js';

const VENDOR_REDHAT_QUMRANET = 0x1af4;
/** Legacy (transitional) PCI device ids by virtio device id (virtio 1.1 spec 4.1.2.1). */
const TRANSITIONAL_IDS: ReadonlyMap<number, number> = new Map([[1, 0x1000], [2, 0x1001], [3, 0x1003], [4, 0x1005]]);
/** QEMU's class codes by virtio device id (the class_code property of each *-pci device). */
const CLASS_CODES: ReadonlyMap<number, number> = new Map([[1, 0x020000], [2, 0x010000], [3, 0x078000], [4, 0x00ff00]]);

const COMMON_FEATURES = featureBit(VIRTIO_F.RING_INDIRECT_DESC) | featureBit(VIRTIO_F.RING_EVENT_IDX);
const MODERN_FEATURES = COMMON_FEATURES | featureBit(VIRTIO_F.VERSION_1) | featureBit(VIRTIO_F.RING_RESET);
/** Legacy host features add NOTIFY_ON_EMPTY, ANY_LAYOUT (27) and BAD_FEATURE (30; virtio_pci_device_plugged adds it). */
const LEGACY_FEATURES = COMMON_FEATURES | featureBit(VIRTIO_F.NOTIFY_ON_EMPTY) | featureBit(27) | featureBit(30);
const DEFAULT_QUEUE_SIZE = 256;
const NO_VECTOR = 0xffff;
/** QEMU's default `vectors` of a virtio-*-pci device (virtio-net-pci and virtio-serial-pci set their own). */
const DEFAULT_MSIX_VECTORS = 2;
const LEGACY_PAGE = 4096;

/** Where the modern structures sit in BAR4 (QEMU's virtio_pci_modern_regions_init). */
const MODERN = { common: 0x0000, isr: 0x1000, device: 0x2000, notify: 0x3000, size: 0x4000, notifyMultiplier: 4 } as const;
const CAP = { common: 0x40, isr: 0x50, device: 0x60, notify: 0x70, pciCfg: 0x84, msix: 0x98 } as const;
const CFG_TYPE = { common: 1, notify: 2, isr: 3, device: 4, pciCfg: 5 } as const;
const PCI_CAP_ID_VNDR = 0x09;
const PCI_CAP_ID_MSIX = 0x11;
const BAR = { legacy: 0, msix: 1, modern: 4 } as const;

/** Common configuration registers (virtio 1.1 spec 4.1.4.3, plus queue_reset of 1.2). */
const COMMON = {
  dfselect: 0x00, df: 0x04, gfselect: 0x08, gf: 0x0c, msix: 0x10, numq: 0x12, status: 0x14, cfggen: 0x15,
  qsel: 0x16, qsize: 0x18, qmsix: 0x1a, qenable: 0x1c, qnoff: 0x1e,
  qdescLo: 0x20, qdescHi: 0x24, qavailLo: 0x28, qavailHi: 0x2c, qusedLo: 0x30, qusedHi: 0x34, qreset: 0x3a,
} as const;

/** Legacy I/O registers. */
const LEGACY = { hostFeatures: 0x00, guestFeatures: 0x04, queuePfn: 0x08, queueNum: 0x0c, queueSel: 0x0e, queueNotify: 0x10, status: 0x12, isr: 0x13, configVector: 0x14, queueVector: 0x16 } as const;

interface QueueSetup {
  num: number;
  enabled: boolean;
  desc: [number, number];
  avail: [number, number];
  used: [number, number];
  vector: number;
  /** Legacy: PFN written (0 = none). */
  pfn: number;
}

function freshSetup(): QueueSetup {
  return { num: 0, enabled: false, desc: [0, 0], avail: [0, 0], used: [0, 0], vector: NO_VECTOR, pfn: 0 };
}

function pow2ceil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export interface VirtioPciOptions {
  /** QEMU's type name ("virtio-blk-pci"). */
  typeName: string;
  id?: string;
  /** A request broke the device (QEMU's virtio_error(), always printed). */
  onDeviceError?: (message: string) => void;
}

export class VirtioPci implements PciDevice {
  readonly typeName: string;
  readonly id: string;
  readonly fn: PciFunction;
  private readonly dma: GuestDma;
  private readonly queues: SplitVirtqueue[];
  private readonly setups: QueueSetup[];
  private readonly queueSize: number;
  private readonly msixVectors: number;
  private readonly msixTable: Uint8Array;
  private dfselect = 0;
  private gfselect = 0;
  private guestFeatures = [0, 0];
  private negotiated = 0n;
  private queueSel = 0;
  private status = 0;
  private isr = 0;
  private configGeneration = 0;
  private configVector = NO_VECTOR;
  private broken = false;

  constructor(ram: GuestRam, readonly device: VirtioDevice, private readonly options: VirtioPciOptions) {
    this.typeName = options.typeName;
    this.id = options.id ?? '';
    this.dma = new GuestDma(ram);
    this.queueSize = device.queueSize ?? DEFAULT_QUEUE_SIZE;
    this.msixVectors = device.msixVectors ?? DEFAULT_MSIX_VECTORS;
    this.msixTable = new Uint8Array(this.msixVectors * 16);
    this.queues = Array.from({ length: device.numQueues }, (_, i) => new SplitVirtqueue(this.dma, i));
    this.setups = Array.from({ length: device.numQueues }, () => freshSetup());
    const legacySize = pow2ceil(24 + device.config().length);
    const bars: BarSpec[] = [
      { index: BAR.legacy, kind: 'io', size: legacySize, read: (o, s) => this.legacyRead(o, s), write: (o, s, v) => this.legacyWrite(o, s, v) },
      { index: BAR.msix, kind: 'mem32', size: 0x1000, read: (o, s) => this.msixRead(o, s), write: (o, s, v) => this.msixWrite(o, s, v) },
      { index: BAR.modern, kind: 'mem64', size: MODERN.size, prefetchable: true, read: (o, s) => this.modernRead(o, s), write: (o, s, v) => this.modernWrite(o, s, v) },
    ];
    // QEMU's romfile (virtio-net-pci: efi-virtio.rom, 256 KiB); tsemu's reads as zeros
    if (device.romSize) bars.push({ index: PCI_ROM_SLOT, kind: 'mem32', size: device.romSize, read: () => 0n, write: () => undefined });
    this.fn = new PciFunction({
      vendorId: VENDOR_REDHAT_QUMRANET,
      deviceId: TRANSITIONAL_IDS.get(device.deviceId) ?? 0x1040 + device.deviceId,
      revision: 0,
      classCode: CLASS_CODES.get(device.deviceId) ?? 0xff0000,
      subsystemVendorId: VENDOR_REDHAT_QUMRANET,
      subsystemId: device.deviceId,
      interruptPin: 1,
    }, bars, (fn) => buildCapabilities(fn, this.msixVectors));
    this.reset();
    device.attach?.(this.queueAccess());
  }

  /** What a device that fills queues on host input (virtio-net's receive queue) may do. */
  private queueAccess(): VirtioQueueAccess {
    return queueAccessOver({
      dma: this.dma,
      queueAt: (q) => this.queues[q],
      running: () => (this.status & VIRTIO_STATUS.DRIVER_OK) !== 0 && !this.broken,
      raiseUsedBuffer: () => this.raiseIsr(VIRTIO_ISR.USED_BUFFER),
      deviceError: (message) => this.deviceError(message),
    });
  }

  /** Queue `index`'s size until the driver sets one (virtio_add_queue's). */
  private sizeOf(index: number): number {
    return this.device.queueSizes?.[index] ?? this.queueSize;
  }

  /** All feature bits offered: the legacy interface also sees the legacy-only ones. */
  private offered(legacy: boolean): bigint {
    const d = this.device;
    return legacy ? d.deviceFeatures | (d.legacyFeatures ?? 0n) | LEGACY_FEATURES : d.deviceFeatures | MODERN_FEATURES;
  }

  /** System reset (the function's configuration space is reset by the bus). */
  reset(): void {
    this.msixTable.fill(0);
    for (let v = 0; v < this.msixVectors; v++) this.msixTable[16 * v + 12] = 1; // vector control: masked
    this.resetTransport();
  }

  flush(): void {
    this.device.flush?.();
  }

  private resetTransport(): void {
    this.dfselect = 0;
    this.gfselect = 0;
    this.guestFeatures = [0, 0];
    for (let i = 0; i < this.setups.length; i++) this.setups[i] = freshSetup();
    this.virtioReset();
  }

  private get msixEnabled(): boolean {
    return (this.fn.config[CAP.msix + 3] & 0x80) !== 0;
  }

  // ---- the modern BAR ---------------------------------------------------------------------

  private modernRead(offset: number, size: AccessSize): bigint {
    if (offset < MODERN.isr) return BigInt(this.commonRead(offset));
    if (offset < MODERN.device) return offset === MODERN.isr ? BigInt(this.readIsr()) : 0n;
    if (offset < MODERN.notify) return this.configRead(offset - MODERN.device, size);
    return 0n;
  }

  private modernWrite(offset: number, size: AccessSize, value: bigint): void {
    const v = Number(BigInt.asUintN(32, value));
    if (offset < MODERN.isr) this.commonWrite(offset, v);
    else if (offset >= MODERN.device && offset < MODERN.notify) this.configWrite(offset - MODERN.device, size, v);
    else if (offset >= MODERN.notify) this.notify(Math.floor((offset - MODERN.notify) / MODERN.notifyMultiplier));
  }

  private commonRead(offset: number): number {
    const q = this.setups[this.queueSel];
    const queue = this.queues[this.queueSel];
    switch (offset) {
      case COMMON.dfselect: return this.dfselect;
      case COMMON.df: return this.dfselect < 2 ? Number(BigInt.asUintN(32, this.offered(false) >> BigInt(32 * this.dfselect))) : 0;
      case COMMON.gfselect: return this.gfselect;
      case COMMON.gf: return this.guestFeatures[this.gfselect] ?? 0;
      case COMMON.msix: return this.configVector;
      case COMMON.numq: return this.queues.length;
      case COMMON.status: return this.status;
      case COMMON.cfggen: return this.configGeneration;
      case COMMON.qsel: return this.queueSel;
      case COMMON.qsize: return q ? (queue?.size || q.num || this.sizeOf(this.queueSel)) : 0;
      case COMMON.qmsix: return q ? q.vector : NO_VECTOR;
      case COMMON.qenable: return q?.enabled ? 1 : 0;
      case COMMON.qnoff: return this.queueSel;
      case COMMON.qdescLo: return q?.desc[0] ?? 0;
      case COMMON.qdescHi: return q?.desc[1] ?? 0;
      case COMMON.qavailLo: return q?.avail[0] ?? 0;
      case COMMON.qavailHi: return q?.avail[1] ?? 0;
      case COMMON.qusedLo: return q?.used[0] ?? 0;
      case COMMON.qusedHi: return q?.used[1] ?? 0;
      default: return 0;
    }
  }

  private commonWrite(offset: number, value: number): void {
    const q = this.setups[this.queueSel];
    switch (offset) {
      case COMMON.dfselect: this.dfselect = value; return;
      case COMMON.gfselect: this.gfselect = value; return;
      case COMMON.gf:
        if (this.gfselect < 2) {
          this.guestFeatures[this.gfselect] = value;
          this.setFeatures((BigInt(this.guestFeatures[1] >>> 0) << 32n) | BigInt(this.guestFeatures[0] >>> 0), false);
        }
        return;
      case COMMON.msix: this.configVector = value < this.msixVectors ? value : NO_VECTOR; return;
      case COMMON.status: this.writeStatus(value & 0xff); return;
      case COMMON.qsel: if (value < this.queues.length) this.queueSel = value; return;
      default: break;
    }
    if (!q) return;
    switch (offset) {
      case COMMON.qsize: q.num = value & 0xffff; return;
      case COMMON.qmsix: q.vector = (value & 0xffff) < this.msixVectors ? value & 0xffff : NO_VECTOR; return;
      case COMMON.qenable: if (value === 1) this.enableQueue(this.queueSel); return;
      case COMMON.qdescLo: q.desc[0] = value; return;
      case COMMON.qdescHi: q.desc[1] = value; return;
      case COMMON.qavailLo: q.avail[0] = value; return;
      case COMMON.qavailHi: q.avail[1] = value; return;
      case COMMON.qusedLo: q.used[0] = value; return;
      case COMMON.qusedHi: q.used[1] = value; return;
      case COMMON.qreset: if (value === 1) this.resetQueue(this.queueSel); return;
      default: return;
    }
  }

  private enableQueue(index: number): void {
    const q = this.setups[index];
    const queue = this.queues[index];
    if (!q || !queue) return;
    const num = q.num !== 0 && q.num <= VIRTQUEUE_MAX_SIZE ? q.num : this.sizeOf(index);
    queue.activate(num, join64(q.desc), join64(q.avail), join64(q.used));
    q.enabled = true;
  }

  private resetQueue(index: number): void {
    const q = this.setups[index];
    const queue = this.queues[index];
    if (!q || !queue) return;
    this.setups[index] = freshSetup();
    queue.activate(0, 0, 0, 0);
  }

  // ---- the legacy I/O BAR ---------------------------------------------------------------

  private get legacyConfigOffset(): number {
    return this.msixEnabled ? 0x18 : 0x14;
  }

  private legacyRead(offset: number, size: AccessSize): bigint {
    if (offset >= this.legacyConfigOffset) return this.configRead(offset - this.legacyConfigOffset, size);
    const q = this.setups[this.queueSel];
    switch (offset) {
      case LEGACY.hostFeatures: return BigInt.asUintN(32, this.offered(true));
      case LEGACY.guestFeatures: return BigInt.asUintN(32, this.negotiated);
      case LEGACY.queuePfn: return BigInt(q?.pfn ?? 0);
      case LEGACY.queueNum: return BigInt(this.queues[this.queueSel]?.size || (q ? this.sizeOf(this.queueSel) : 0));
      case LEGACY.queueSel: return BigInt(this.queueSel);
      case LEGACY.status: return BigInt(this.status);
      case LEGACY.isr: return BigInt(this.readIsr());
      case LEGACY.configVector: return BigInt(this.configVector);
      case LEGACY.queueVector: return BigInt(q?.vector ?? NO_VECTOR);
      default: return 0n;
    }
  }

  private legacyWrite(offset: number, size: AccessSize, value: bigint): void {
    const v = Number(BigInt.asUintN(32, value));
    if (offset >= this.legacyConfigOffset) {
      this.configWrite(offset - this.legacyConfigOffset, size, v);
      return;
    }
    switch (offset) {
      case LEGACY.guestFeatures: this.setFeatures(BigInt(v), true); return;
      case LEGACY.queuePfn: this.setLegacyPfn(v); return;
      case LEGACY.queueSel: if (v < this.queues.length) this.queueSel = v; return;
      case LEGACY.queueNotify: this.notify(v & 0xffff); return;
      case LEGACY.status: this.writeStatus(v & 0xff); return;
      case LEGACY.configVector: this.configVector = v < this.msixVectors ? v : NO_VECTOR; return;
      case LEGACY.queueVector: {
        const q = this.setups[this.queueSel];
        if (q) q.vector = (v & 0xffff) < this.msixVectors ? v & 0xffff : NO_VECTOR;
        return;
      }
      default: return;
    }
  }

  /** Legacy QueuePFN: the whole ring at PFN * 4096, used ring aligned to 4096; 0 resets the device. */
  private setLegacyPfn(pfn: number): void {
    const q = this.setups[this.queueSel];
    const queue = this.queues[this.queueSel];
    if (!q || !queue) return;
    if (pfn === 0) {
      this.virtioReset();
      return;
    }
    q.pfn = pfn;
    const num = queue.size || this.sizeOf(this.queueSel);
    const desc = pfn * LEGACY_PAGE;
    const avail = desc + 16 * num;
    const used = Math.ceil((avail + 4 + 2 * num) / LEGACY_PAGE) * LEGACY_PAGE;
    queue.activate(num, desc, avail, used);
    q.enabled = true;
  }

  // ---- MSI-X table (stored, never delivered) -----------------------------------------------

  private msixRead(offset: number, size: AccessSize): bigint {
    if (offset >= 0x800) return 0n; // PBA: nothing is ever pending
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.msixTable[offset + i] ?? 0);
    return v;
  }

  private msixWrite(offset: number, size: AccessSize, value: bigint): void {
    if (offset >= this.msixTable.length) return;
    for (let i = 0; i < size; i++) if (offset + i < this.msixTable.length) this.msixTable[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  // ---- shared by both interfaces ----------------------------------------------------------

  private configRead(offset: number, size: AccessSize): bigint {
    const config = this.device.config();
    if (offset + size > config.length) return (1n << BigInt(8 * size)) - 1n; // QEMU: all ones past the end
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(config[offset + i] ?? 0);
    return value;
  }

  private configWrite(offset: number, size: AccessSize, value: number): void {
    if (!this.device.writeConfig || size > 4 || offset + size > this.device.config().length) return;
    this.device.writeConfig(offset, size as 1 | 2 | 4, value);
  }

  /** Reading the ISR returns it and clears it, lowering INTx (virtio_pci_isr_read). */
  private readIsr(): number {
    const isr = this.isr;
    this.isr = 0;
    this.updateIrq();
    return isr;
  }

  private writeStatus(value: number): void {
    const newlyDriverOk = (value & VIRTIO_STATUS.DRIVER_OK) !== 0 && !(this.status & VIRTIO_STATUS.DRIVER_OK);
    this.status = value;
    if (newlyDriverOk) this.device.driverOk?.(this.negotiated);
    if (value === 0) this.virtioReset();
  }

  /** QEMU's virtio_set_features: ignored once FEATURES_OK is set; bits not offered are dropped. */
  private setFeatures(wanted: bigint, legacy: boolean): void {
    if (this.status & VIRTIO_STATUS.FEATURES_OK) return;
    const accepted = wanted & this.offered(legacy);
    this.negotiated = accepted;
    for (const q of this.queues) q?.negotiate(accepted);
    this.device.featuresNegotiated?.(accepted);
  }

  private notify(index: number): void {
    const queue = this.queues[index];
    if (!queue || queue.size === 0 || queue.descAddr === 0 || this.broken) return;
    try {
      if (this.device.queueNotified?.(index)) return;
      if (queue.serve((chain) => this.device.handleChain(queue.index, chain, this.dma))) this.raiseIsr(VIRTIO_ISR.USED_BUFFER);
    } catch (err) {
      this.deviceError(queueErrorMessage(err));
    }
  }

  private deviceError(message: string): void {
    this.options.onDeviceError?.(message);
    this.broken = true;
    if (!(this.negotiated & featureBit(VIRTIO_F.VERSION_1))) return;
    this.status |= VIRTIO_STATUS.NEEDS_RESET;
    if (this.status & VIRTIO_STATUS.DRIVER_OK) {
      this.configGeneration = (this.configGeneration + 1) & 0xff;
      this.raiseIsr(VIRTIO_ISR.CONFIG_CHANGE | VIRTIO_ISR.USED_BUFFER);
    }
  }

  /** virtio_reset(): status, ISR, features, vectors and queues; queue sizes back to the device's. */
  private virtioReset(): void {
    this.device.reset();
    this.status = 0;
    this.isr = 0;
    this.queueSel = 0;
    this.negotiated = 0n;
    this.broken = false;
    this.configVector = NO_VECTOR;
    for (let i = 0; i < this.queues.length; i++) {
      this.setups[i] = freshSetup();
      this.queues[i].reset();
    }
    this.updateIrq();
  }

  private raiseIsr(bits: number): void {
    this.isr |= bits;
    this.updateIrq();
  }

  /** virtio_pci_notify: with MSI-X off, INTx follows ISR bit 0. */
  private updateIrq(): void {
    this.fn.setIntx(!this.msixEnabled && (this.isr & VIRTIO_ISR.USED_BUFFER) !== 0);
  }
}

/** The capability list QEMU 7.2 gives a transitional virtio-pci device (offsets measured on QEMU). */
function buildCapabilities(fn: PciFunction, msixVectors: number): void {
  const c = fn.config;
  const v = new DataView(c.buffer);
  const vendorCap = (at: number, type: number, len: number, offset: number, length: number): void => {
    fn.addCapability(PCI_CAP_ID_VNDR, at, len);
    c[at + 2] = len;
    c[at + 3] = type;
    c[at + 4] = BAR.modern;
    v.setUint32(at + 8, offset, true);
    v.setUint32(at + 12, length, true);
  };
  vendorCap(CAP.common, CFG_TYPE.common, 0x10, MODERN.common, 0x1000);
  vendorCap(CAP.isr, CFG_TYPE.isr, 0x10, MODERN.isr, 0x1000);
  vendorCap(CAP.device, CFG_TYPE.device, 0x10, MODERN.device, 0x1000);
  vendorCap(CAP.notify, CFG_TYPE.notify, 0x14, MODERN.notify, 0x1000);
  v.setUint32(CAP.notify + 16, MODERN.notifyMultiplier, true);
  vendorCap(CAP.pciCfg, CFG_TYPE.pciCfg, 0x14, 0, 0);
  c[CAP.pciCfg + 4] = 0;
  fn.setWritable(CAP.pciCfg + 4, 1); // cap.bar
  fn.setWritable(CAP.pciCfg + 8, 8); // cap.offset, cap.length
  fn.setWritable(CAP.pciCfg + 16, 4); // pci_cfg_data
  fn.addCapability(PCI_CAP_ID_MSIX, CAP.msix, 12);
  v.setUint16(CAP.msix + 2, msixVectors - 1, true);
  v.setUint32(CAP.msix + 4, BAR.msix, true); // table at offset 0 of BAR1
  v.setUint32(CAP.msix + 8, 0x800 | BAR.msix, true); // PBA at 0x800 of BAR1
  fn.setWritable(CAP.msix + 3, 1, 0xc0); // message control: only MSI-X enable and function mask
}

function join64([low, high]: [number, number]): number {
  return (high >>> 0) * 0x1_0000_0000 + (low >>> 0);
}
