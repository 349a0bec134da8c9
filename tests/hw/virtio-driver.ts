/**
 * Test helper: a minimal virtio-mmio driver working on a fake guest RAM, used
 * to exercise the transport and devices the way Linux' virtio_mmio does.
 */
import type { GuestRam } from '../../src/hw/device.js';
import { VirtioMmio, VirtioMmioReg as Reg } from '../../src/hw/virtio-mmio.js';

export const RAM_BASE = 0x80000000;

export class TestRam implements GuestRam {
  readonly base = RAM_BASE;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(readonly size = 1 << 20) {
    this.bytes = new Uint8Array(new SharedArrayBuffer(size));
    this.view = new DataView(this.bytes.buffer);
  }
  u16(addr: number): number {
    return this.view.getUint16(addr - RAM_BASE, true);
  }
  u32(addr: number): number {
    return this.view.getUint32(addr - RAM_BASE, true);
  }
  setU16(addr: number, v: number): void {
    this.view.setUint16(addr - RAM_BASE, v, true);
  }
  setU32(addr: number, v: number): void {
    this.view.setUint32(addr - RAM_BASE, v, true);
  }
  setU64(addr: number, v: bigint | number): void {
    this.view.setBigUint64(addr - RAM_BASE, BigInt(v), true);
  }
  write(addr: number, data: Uint8Array): void {
    this.bytes.set(data, addr - RAM_BASE);
  }
  read(addr: number, len: number): Uint8Array {
    return this.bytes.slice(addr - RAM_BASE, addr - RAM_BASE + len);
  }
}

export interface Segment {
  addr: number;
  len: number;
  write: boolean;
}

export const STATUS_ACK = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FEATURES_OK = 8;
const DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;

export class TestDriver {
  readonly desc = RAM_BASE + 0x1000;
  readonly avail = RAM_BASE + 0x4000;
  readonly used = RAM_BASE + 0x6000;
  private nextFree = RAM_BASE + 0x10000;
  private nextDesc = 0;
  private availIdx = 0;

  constructor(
    readonly dev: VirtioMmio,
    readonly ram: TestRam,
    readonly queueSize = 8,
  ) {}

  reg(offset: number): number {
    return Number(this.dev.read(offset, 4));
  }
  setReg(offset: number, value: number): void {
    this.dev.write(offset, 4, BigInt(value));
  }

  deviceFeatures(): bigint {
    this.setReg(Reg.DeviceFeaturesSel, 0);
    const low = BigInt(this.reg(Reg.DeviceFeatures));
    this.setReg(Reg.DeviceFeaturesSel, 1);
    return (BigInt(this.reg(Reg.DeviceFeatures)) << 32n) | low;
  }

  /** The Linux virtio_mmio sequence up to FEATURES_OK; returns the Status read back. */
  negotiate(features: bigint): number {
    this.setReg(Reg.Status, 0);
    this.setReg(Reg.Status, STATUS_ACK);
    this.setReg(Reg.Status, STATUS_ACK | STATUS_DRIVER);
    this.setReg(Reg.DriverFeaturesSel, 0);
    this.setReg(Reg.DriverFeatures, Number(features & 0xffffffffn));
    this.setReg(Reg.DriverFeaturesSel, 1);
    this.setReg(Reg.DriverFeatures, Number(features >> 32n));
    this.setReg(Reg.Status, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
    return this.reg(Reg.Status);
  }

  setupQueue(index = 0): void {
    this.setReg(Reg.QueueSel, index);
    this.setReg(Reg.QueueNum, this.queueSize);
    this.setReg(Reg.QueueDescLow, this.desc);
    this.setReg(Reg.QueueDescHigh, 0);
    this.setReg(Reg.QueueDriverLow, this.avail);
    this.setReg(Reg.QueueDriverHigh, 0);
    this.setReg(Reg.QueueDeviceLow, this.used);
    this.setReg(Reg.QueueDeviceHigh, 0);
    this.setReg(Reg.QueueReady, 1);
  }

  /** Negotiate, set up queue 0 and go live. */
  start(features: bigint): void {
    this.negotiate(features);
    this.setupQueue(0);
    this.setReg(Reg.Status, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
  }

  alloc(len: number, fill?: Uint8Array): number {
    const addr = this.nextFree;
    this.nextFree += (len + 15) & ~15;
    if (fill) this.ram.write(addr, fill);
    return addr;
  }

  private writeDesc(table: number, i: number, seg: Segment, flags: number, next: number): void {
    const at = table + 16 * i;
    this.ram.setU64(at, seg.addr);
    this.ram.setU32(at + 8, seg.len);
    this.ram.setU16(at + 12, flags | (seg.write ? DESC_F_WRITE : 0));
    this.ram.setU16(at + 14, next);
  }

  /** Put a chain on the avail ring (without notifying); returns its head index. */
  add(segments: Segment[], options: { indirect?: boolean } = {}): number {
    const head = this.nextDesc;
    if (options.indirect) {
      const table = this.alloc(16 * segments.length);
      segments.forEach((seg, i) =>
        this.writeDesc(table, i, seg, i < segments.length - 1 ? DESC_F_NEXT : 0, i + 1),
      );
      this.writeDesc(this.desc, head, { addr: table, len: 16 * segments.length, write: false }, DESC_F_INDIRECT, 0);
      this.nextDesc = (head + 1) % this.queueSize;
    } else {
      segments.forEach((seg, i) => {
        const idx = (head + i) % this.queueSize;
        const next = (head + i + 1) % this.queueSize;
        this.writeDesc(this.desc, idx, seg, i < segments.length - 1 ? DESC_F_NEXT : 0, next);
      });
      this.nextDesc = (head + segments.length) % this.queueSize;
    }
    this.ram.setU16(this.avail + 4 + 2 * (this.availIdx % this.queueSize), head);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    this.ram.setU16(this.avail + 2, this.availIdx);
    return head;
  }

  /** Add a raw descriptor chain written by the caller (for malformed-chain tests). */
  rawDescriptor(i: number, addr: number | bigint, len: number, flags: number, next: number): void {
    const at = this.desc + 16 * i;
    this.ram.setU64(at, addr);
    this.ram.setU32(at + 8, len);
    this.ram.setU16(at + 12, flags);
    this.ram.setU16(at + 14, next);
  }

  offerHead(head: number): void {
    this.ram.setU16(this.avail + 4 + 2 * (this.availIdx % this.queueSize), head);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    this.ram.setU16(this.avail + 2, this.availIdx);
  }

  notify(queue = 0): void {
    this.setReg(Reg.QueueNotify, queue);
  }

  usedIdx(): number {
    return this.ram.u16(this.used + 2);
  }
  usedFlags(): number {
    return this.ram.u16(this.used);
  }
  usedElem(i: number): { id: number; len: number } {
    const at = this.used + 4 + 8 * (i % this.queueSize);
    return { id: this.ram.u32(at), len: this.ram.u32(at + 4) };
  }
  availEvent(): number {
    return this.ram.u16(this.used + 4 + 8 * this.queueSize);
  }
  setUsedEvent(v: number): void {
    this.ram.setU16(this.avail + 4 + 2 * this.queueSize, v);
  }
  setAvailFlags(v: number): void {
    this.ram.setU16(this.avail, v);
  }
}
