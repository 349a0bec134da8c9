/**
 * Device side of a split virtqueue (virtio 1.1 spec 2.6), with indirect
 * descriptors (2.6.5.3) and the EVENT_IDX notification scheme (2.6.7/2.6.8).
 *
 *   descriptor table: 16 bytes each {u64 addr, u32 len, u16 flags, u16 next}
 *   available ring:   {u16 flags, u16 idx, u16 ring[size], u16 used_event}
 *   used ring:        {u16 flags, u16 idx, {u32 id, u32 len}[size], u16 avail_event}
 *
 * Malformed chains (bad index, loops, nested or misaligned indirect tables,
 * readable after writable) and addresses outside RAM throw, as QEMU's
 * virtio_error() does; the transport then marks the device NEEDS_RESET.
 */
import { GuestDma } from './guest-dma.js';
import { type BufferSegment, type DescriptorChain, VirtioError } from './virtio.js';

const DESC_SIZE = 16;
const DESC_F_NEXT = 1;
const DESC_F_WRITE = 2;
const DESC_F_INDIRECT = 4;
const AVAIL_F_NO_INTERRUPT = 1;
const USED_F_NO_NOTIFY = 1;

/** Queue size limit the transport advertises (QEMU's VIRTQUEUE_MAX_SIZE). */
export const VIRTQUEUE_MAX_SIZE = 1024;

interface RawDescriptor {
  addr: bigint;
  len: number;
  flags: number;
  next: number;
}

export class SplitVirtqueue {
  size = 0;
  descAddr = 0;
  availAddr = 0;
  usedAddr = 0;
  eventIdx = false;
  indirect = false;

  private lastAvailIdx = 0;
  private usedIdx = 0;
  private signalledUsed = 0;
  private signalledUsedValid = false;

  constructor(
    private readonly dma: GuestDma,
    readonly index: number,
  ) {}

  /** Start using the rings (QueueReady = 1): indices restart from what the rings say. */
  activate(size: number, desc: number, avail: number, used: number): void {
    this.size = size;
    this.descAddr = desc;
    this.availAddr = avail;
    this.usedAddr = used;
    this.lastAvailIdx = 0;
    this.usedIdx = 0;
    this.signalledUsedValid = false;
  }

  /** The driver's avail.idx. */
  private availIdx(): number {
    return this.dma.loadU16Atomic(this.availAddr + 2);
  }

  isEmpty(): boolean {
    return this.availIdx() === this.lastAvailIdx;
  }

  /** Take the next available chain, or undefined when the driver has offered nothing new. */
  pop(): DescriptorChain | undefined {
    const availIdx = this.availIdx();
    if (availIdx === this.lastAvailIdx) return undefined;
    if (((availIdx - this.lastAvailIdx) & 0xffff) > this.size) {
      throw new VirtioError(`virtqueue ${this.index}: avail idx moved by more than the queue size`);
    }
    const slot = this.lastAvailIdx % this.size;
    const head = this.dma.readU16(this.availAddr + 4 + 2 * slot);
    this.lastAvailIdx = (this.lastAvailIdx + 1) & 0xffff;
    if (this.eventIdx) this.setAvailEvent(this.lastAvailIdx);
    return this.walkChain(head);
  }

  /** Return a chain to the driver with `written` bytes stored in its writable buffers. */
  push(chain: DescriptorChain, written: number): void {
    const slot = this.usedIdx % this.size;
    const elem = this.usedAddr + 4 + 8 * slot;
    this.dma.writeU32(elem, chain.head);
    this.dma.writeU32(elem + 4, written);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    // Publishing idx last (seq-cst store) makes the element visible first.
    this.dma.storeU16Atomic(this.usedAddr + 2, this.usedIdx);
  }

  /** Ask the driver not to notify while the device is draining the queue. */
  disableNotifications(): void {
    if (!this.eventIdx) this.setUsedFlags(this.usedFlags() | USED_F_NO_NOTIFY);
  }

  /** Ask for notifications again (for EVENT_IDX: on any buffer after the current avail idx). */
  enableNotifications(): void {
    if (this.eventIdx) this.setAvailEvent(this.availIdx());
    else this.setUsedFlags(this.usedFlags() & ~USED_F_NO_NOTIFY);
  }

  /** Whether the driver wants an interrupt for the buffers used since the last one (QEMU's virtio_should_notify). */
  shouldInterrupt(): boolean {
    if (!this.eventIdx) {
      return (this.dma.loadU16Atomic(this.availAddr) & AVAIL_F_NO_INTERRUPT) === 0;
    }
    const old = this.signalledUsed;
    const wasValid = this.signalledUsedValid;
    this.signalledUsed = this.usedIdx;
    this.signalledUsedValid = true;
    const usedEvent = this.dma.loadU16Atomic(this.availAddr + 4 + 2 * this.size);
    return !wasValid || needEvent(usedEvent, this.usedIdx, old);
  }

  private usedFlags(): number {
    return this.dma.loadU16Atomic(this.usedAddr);
  }

  private setUsedFlags(flags: number): void {
    this.dma.storeU16Atomic(this.usedAddr, flags);
  }

  private setAvailEvent(value: number): void {
    this.dma.storeU16Atomic(this.usedAddr + 4 + 8 * this.size, value);
  }

  private readDescriptor(table: number, i: number): RawDescriptor {
    const at = table + DESC_SIZE * i;
    return {
      addr: this.dma.readU64(at),
      len: this.dma.readU32(at + 8),
      flags: this.dma.readU16(at + 12),
      next: this.dma.readU16(at + 14),
    };
  }

  private walkChain(head: number): DescriptorChain {
    if (head >= this.size) throw new VirtioError(`virtqueue ${this.index}: head ${head} >= size ${this.size}`);
    const readable: BufferSegment[] = [];
    const writable: BufferSegment[] = [];
    let table = this.descAddr;
    let tableSize = this.size;
    let i = head;
    let inIndirect = false;
    for (let steps = 0; ; steps++) {
      if (steps >= tableSize) throw new VirtioError(`virtqueue ${this.index}: looped descriptor chain`);
      const desc = this.readDescriptor(table, i);
      if (desc.flags & DESC_F_INDIRECT) {
        if (inIndirect || !this.indirect) throw new VirtioError(`virtqueue ${this.index}: unexpected indirect descriptor`);
        if (desc.len === 0 || desc.len % DESC_SIZE !== 0) {
          throw new VirtioError(`virtqueue ${this.index}: invalid size for indirect buffer table`);
        }
        table = Number(desc.addr);
        this.dma.offset(desc.addr, desc.len); // the whole table must be in RAM
        tableSize = desc.len / DESC_SIZE;
        inIndirect = true;
        i = 0;
        steps = -1;
        continue;
      }
      this.addSegment(desc, readable, writable);
      if (!(desc.flags & DESC_F_NEXT)) break;
      if (desc.next >= tableSize) throw new VirtioError(`virtqueue ${this.index}: descriptor next ${desc.next} out of range`);
      i = desc.next;
    }
    return { head, readable, writable };
  }

  private addSegment(desc: RawDescriptor, readable: BufferSegment[], writable: BufferSegment[]): void {
    this.dma.offset(desc.addr, desc.len); // throws DmaError outside RAM
    const segment = { addr: Number(desc.addr), len: desc.len };
    if (desc.flags & DESC_F_WRITE) {
      writable.push(segment);
    } else {
      if (writable.length > 0) throw new VirtioError(`virtqueue ${this.index}: incorrect order for descriptors`);
      readable.push(segment);
    }
  }
}

/** vring_need_event: has `newIdx` just passed `event` (mod 2^16) since `oldIdx`? */
export function needEvent(event: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}
