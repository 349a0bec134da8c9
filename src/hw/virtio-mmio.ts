/**
 * virtio-mmio transport, version 2 ("modern", virtio 1.1 spec 4.2.2), with
 * register semantics following QEMU 7.2 hw/virtio/virtio-mmio.c in its
 * non-legacy mode. A transport without a device is the "empty slot" QEMU's
 * virt machine exposes: magic, version and vendor read back, device ID 0,
 * everything else reads 0 and ignores writes, so Linux skips it quietly.
 *
 * Requests are processed synchronously when the driver writes QueueNotify.
 * A protocol violation or DMA outside RAM makes the device stop and set
 * NEEDS_RESET with a configuration-change interrupt, as QEMU's virtio_error().
 */
import type { AccessSize, DevicePlacement, GuestRam, IrqLine, MmioDevice } from './device.js';
import { DmaError, GuestDma } from './guest-dma.js';
import { featureBit, VIRTIO_F, VIRTIO_ISR, VIRTIO_STATUS, type VirtioDevice, VirtioError } from './virtio.js';
import { SplitVirtqueue, VIRTQUEUE_MAX_SIZE } from './virtqueue.js';

export const VIRTIO_MMIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_MMIO_VERSION = 2;
export const VIRTIO_MMIO_VENDOR = 0x554d4551; // "QEMU"

/** Register offsets (spec 4.2.2). */
export const VirtioMmioReg = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceId: 0x008,
  VendorId: 0x00c,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
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
/** Feature bits the transport itself implements and offers. */
const TRANSPORT_FEATURES =
  featureBit(VIRTIO_F.VERSION_1) | featureBit(VIRTIO_F.RING_INDIRECT_DESC) | featureBit(VIRTIO_F.RING_EVENT_IDX);

/** What the driver programs for one queue before setting QueueReady. */
interface QueueSetup {
  num: number;
  desc: [number, number];
  driver: [number, number];
  device: [number, number];
  ready: boolean;
}

function emptySetup(): QueueSetup {
  return { num: 0, desc: [0, 0], driver: [0, 0], device: [0, 0], ready: false };
}

export interface VirtioMmioOptions extends DevicePlacement {
  name?: string;
  /** Called with a message when the device enters NEEDS_RESET (for logging). */
  onError?: (message: string) => void;
}

export class VirtioMmio implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;

  private readonly dma: GuestDma;
  private readonly queues: SplitVirtqueue[];
  private readonly setups: QueueSetup[];
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatures = [0, 0];
  private negotiated = 0n;
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
    this.dma = new GuestDma(ram);
    const numQueues = device?.numQueues ?? 0;
    this.queues = Array.from({ length: numQueues }, (_, i) => new SplitVirtqueue(this.dma, i));
    this.setups = Array.from({ length: numQueues }, emptySetup);
  }

  /** All feature bits offered to the driver. */
  get offeredFeatures(): bigint {
    return this.device ? this.device.deviceFeatures | TRANSPORT_FEATURES : 0n;
  }

  get deviceStatus(): number {
    return this.status;
  }

  get interruptStatus(): number {
    return this.isr;
  }

  /** System reset: the device and all transport registers return to power-on state. */
  reset(): void {
    this.deviceFeaturesSel = 0;
    this.driverFeaturesSel = 0;
    this.virtioReset();
  }

  flush(): void {
    this.device?.flush?.();
  }

  read(offset: number, size: AccessSize): bigint {
    if (!this.device) return BigInt(this.readEmptySlot(offset, size));
    if (offset >= VirtioMmioReg.Config) return this.readConfig(offset - VirtioMmioReg.Config, size);
    if (size !== 4) return 0n;
    return BigInt(this.readRegister(offset) >>> 0);
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (!this.device) return;
    if (offset >= VirtioMmioReg.Config) {
      this.writeConfig(offset - VirtioMmioReg.Config, size, value);
      return;
    }
    if (size !== 4) return;
    this.writeRegister(offset, Number(value & 0xffffffffn));
  }

  private readEmptySlot(offset: number, size: AccessSize): number {
    if (size !== 4) return 0;
    switch (offset) {
      case VirtioMmioReg.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case VirtioMmioReg.Version:
        return VIRTIO_MMIO_VERSION;
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
        return VIRTIO_MMIO_VERSION;
      case VirtioMmioReg.DeviceId:
        return device.deviceId;
      case VirtioMmioReg.VendorId:
        return VIRTIO_MMIO_VENDOR;
      case VirtioMmioReg.DeviceFeatures:
        return Number((this.offeredFeatures >> BigInt(32 * this.deviceFeaturesSel)) & 0xffffffffn);
      case VirtioMmioReg.QueueNumMax:
        return this.queueSel < this.queues.length ? VIRTQUEUE_MAX_SIZE : 0;
      case VirtioMmioReg.QueueReady:
        return this.setups[this.queueSel]?.ready ? 1 : 0;
      case VirtioMmioReg.InterruptStatus:
        return this.isr;
      case VirtioMmioReg.Status:
        return this.status;
      case VirtioMmioReg.ConfigGeneration:
        return this.configGeneration;
      case VirtioMmioReg.ShmLenLow:
      case VirtioMmioReg.ShmLenHigh:
        return 0xffffffff; // no shared memory regions: length -1, as QEMU reports
      default:
        return 0; // write-only or reserved
    }
  }

  private writeRegister(offset: number, value: number): void {
    const setup = this.setups[this.queueSel];
    switch (offset) {
      case VirtioMmioReg.DeviceFeaturesSel:
        this.deviceFeaturesSel = value ? 1 : 0;
        return;
      case VirtioMmioReg.DriverFeatures:
        this.driverFeatures[this.driverFeaturesSel] = value;
        return;
      case VirtioMmioReg.DriverFeaturesSel:
        this.driverFeaturesSel = value ? 1 : 0;
        return;
      case VirtioMmioReg.QueueSel:
        if (value < VIRTIO_QUEUE_MAX) this.queueSel = value;
        return;
      case VirtioMmioReg.QueueNum:
        if (setup && value <= VIRTQUEUE_MAX_SIZE) setup.num = value;
        return;
      case VirtioMmioReg.QueueReady:
        this.setQueueReady(value !== 0);
        return;
      case VirtioMmioReg.QueueNotify:
        this.notify(value);
        return;
      case VirtioMmioReg.InterruptAck:
        this.isr &= ~value;
        this.updateIrq();
        return;
      case VirtioMmioReg.Status:
        this.writeStatus(value & 0xff);
        return;
      case VirtioMmioReg.QueueDescLow:
      case VirtioMmioReg.QueueDescHigh:
        if (setup) setup.desc[offset === VirtioMmioReg.QueueDescLow ? 0 : 1] = value;
        return;
      case VirtioMmioReg.QueueDriverLow:
      case VirtioMmioReg.QueueDriverHigh:
        if (setup) setup.driver[offset === VirtioMmioReg.QueueDriverLow ? 0 : 1] = value;
        return;
      case VirtioMmioReg.QueueDeviceLow:
      case VirtioMmioReg.QueueDeviceHigh:
        if (setup) setup.device[offset === VirtioMmioReg.QueueDeviceLow ? 0 : 1] = value;
        return;
      default:
        return; // read-only or reserved
    }
  }

  private readConfig(offset: number, size: AccessSize): bigint {
    if (size === 8) {
      return this.readConfig(offset, 4) | (this.readConfig(offset + 4, 4) << 32n);
    }
    const config = this.device?.config() ?? new Uint8Array(0);
    if (offset + size > config.length) return (1n << BigInt(8 * size)) - 1n; // QEMU: all ones
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(config[offset + i] ?? 0);
    return value;
  }

  private writeConfig(offset: number, size: AccessSize, value: bigint): void {
    if (size === 8 || !this.device?.writeConfig) return;
    if (offset + size > this.device.config().length) return;
    this.device.writeConfig(offset, size, Number(value & 0xffffffffn));
  }

  private writeStatus(value: number): void {
    if (value === 0) {
      this.virtioReset();
      return;
    }
    const newlyFeaturesOk = (value & VIRTIO_STATUS.FEATURES_OK) !== 0 && !(this.status & VIRTIO_STATUS.FEATURES_OK);
    if (newlyFeaturesOk && !this.acceptFeatures()) {
      value &= ~VIRTIO_STATUS.FEATURES_OK; // the driver reads Status back and gives up
    }
    this.status = value | (this.broken ? VIRTIO_STATUS.NEEDS_RESET : 0);
  }

  /** Check the driver's feature choice (spec 3.1.1): a subset of ours, including VERSION_1. */
  private acceptFeatures(): boolean {
    const wanted = (BigInt(this.driverFeatures[1] ?? 0) << 32n) | BigInt(this.driverFeatures[0] ?? 0);
    if ((wanted & ~this.offeredFeatures) !== 0n) return false;
    if ((wanted & featureBit(VIRTIO_F.VERSION_1)) === 0n) return false;
    this.negotiated = wanted;
    const eventIdx = (wanted & featureBit(VIRTIO_F.RING_EVENT_IDX)) !== 0n;
    const indirect = (wanted & featureBit(VIRTIO_F.RING_INDIRECT_DESC)) !== 0n;
    for (const q of this.queues) {
      q.eventIdx = eventIdx;
      q.indirect = indirect;
    }
    this.device?.featuresNegotiated?.(wanted);
    return true;
  }

  private setQueueReady(ready: boolean): void {
    const setup = this.setups[this.queueSel];
    const queue = this.queues[this.queueSel];
    if (!setup || !queue) return;
    if (ready) {
      // Addresses are 64-bit but guest RAM sits below 2^53, so Numbers hold them exactly.
      queue.activate(setup.num, join64(setup.desc), join64(setup.driver), join64(setup.device));
    }
    setup.ready = ready;
  }

  private notify(index: number): void {
    const queue = this.queues[index];
    const setup = this.setups[index];
    if (!queue || !setup?.ready || queue.size === 0 || this.broken) return;
    try {
      this.drain(queue);
    } catch (err) {
      if (err instanceof VirtioError || err instanceof DmaError) this.deviceError(err.message);
      else throw err;
    }
  }

  /** Process every available request, then interrupt if the driver wants one. */
  private drain(queue: SplitVirtqueue): void {
    const device = this.device;
    if (!device) return;
    let used = 0;
    do {
      queue.disableNotifications();
      for (let chain = queue.pop(); chain; chain = queue.pop()) {
        queue.push(chain, device.handleChain(queue.index, chain, this.dma));
        used++;
      }
      queue.enableNotifications();
    } while (!queue.isEmpty()); // a buffer added while notifications were off
    if (used > 0 && queue.shouldInterrupt()) this.raiseIsr(VIRTIO_ISR.USED_BUFFER);
  }

  /** Stop the device until the driver resets it (QEMU's virtio_error). */
  private deviceError(message: string): void {
    this.options.onError?.(`${this.name}: ${message}`);
    this.broken = true;
    this.status |= VIRTIO_STATUS.NEEDS_RESET;
    if (this.status & VIRTIO_STATUS.DRIVER_OK) {
      this.configGeneration = (this.configGeneration + 1) >>> 0;
      // QEMU's virtio_notify_config() sets both ISR bits (virtio_set_isr(vdev, 0x3))
      this.raiseIsr(VIRTIO_ISR.CONFIG_CHANGE | VIRTIO_ISR.USED_BUFFER);
    }
  }

  /** Device reset (Status = 0): queues, features, interrupts and the device itself. */
  private virtioReset(): void {
    this.device?.reset();
    this.status = 0;
    this.isr = 0;
    this.queueSel = 0;
    this.driverFeatures = [0, 0];
    this.negotiated = 0n;
    this.broken = false;
    for (let i = 0; i < this.queues.length; i++) {
      this.setups[i] = emptySetup();
      const q = this.queues[i];
      if (q) {
        q.activate(0, 0, 0, 0);
        q.eventIdx = false;
        q.indirect = false;
      }
    }
    this.updateIrq();
  }

  /** Features the driver accepted (valid once FEATURES_OK is set). */
  get negotiatedFeatures(): bigint {
    return this.negotiated;
  }

  private raiseIsr(bits: number): void {
    this.isr |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.set(this.isr !== 0);
  }
}

function join64([low, high]: [number, number]): number {
  return (high >>> 0) * 0x1_0000_0000 + (low >>> 0);
}
