/**
 * virtio-mmio transport after QEMU 7.2 hw/virtio/virtio-mmio.c, in both of its
 * modes, chosen per transport (`-global virtio-mmio.force-legacy=on|off`,
 * QEMU's default on):
 *
 * - legacy (Version 1, virtio 1.1 spec 4.2.4): HostFeatures word 0 only,
 *   GuestFeatures applied as written, GuestPageSize, QueueAlign and QueuePFN
 *   (the queue is one area: descriptors, available ring, used ring at the
 *   next QueueAlign boundary; QueuePFN = 0 resets the device);
 * - modern (Version 2, spec 4.2.2): 64-bit features applied at FEATURES_OK,
 *   separate descriptor/driver/device addresses, QueueReady,
 *   ConfigGeneration; VERSION_1 and RING_RESET offered.
 *
 * As in QEMU, FEATURES_OK is never refused (bits not offered are dropped) and
 * a queue keeps its size (256 for virtio-blk) until the driver writes another
 * non-zero one. Accesses QEMU logs with LOG_GUEST_ERROR (the other mode's
 * registers, wrong sizes, read-only or write-only registers, unknown offsets)
 * go to `onError` in QEMU's words, and read 0 or are ignored.
 *
 * A transport without a device is the "empty slot" QEMU's virt machine
 * exposes: magic, version and vendor read back, device ID 0, everything else
 * reads 0 and ignores writes, so drivers skip it quietly.
 *
 * Requests are processed synchronously when the driver writes QueueNotify.
 * A broken request stops the device until a reset (QEMU's virtio_error(),
 * reported through `onDeviceError`); when VERSION_1 was negotiated the device
 * also sets NEEDS_RESET and raises a configuration-change interrupt.
 */
import type { AccessSize, DevicePlacement, GuestRam, IrqLine, MmioDevice } from './device.js';
import { GuestDma } from './guest-dma.js';
import { featureBit, VIRTIO_F, VIRTIO_ISR, VIRTIO_STATUS, type VirtioDevice, type VirtioQueueAccess } from './virtio.js';
import { queueAccessOver, queueErrorMessage, SplitVirtqueue, VIRTQUEUE_MAX_SIZE } from './virtqueue.js';

export const VIRTIO_MMIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_MMIO_VERSION = 2;
export const VIRTIO_MMIO_VERSION_LEGACY = 1;
export const VIRTIO_MMIO_VENDOR = 0x554d4551; // "QEMU"

/** Register offsets (spec 4.2.2 and, for the legacy ones, 4.2.4). */
export const VirtioMmioReg = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceId: 0x008,
  VendorId: 0x00c,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  GuestPageSize: 0x028, // legacy
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  QueueAlign: 0x03c, // legacy
  QueuePfn: 0x040, // legacy
  QueueReady: 0x044,
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptAck: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
  ShmSel: 0x0ac,
  ShmLenLow: 0x0b0,
  ShmLenHigh: 0x0b4,
  ShmBaseLow: 0x0b8,
  ShmBaseHigh: 0x0bc,
  ConfigGeneration: 0x0fc,
  Config: 0x100,
} as const;

/** Queue selector limit (QEMU's VIRTIO_QUEUE_MAX). */
const VIRTIO_QUEUE_MAX = 1024;
/** QEMU's default vring alignment (VIRTIO_PCI_VRING_ALIGN), until the driver writes QueueAlign. */
const DEFAULT_VRING_ALIGN = 4096;
/** Queue size of a device that does not say (QEMU's virtio-blk queue-size). */
const DEFAULT_QUEUE_SIZE = 256;
/** Feature bits every transport offers (QEMU's common virtio features). */
const COMMON_FEATURES = featureBit(VIRTIO_F.RING_INDIRECT_DESC) | featureBit(VIRTIO_F.RING_EVENT_IDX);
const MODERN_FEATURES = COMMON_FEATURES | featureBit(VIRTIO_F.VERSION_1) | featureBit(VIRTIO_F.RING_RESET);
const LEGACY_FEATURES = COMMON_FEATURES | featureBit(VIRTIO_F.NOTIFY_ON_EMPTY);

/** Registers only one of the two modes has, for QEMU's "in legacy mode" / "in non-legacy mode" complaints. */
const LEGACY_ONLY: readonly number[] = [VirtioMmioReg.GuestPageSize, VirtioMmioReg.QueueAlign, VirtioMmioReg.QueuePfn];
const MODERN_ONLY_WRITE: readonly number[] = [
  VirtioMmioReg.QueueReady, VirtioMmioReg.QueueDescLow, VirtioMmioReg.QueueDescHigh, VirtioMmioReg.QueueDriverLow,
  VirtioMmioReg.QueueDriverHigh, VirtioMmioReg.QueueDeviceLow, VirtioMmioReg.QueueDeviceHigh,
];
/** What QEMU's read switch calls write-only. */
const WRITE_ONLY: readonly number[] = [
  VirtioMmioReg.DeviceFeaturesSel, VirtioMmioReg.DriverFeatures, VirtioMmioReg.DriverFeaturesSel,
  VirtioMmioReg.GuestPageSize, VirtioMmioReg.QueueSel, VirtioMmioReg.QueueNum, VirtioMmioReg.QueueAlign,
  VirtioMmioReg.QueueNotify, VirtioMmioReg.InterruptAck, VirtioMmioReg.QueueDescLow, VirtioMmioReg.QueueDescHigh,
  VirtioMmioReg.QueueDriverLow, VirtioMmioReg.QueueDriverHigh, VirtioMmioReg.QueueDeviceLow, VirtioMmioReg.QueueDeviceHigh,
];
const READ_ONLY: readonly number[] = [
  VirtioMmioReg.MagicValue, VirtioMmioReg.Version, VirtioMmioReg.DeviceId, VirtioMmioReg.VendorId,
  VirtioMmioReg.DeviceFeatures, VirtioMmioReg.QueueNumMax, VirtioMmioReg.InterruptStatus, VirtioMmioReg.ConfigGeneration,
];

/** One queue as the transport sees it: QEMU's vring num/align/desc and the modern proxy registers. */
interface QueueState {
  /** Entries (QEMU's vring.num): the device's size until the driver writes another non-zero one. */
  num: number;
  /** Legacy: QueueAlign, kept across device resets as in QEMU. */
  align: number;
  /** Legacy: descriptor table address (QueuePFN << page shift), 0 = not set up. */
  legacyDesc: number;
  /** Modern: what the driver programs before QueueReady. */
  modernNum: number;
  desc: [number, number];
  driver: [number, number];
  device: [number, number];
  ready: boolean;
}

function freshQueue(num: number): QueueState {
  return { num, align: DEFAULT_VRING_ALIGN, legacyDesc: 0, modernNum: 0, desc: [0, 0], driver: [0, 0], device: [0, 0], ready: false };
}

export interface VirtioMmioOptions extends DevicePlacement {
  name?: string;
  /** QEMU's force-legacy property: true = version 1 (QEMU 7.2's default), false = version 2. */
  legacy: boolean;
  /** Guest misuse of the registers, in QEMU's LOG_GUEST_ERROR words (printed with -d guest_errors). */
  onError?: (message: string) => void;
  /** A request broke the device (QEMU's virtio_error(), which QEMU always prints). */
  onDeviceError?: (message: string) => void;
}

export class VirtioMmio implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly legacy: boolean;

  private readonly dma: GuestDma;
  private readonly queues: SplitVirtqueue[];
  private readonly setups: QueueState[];
  private readonly queueSize: number;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatures = [0, 0];
  private negotiated = 0n;
  private guestPageShift = 0;
  private queueSel = 0;
  private status = 0;
  private isr = 0;
  private configGeneration = 0;
  private broken = false;

  constructor(
    private readonly irq: IrqLine,
    ram: GuestRam,
    /** The device behind the transport, or null for an empty slot. */
    readonly device: VirtioDevice | null,
    private readonly options: VirtioMmioOptions,
  ) {
    this.name = options.name ?? 'virtio-mmio';
    this.base = options.base;
    this.size = options.size;
    this.legacy = options.legacy;
    this.dma = new GuestDma(ram);
    this.queueSize = device?.queueSize ?? DEFAULT_QUEUE_SIZE;
    const numQueues = device?.numQueues ?? 0;
    this.queues = Array.from({ length: numQueues }, (_, i) => new SplitVirtqueue(this.dma, i));
    this.setups = Array.from({ length: numQueues }, (_, i) => freshQueue(this.sizeOf(i)));
    device?.attach?.(this.queueAccess());
  }

  /** Queue `index`'s size until the driver sets one (virtio_add_queue's; virtio-net's control queue has 64). */
  private sizeOf(index: number): number {
    return this.device?.queueSizes?.[index] ?? this.queueSize;
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

  /** All feature bits offered to the driver. */
  get offeredFeatures(): bigint {
    const device = this.device;
    if (!device) return 0n;
    if (this.legacy) return device.deviceFeatures | (device.legacyFeatures ?? 0n) | LEGACY_FEATURES;
    return device.deviceFeatures | MODERN_FEATURES;
  }

  get deviceStatus(): number {
    return this.status;
  }

  get interruptStatus(): number {
    return this.isr;
  }

  /** Features the driver accepted (legacy: as written; modern: valid once FEATURES_OK is set). */
  get negotiatedFeatures(): bigint {
    return this.negotiated;
  }

  private get version(): number {
    return this.legacy ? VIRTIO_MMIO_VERSION_LEGACY : VIRTIO_MMIO_VERSION;
  }

  /** System reset: the device and all transport registers return to power-on state (QEMU's virtio_mmio_reset). */
  reset(): void {
    this.deviceFeaturesSel = 0;
    this.driverFeaturesSel = 0;
    this.guestPageShift = 0;
    this.driverFeatures = [0, 0];
    for (let i = 0; i < this.setups.length; i++) this.setups[i] = freshQueue(this.sizeOf(i));
    this.virtioReset();
  }

  flush(): void {
    this.device?.flush?.();
  }

  read(offset: number, size: AccessSize): bigint {
    // QEMU's memory core splits an 8-byte access into two 4-byte ones (the ops' default maximum)
    if (size === 8) return this.read(offset, 4) | (this.read(offset + 4, 4) << 32n);
    if (!this.device) return BigInt(this.readEmptySlot(offset, size));
    if (offset >= VirtioMmioReg.Config) return this.readConfig(offset - VirtioMmioReg.Config, size);
    if (size !== 4) {
      this.guestError('virtio_mmio_read: wrong size access to register!');
      return 0n;
    }
    return BigInt(this.readRegister(offset) >>> 0);
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (size === 8) {
      this.write(offset, 4, value & 0xffffffffn);
      this.write(offset + 4, 4, (value >> 32n) & 0xffffffffn);
      return;
    }
    if (!this.device) return;
    if (offset >= VirtioMmioReg.Config) {
      this.writeConfig(offset - VirtioMmioReg.Config, size, value);
      return;
    }
    if (size !== 4) {
      this.guestError('virtio_mmio_write: wrong size access to register!');
      return;
    }
    this.writeRegister(offset, Number(value & 0xffffffffn));
  }

  private guestError(message: string): void {
    this.options.onError?.(message);
  }

  private readEmptySlot(offset: number, size: AccessSize): number {
    if (size !== 4) return 0;
    switch (offset) {
      case VirtioMmioReg.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case VirtioMmioReg.Version:
        return this.version;
      case VirtioMmioReg.VendorId:
        return VIRTIO_MMIO_VENDOR;
      default:
        return 0;
    }
  }

  private readRegister(offset: number): number {
    const device = this.device;
    if (!device) return 0;
    switch (offset) {
      case VirtioMmioReg.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case VirtioMmioReg.Version:
        return this.version;
      case VirtioMmioReg.DeviceId:
        return device.deviceId;
      case VirtioMmioReg.VendorId:
        return VIRTIO_MMIO_VENDOR;
      case VirtioMmioReg.DeviceFeatures:
        // legacy HostFeatures has one word: HostFeaturesSel 1 reads 0
        if (this.legacy && this.deviceFeaturesSel) return 0;
        return Number((this.offeredFeatures >> BigInt(32 * this.deviceFeaturesSel)) & 0xffffffffn);
      case VirtioMmioReg.QueueNumMax:
        return (this.setups[this.queueSel]?.num ?? 0) !== 0 ? VIRTQUEUE_MAX_SIZE : 0;
      case VirtioMmioReg.QueuePfn:
        if (!this.legacy) return this.wrongMode('read from legacy register', offset, 'non-legacy');
        return Math.floor((this.setups[this.queueSel]?.legacyDesc ?? 0) / 2 ** this.guestPageShift);
      case VirtioMmioReg.QueueReady:
        if (this.legacy) return this.wrongMode('read from non-legacy register', offset, 'legacy');
        return this.setups[this.queueSel]?.ready ? 1 : 0;
      case VirtioMmioReg.InterruptStatus:
        return this.isr;
      case VirtioMmioReg.Status:
        return this.status;
      case VirtioMmioReg.ConfigGeneration:
        if (this.legacy) return this.wrongMode('read from non-legacy register', offset, 'legacy');
        return this.configGeneration;
      case VirtioMmioReg.ShmLenLow:
      case VirtioMmioReg.ShmLenHigh:
        return 0xffffffff; // no shared memory regions: length -1, as QEMU reports
      default:
        this.guestError(WRITE_ONLY.includes(offset)
          ? `virtio_mmio_read: read of write-only register (0x${hex(offset)})`
          : `virtio_mmio_read: bad register offset (0x${hex(offset)})`);
        return 0;
    }
  }

  /** Logs QEMU's complaint about a register of the other mode; the access reads 0 / is ignored. */
  private wrongMode(what: string, offset: number, mode: 'legacy' | 'non-legacy'): number {
    const fn = what.startsWith('read') ? 'virtio_mmio_read' : 'virtio_mmio_write';
    this.guestError(`${fn}: ${what} (0x${hex(offset)}) in ${mode} mode`);
    return 0;
  }

  private writeRegister(offset: number, value: number): void {
    if (this.legacy && MODERN_ONLY_WRITE.includes(offset)) {
      this.wrongMode('write to non-legacy register', offset, 'legacy');
      return;
    }
    if (!this.legacy && LEGACY_ONLY.includes(offset)) {
      this.wrongMode('write to legacy register', offset, 'non-legacy');
      return;
    }
    if (READ_ONLY.includes(offset)) {
      this.guestError(`virtio_mmio_write: write to read-only register (0x${hex(offset)})`);
      return;
    }
    if (!this.writeCommonRegister(offset, value) && !this.writeQueueRegister(offset, value)) {
      this.guestError(`virtio_mmio_write: bad register offset (0x${hex(offset)})`);
    }
  }

  /** Registers outside queue setup; false if `offset` is not one of them. */
  private writeCommonRegister(offset: number, value: number): boolean {
    switch (offset) {
      case VirtioMmioReg.DeviceFeaturesSel:
        this.deviceFeaturesSel = value ? 1 : 0;
        return true;
      case VirtioMmioReg.DriverFeatures:
        this.writeDriverFeatures(value);
        return true;
      case VirtioMmioReg.DriverFeaturesSel:
        this.driverFeaturesSel = value ? 1 : 0;
        return true;
      case VirtioMmioReg.GuestPageSize:
        // QEMU keeps log2 of the lowest set bit; 0 means a shift of 0
        this.guestPageShift = value === 0 ? 0 : 31 - Math.clz32(value & -value);
        return true;
      case VirtioMmioReg.QueueSel:
        if (value < VIRTIO_QUEUE_MAX) this.queueSel = value;
        return true;
      case VirtioMmioReg.QueueNotify:
        if (value < VIRTIO_QUEUE_MAX) this.notify(value);
        return true;
      case VirtioMmioReg.InterruptAck:
        this.isr &= ~value;
        this.updateIrq();
        return true;
      case VirtioMmioReg.Status:
        this.writeStatus(value & 0xff);
        return true;
      default:
        return false;
    }
  }

  /** Queue setup registers of either mode; false if `offset` is not one of them. */
  private writeQueueRegister(offset: number, value: number): boolean {
    const q = this.setups[this.queueSel];
    switch (offset) {
      case VirtioMmioReg.QueueNum:
        if (!q) return true;
        setNum(q, value);
        if (this.legacy) this.updateLegacyRings();
        else q.modernNum = value;
        return true;
      case VirtioMmioReg.QueueAlign:
        if (q && value) {
          q.align = value;
          this.updateLegacyRings();
        }
        return true;
      case VirtioMmioReg.QueuePfn:
        if (value === 0) this.virtioReset();
        else if (q && q.num) {
          q.legacyDesc = value * 2 ** this.guestPageShift;
          this.updateLegacyRings();
        }
        return true;
      case VirtioMmioReg.QueueReady:
        this.setQueueReady(value !== 0);
        return true;
      case VirtioMmioReg.QueueDescLow:
      case VirtioMmioReg.QueueDescHigh:
        if (q) q.desc[offset === VirtioMmioReg.QueueDescLow ? 0 : 1] = value;
        return true;
      case VirtioMmioReg.QueueDriverLow:
      case VirtioMmioReg.QueueDriverHigh:
        if (q) q.driver[offset === VirtioMmioReg.QueueDriverLow ? 0 : 1] = value;
        return true;
      case VirtioMmioReg.QueueDeviceLow:
      case VirtioMmioReg.QueueDeviceHigh:
        if (q) q.device[offset === VirtioMmioReg.QueueDeviceLow ? 0 : 1] = value;
        return true;
      default:
        return false;
    }
  }

  /** Legacy: GuestFeatures takes effect at once (word 0 only); modern: kept until FEATURES_OK. */
  private writeDriverFeatures(value: number): void {
    if (!this.legacy) {
      this.driverFeatures[this.driverFeaturesSel] = value;
      return;
    }
    if (this.driverFeaturesSel) {
      this.guestError('virtio_mmio_write: attempt to write guest features with guest_features_sel > 0 in legacy mode');
      return;
    }
    this.setFeatures(BigInt(value >>> 0));
  }

  /** Legacy queue layout (QEMU's virtio_queue_update_rings): avail after the table, used at the next QueueAlign boundary. */
  private updateLegacyRings(): void {
    const q = this.setups[this.queueSel];
    const queue = this.queues[this.queueSel];
    if (!q || !queue || !q.num || !q.legacyDesc || !q.align) return;
    const avail = q.legacyDesc + 16 * q.num;
    const used = Math.ceil((avail + 4 + 2 * q.num) / q.align) * q.align;
    queue.activate(q.num, q.legacyDesc, avail, used);
  }

  private readConfig(offset: number, size: 1 | 2 | 4): bigint {
    const config = this.device?.config() ?? new Uint8Array(0);
    if (offset + size > config.length) return (1n << BigInt(8 * size)) - 1n; // QEMU: all ones
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(config[offset + i] ?? 0);
    return value;
  }

  private writeConfig(offset: number, size: 1 | 2 | 4, value: bigint): void {
    if (!this.device?.writeConfig) return;
    if (offset + size > this.device.config().length) return;
    this.device.writeConfig(offset, size, Number(value & 0xffffffffn));
  }

  /** QEMU's Status write: modern applies the features at FEATURES_OK; 0 resets. */
  private writeStatus(value: number): void {
    const newlyFeaturesOk = (value & VIRTIO_STATUS.FEATURES_OK) !== 0 && !(this.status & VIRTIO_STATUS.FEATURES_OK);
    if (!this.legacy && newlyFeaturesOk) {
      this.setFeatures((BigInt(this.driverFeatures[1] ?? 0) << 32n) | BigInt(this.driverFeatures[0] ?? 0));
    }
    const newlyDriverOk = (value & VIRTIO_STATUS.DRIVER_OK) !== 0 && !(this.status & VIRTIO_STATUS.DRIVER_OK);
    this.status = value;
    if (newlyDriverOk) this.device?.driverOk?.(this.negotiated);
    if (value === 0) this.virtioReset();
  }

  /**
   * QEMU's virtio_set_features: ignored once FEATURES_OK is set; bits not
   * offered are dropped rather than refused, so FEATURES_OK always sticks.
   */
  private setFeatures(wanted: bigint): void {
    if (this.status & VIRTIO_STATUS.FEATURES_OK) return;
    const accepted = wanted & this.offeredFeatures;
    this.negotiated = accepted;
    for (const q of this.queues) q?.negotiate(accepted);
    this.device?.featuresNegotiated?.(accepted);
  }

  private setQueueReady(ready: boolean): void {
    const q = this.setups[this.queueSel];
    const queue = this.queues[this.queueSel];
    if (!q || !queue) return;
    if (ready) {
      setNum(q, q.modernNum);
      // Addresses are 64-bit but guest RAM sits below 2^53, so Numbers hold them exactly.
      queue.activate(q.num, join64(q.desc), join64(q.driver), join64(q.device));
    }
    q.ready = ready;
  }

  private notify(index: number): void {
    const queue = this.queues[index];
    if (!queue || queue.size === 0 || queue.descAddr === 0 || this.broken) return;
    const device = this.device;
    if (!device) return;
    try {
      if (device.queueNotified?.(index)) return;
      if (queue.serve((chain) => device.handleChain(queue.index, chain, this.dma))) this.raiseIsr(VIRTIO_ISR.USED_BUFFER);
    } catch (err) {
      this.deviceError(queueErrorMessage(err));
    }
  }

  /** Stop the device until the driver resets it (QEMU's virtio_error). */
  private deviceError(message: string): void {
    this.options.onDeviceError?.(message);
    this.broken = true;
    if (!(this.negotiated & featureBit(VIRTIO_F.VERSION_1))) return; // a legacy driver is not told
    this.status |= VIRTIO_STATUS.NEEDS_RESET;
    if (this.status & VIRTIO_STATUS.DRIVER_OK) {
      this.configGeneration = (this.configGeneration + 1) >>> 0;
      // QEMU's virtio_notify_config() sets both ISR bits (virtio_set_isr(vdev, 0x3))
      this.raiseIsr(VIRTIO_ISR.CONFIG_CHANGE | VIRTIO_ISR.USED_BUFFER);
    }
  }

  /**
   * Device reset (Status = 0 or, legacy, QueuePFN = 0): QEMU's virtio_reset.
   * Queues go back to the device's size and lose their addresses; QueueAlign
   * and GuestPageSize stay; modern queues only lose QueueReady.
   */
  private virtioReset(): void {
    this.device?.reset();
    this.status = 0;
    this.isr = 0;
    this.queueSel = 0;
    this.negotiated = 0n;
    this.broken = false;
    for (let i = 0; i < this.queues.length; i++) {
      const q = this.setups[i];
      if (q) {
        q.num = this.sizeOf(i);
        q.legacyDesc = 0;
        q.ready = false;
      }
      this.queues[i]?.reset();
    }
    this.updateIrq();
  }

  private raiseIsr(bits: number): void {
    this.isr |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.set(this.isr !== 0);
  }
}

/** QEMU's virtio_queue_set_num: no flipping between 0 and non-zero, at most VIRTQUEUE_MAX_SIZE. */
function setNum(q: QueueState, num: number): void {
  if ((num === 0) !== (q.num === 0) || num > VIRTQUEUE_MAX_SIZE || num < 0) return;
  q.num = num;
}

function join64([low, high]: [number, number]): number {
  return (high >>> 0) * 0x1_0000_0000 + (low >>> 0);
}

function hex(n: number): string {
  return n.toString(16);
}
