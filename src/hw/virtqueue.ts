/**
 * Device side of a split virtqueue (virtio 1.1 spec 2.6), with indirect
 * descriptors (2.6.5.3) and the EVENT_IDX notification scheme (2.6.7/2.6.8).
 *
 *   descriptor table: 16 bytes each {u64 addr, u32 len, u16 flags, u16 next}
 *   available ring:   {u16 flags, u16 idx, u16 ring[size], u16 used_event}
 *   used ring:        {u16 flags, u16 idx, {u32 id, u32 len}[size], u16 avail_event}
 *
 * Chains are walked as QEMU 7.2's virtqueue_split_pop does: only the head
 * may point to an indirect table (whether or not INDIRECT_DESC was
 * negotiated; an INDIRECT flag inside a table is ignored). Malformed chains
 * (bad head or next index, loops, zero-sized buffers, badly sized indirect
 * tables, readable after writable) throw VirtioError with QEMU's
 * virtio_error() text; addresses outside RAM throw DmaError. The transport
 * then stops the device until a reset.
 */
import { DmaError, GuestDma } from './guest-dma.js';
import { type BufferSegment, type DescriptorChain, featureBit, VIRTIO_F, VirtioError, type VirtioQueueAccess } from './virtio.js';

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
  /** Legacy VIRTIO_F_NOTIFY_ON_EMPTY negotiated: interrupt whenever the ring runs empty. */
  notifyOnEmpty = false;

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

  /** The ring features the driver accepted (EVENT_IDX, NOTIFY_ON_EMPTY) decide when it is notified. */
  negotiate(accepted: bigint): void {
    this.eventIdx = (accepted & featureBit(VIRTIO_F.RING_EVENT_IDX)) !== 0n;
    this.notifyOnEmpty = (accepted & featureBit(VIRTIO_F.NOTIFY_ON_EMPTY)) !== 0n;
  }

  /**
   * Serve every available chain with `handle` (bytes written back), again while a buffer came
   * in with notifications off; true when the driver wants an interrupt. Throws VirtioError or
   * DmaError for a ring the device cannot use (see queueErrorMessage).
   */
  serve(handle: (chain: DescriptorChain) => number): boolean {
    let used = 0;
    do {
      this.disableNotifications();
      for (let chain = this.pop(); chain; chain = this.pop()) {
        this.push(chain, handle(chain));
        used++;
      }
      this.enableNotifications();
    } while (!this.isEmpty()); // a buffer added while notifications were off
    return used > 0 && this.shouldInterrupt();
  }

  /** Device reset: no rings, and the negotiated ring features (EVENT_IDX, NOTIFY_ON_EMPTY) forgotten. */
  reset(): void {
    this.activate(0, 0, 0, 0);
    this.eventIdx = false;
    this.notifyOnEmpty = false;
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
      throw new VirtioError(`Guest moved used index from ${this.lastAvailIdx} to ${availIdx}`);
    }
    const slot = this.lastAvailIdx % this.size;
    const head = this.dma.readU16(this.availAddr + 4 + 2 * slot);
    this.lastAvailIdx = (this.lastAvailIdx + 1) & 0xffff;
    if (this.eventIdx) this.setAvailEvent(this.lastAvailIdx);
    return this.walkChain(head);
  }

  /** Give back the last `count` chains popped and not pushed (QEMU's virtqueue_unpop): they are popped again next time. */
  unpop(count: number): void {
    this.lastAvailIdx = (this.lastAvailIdx - count) & 0xffff;
    if (this.eventIdx) this.setAvailEvent(this.lastAvailIdx);
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
    if (this.notifyOnEmpty && this.isEmpty()) return true;
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
    if (head >= this.size) throw new VirtioError(`Guest says index ${head} is available`);
    const readable: BufferSegment[] = [];
    const writable: BufferSegment[] = [];
    let table = this.descAddr;
    let max = this.size;
    let desc = this.readDescriptor(table, head);
    if (desc.flags & DESC_F_INDIRECT) {
      if (desc.len === 0 || desc.len % DESC_SIZE !== 0) throw new VirtioError('Invalid size for indirect buffer table');
      if (!this.dma.contains(desc.addr, desc.len)) throw new VirtioError('Cannot map indirect buffer');
      table = Number(desc.addr);
      max = desc.len / DESC_SIZE;
      desc = this.readDescriptor(table, 0);
    }
    for (let entries = 1; ; entries++) {
      this.addSegment(desc, readable, writable);
      if (entries > max) throw new VirtioError('Looped descriptor');
      if (!(desc.flags & DESC_F_NEXT)) break;
      if (desc.next >= max) throw new VirtioError(`Desc next is ${desc.next}`);
      desc = this.readDescriptor(table, desc.next);
    }
    return { head, readable, writable };
  }

  /** QEMU's virtqueue_map_desc checks, in its order. */
  private addSegment(desc: RawDescriptor, readable: BufferSegment[], writable: BufferSegment[]): void {
    const write = (desc.flags & DESC_F_WRITE) !== 0;
    if (!write && writable.length > 0) throw new VirtioError('Incorrect order for descriptors');
    if (desc.len === 0) throw new VirtioError('virtio: zero sized buffers are not allowed');
    this.dma.offset(desc.addr, desc.len); // throws DmaError outside RAM
    (write ? writable : readable).push({ addr: Number(desc.addr), len: desc.len });
  }
}

/** vring_need_event: has `newIdx` just passed `event` (mod 2^16) since `oldIdx`? */
export function needEvent(event: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}

/**
 * The one line a transport reports when serving a queue failed (QEMU's virtio_error); anything
 * but a bad ring is a bug and is thrown on. QEMU bounces one mapping outside RAM through a
 * buffer; tsemu stops the device instead.
 */
export function queueErrorMessage(err: unknown): string {
  if (err instanceof VirtioError) return err.message;
  if (err instanceof DmaError) return 'virtio: bogus descriptor or out of resources';
  throw err;
}

/** The bytes of a chain's device-readable segments, in order (what the driver sent). */
export function gatherReadable(chain: DescriptorChain, dma: GuestDma): Uint8Array {
  const total = chain.readable.reduce((n, s) => n + s.len, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const seg of chain.readable) {
    out.set(dma.read(seg.addr, seg.len), at);
    at += seg.len;
  }
  return out;
}

/** What a transport (virtio-mmio, virtio-pci) lends queueAccessOver: its queues and its state. */
export interface QueueOwner {
  readonly dma: GuestDma;
  queueAt(index: number): SplitVirtqueue | undefined;
  /** The driver set DRIVER_OK and the device is not broken. */
  running(): boolean;
  /** Interrupt the driver for used buffers (the transport's ISR bit / interrupt line). */
  raiseUsedBuffer(): void;
  /** QEMU's virtio_error(): the device stops until reset. */
  deviceError(message: string): void;
}

/** The queue operations a device fed by the host (virtio-net's receive queue) may use, over either transport. */
export function queueAccessOver(owner: QueueOwner): VirtioQueueAccess {
  return {
    dma: owner.dma,
    ready: (q) => {
      const queue = owner.queueAt(q);
      return owner.running() && queue !== undefined && queue.size !== 0 && queue.descAddr !== 0;
    },
    pop: (q) => owner.queueAt(q)?.pop(),
    unpop: (q, count) => owner.queueAt(q)?.unpop(count),
    push: (q, chain, written) => owner.queueAt(q)?.push(chain, written),
    notify: (q) => {
      if (owner.queueAt(q)?.shouldInterrupt()) owner.raiseUsedBuffer();
    },
    setNotification: (q, enabled) => {
      const queue = owner.queueAt(q);
      if (!queue || queue.size === 0) return;
      if (enabled) queue.enableNotifications();
      else queue.disableNotifications();
    },
    fail: (err) => owner.deviceError(queueErrorMessage(err)),
  };
}
