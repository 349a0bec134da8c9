/**
 * What a memory-mapped device looks like to the machine.
 *
 * Devices are plain objects driven by the thread that owns them (most run on
 * the main thread; the CLINT runs inside each vCPU worker over shared memory).
 * Register values cross this interface as bigint so 8-byte registers stay
 * exact; sizes are 1, 2, 4 or 8 bytes and offsets are relative to `base`.
 */
export type AccessSize = 1 | 2 | 4 | 8;

export interface MmioDevice {
  /** Short name used in `info mtree` and in error messages, e.g. "uart0". */
  readonly name: string;
  /** Guest-physical base address. */
  readonly base: number;
  /** Size of the register window in bytes. */
  readonly size: number;
  read(offset: number, size: AccessSize): bigint;
  write(offset: number, size: AccessSize, value: bigint): void;
  /** Return to the power-on state (system_reset). */
  reset?(): void;
  /** Flush anything buffered to the host (disk images, files) before exit. */
  flush?(): void;
}

/** Where the board puts a device's register window (QEMU's virt.c memmap): every device takes it. */
export interface DevicePlacement {
  /** Guest-physical base address. */
  readonly base: number;
  /** Size of the register window in bytes. */
  readonly size: number;
}

/** A level-triggered interrupt line from a device into an interrupt controller. */
export interface IrqLine {
  set(level: boolean): void;
}

/** Where an interrupt controller delivers its outputs: one mip bit of one hart. */
export interface HartIrqSink {
  setHartIrq(hartId: number, mipBit: number, level: boolean): void;
}

/** Guest RAM as seen by DMA-capable devices (virtio) and loaders. */
export interface GuestRam {
  /** Guest-physical address of the first byte. */
  readonly base: number;
  /** Size in bytes. */
  readonly size: number;
  /** The bytes, over the SharedArrayBuffer every vCPU uses. */
  readonly bytes: Uint8Array;
  /** RAM above `bytes` on machines with high RAM (src/memory/guest-memory.ts). */
  readonly high?: HighGuestRam;
}

/** High RAM as DMA sees it: from `base`, `size` bytes, in views of `bankBytes` each. */
export interface HighGuestRam {
  readonly base: number;
  readonly size: number;
  readonly banks: readonly Uint8Array[];
  readonly bankBytes: number;
}

/** Host-side actions the machine offers to devices (the sifive_test finisher uses it). */
export interface MachineControl {
  /** Guest asked for power-off with a host exit status (QEMU's semantics). */
  shutdown(exitStatus: number): void;
  /** Guest asked for a reset. */
  reset(): void;
}
