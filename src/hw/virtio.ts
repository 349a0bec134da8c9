/**
 * Virtio definitions shared by the transport and the devices (virtio 1.1
 * spec, sections 2 and 6), and the interface a device implements to sit
 * behind the virtio-mmio transport.
 */
import type { GuestDma } from './guest-dma.js';

/** Device status bits (spec 2.1). */
export const VIRTIO_STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  NEEDS_RESET: 0x40,
  FAILED: 0x80,
} as const;

/** Reserved (transport) feature bits (spec 6). */
export const VIRTIO_F = {
  /** Legacy only: interrupt when the available ring runs empty, whatever the driver asked. */
  NOTIFY_ON_EMPTY: 24,
  RING_INDIRECT_DESC: 28,
  RING_EVENT_IDX: 29,
  VERSION_1: 32,
  /** Offered by QEMU 7.2 on modern transports; virtio-mmio has no QueueReset register, so it has no effect. */
  RING_RESET: 40,
} as const;

/** InterruptStatus bits. */
export const VIRTIO_ISR = {
  USED_BUFFER: 1,
  CONFIG_CHANGE: 2,
} as const;

export function featureBit(bit: number): bigint {
  return 1n << BigInt(bit);
}

/** The driver broke the protocol: the device must stop and ask for a reset (spec 2.1.1). */
export class VirtioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtioError';
  }
}

/** A guest buffer: one descriptor's address range, already checked to lie in RAM. */
export interface BufferSegment {
  readonly addr: number;
  readonly len: number;
}

/** One request: the device-readable buffers followed by the device-writable ones. */
export interface DescriptorChain {
  readonly head: number;
  readonly readable: readonly BufferSegment[];
  readonly writable: readonly BufferSegment[];
}

/** What a virtio device implements; the transport owns queues, features and interrupts. */
export interface VirtioDevice {
  /** Virtio device ID (2 = block). */
  readonly deviceId: number;
  readonly numQueues: number;
  /** Device-specific feature bits offered; the transport adds its own. */
  readonly deviceFeatures: bigint;
  /** Extra device feature bits offered only on a legacy (version 1) transport (QEMU: e.g. virtio-blk's SCSI). */
  readonly legacyFeatures?: bigint;
  /** Number of entries of each queue until the driver sets another (QEMU's queue-size, 256 for virtio-blk). */
  readonly queueSize?: number;
  /** Size of the PCI proxy's expansion ROM BAR (QEMU's romfile), none when absent. */
  readonly romSize?: number;
  /** MSI-X table entries of the PCI proxy (QEMU's `vectors` property; 2 when absent). */
  readonly msixVectors?: number;
  /** Per-queue sizes where they differ (virtio-net's control queue has 64); queueSize for the rest. */
  readonly queueSizes?: readonly number[];
  /** Device-specific configuration space, as the guest currently sees it. */
  config(): Uint8Array;
  /** Guest write to configuration space (offset relative to the config start). */
  writeConfig?(offset: number, size: 1 | 2 | 4, value: number): void;
  /** The driver's features were applied (FEATURES_OK on a modern transport, the DriverFeatures write on a legacy one). */
  featuresNegotiated?(features: bigint): void;
  /** The driver set DRIVER_OK with these features. */
  driverOk?(features: bigint): void;
  /**
   * Handle one request popped from queue `queue`. Return the number of bytes
   * written into the writable buffers; the transport then puts the chain on
   * the used ring. Throw VirtioError (or DmaError) for protocol violations.
   */
  handleChain(queue: number, chain: DescriptorChain, dma: GuestDma): number;
  /** Virtio reset (status 0 or system reset). */
  reset(): void;
  /** Flush anything buffered to the host. */
  flush?(): void;
  /**
   * Devices that fill queues when the host has data (virtio-net's receive queue) get the
   * transport's queue access once, at construction, to pop and push chains at any time.
   */
  attach?(access: VirtioQueueAccess): void;
  /**
   * The driver notified `queue`. Return true when the device served it itself (through its
   * VirtioQueueAccess); false (or no method) lets the transport serve it with handleChain.
   */
  queueNotified?(queue: number): boolean;
}

/** What a transport lets a device do with its queues outside a notification (host-driven input). */
export interface VirtioQueueAccess {
  /** The driver set DRIVER_OK, the device is not broken, and `queue` has rings. */
  ready(queue: number): boolean;
  /** The next chain the driver made available on `queue`, or undefined. Throws like SplitVirtqueue.pop. */
  pop(queue: number): DescriptorChain | undefined;
  /** Give back the last `count` chains popped (not pushed): a packet that did not fit waits for more buffers. */
  unpop(queue: number, count: number): void;
  /** Return a chain with `written` bytes stored in its writable buffers. */
  push(queue: number, chain: DescriptorChain, written: number): void;
  /** Interrupt the driver for what was pushed on `queue`, if it asked for one (virtio_notify). */
  notify(queue: number): void;
  /** Ask for (or stop asking for) a notification when `queue` gets buffers. */
  setNotification(queue: number, enabled: boolean): void;
  /** A chain the device cannot use: QEMU's virtio_error() (the device stops until reset). */
  fail(err: unknown): void;
  readonly dma: GuestDma;
}
