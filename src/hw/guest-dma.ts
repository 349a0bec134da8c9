/**
 * Bounds-checked little-endian access to guest RAM by guest-physical address,
 * for devices that do DMA (virtio). An address outside RAM throws DmaError
 * instead of touching anything; callers turn that into a device error.
 *
 * Ring index fields are read and written with Atomics because the guest
 * updates them from vCPU threads while a device runs on another thread.
 */
import type { GuestRam } from './device.js';

export class DmaError extends Error {
  constructor(
    readonly address: number | bigint,
    readonly length: number,
  ) {
    super(`DMA outside guest RAM: 0x${address.toString(16)} (+${length})`);
    this.name = 'DmaError';
  }
}

export class GuestDma {
  private readonly view: DataView;
  private readonly u16: Uint16Array | undefined;

  constructor(readonly ram: GuestRam) {
    const bytes = ram.bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.u16 = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 1) : undefined;
  }

  /** Offset into low RAM (`ram.bytes`) of [address, address+length), or DmaError (also for high RAM: see `highBytes`). */
  offset(address: number | bigint, length: number): number {
    if (typeof address === 'number') {
      // Common case (ring fields, checked segments): plain Number arithmetic is exact below 2^53.
      const start = address - this.ram.base;
      if (length < 0 || !(start >= 0) || start + length > this.ram.size) throw new DmaError(address, length);
      return start;
    }
    const addr = address;
    const start = addr - BigInt(this.ram.base);
    if (length < 0 || start < 0n || start + BigInt(length) > BigInt(this.ram.size)) {
      throw new DmaError(address, length);
    }
    return Number(start);
  }

  /** Whether [address, address+length) lies in RAM. */
  contains(address: number | bigint, length: number): boolean {
    try {
      this.bytes(address, length);
      return true;
    } catch (err) {
      if (err instanceof DmaError) return false;
      throw err;
    }
  }

  /** A live view of guest bytes (no copy). */
  bytes(address: number | bigint, length: number): Uint8Array {
    const high = this.highBytes(address, length);
    if (high !== undefined) return high;
    const at = this.offset(address, length);
    return this.ram.bytes.subarray(at, at + length);
  }

  /**
   * A live view of [address, address+length) in high RAM, or undefined if it does not start
   * there; DmaError if it starts there but does not fit one bank (a buffer straddling two banks
   * or running past the end: Linux's buffers never cross the 1 GiB boundaries between banks).
   */
  private highBytes(address: number | bigint, length: number): Uint8Array | undefined {
    const high = this.ram.high;
    if (high === undefined) return undefined;
    const start = Number(address) - high.base;
    if (!(start >= 0) || start >= high.size) return undefined;
    const bank = Math.floor(start / high.bankBytes);
    const o = start - bank * high.bankBytes;
    if (length < 0 || o + length > high.banks[bank].length) throw new DmaError(address, length);
    return high.banks[bank].subarray(o, o + length);
  }

  /** DataView over the `length` bytes at `address` in high RAM, or undefined if they are not there. */
  private highView(address: number, length: number): DataView | undefined {
    const b = this.highBytes(address, length);
    return b === undefined ? undefined : new DataView(b.buffer, b.byteOffset, length);
  }

  read(address: number | bigint, length: number): Uint8Array {
    return this.bytes(address, length).slice();
  }

  write(address: number | bigint, data: Uint8Array): void {
    this.bytes(address, data.length).set(data);
  }

  readU16(address: number): number {
    if (this.ram.high !== undefined && address >= this.ram.high.base) return this.highView(address, 2)?.getUint16(0, true) ?? this.view.getUint16(this.offset(address, 2), true);
    return this.view.getUint16(this.offset(address, 2), true);
  }
  readU32(address: number): number {
    if (this.ram.high !== undefined && address >= this.ram.high.base) return this.highView(address, 4)?.getUint32(0, true) ?? this.view.getUint32(this.offset(address, 4), true);
    return this.view.getUint32(this.offset(address, 4), true);
  }
  readU64(address: number): bigint {
    if (this.ram.high !== undefined && address >= this.ram.high.base) return this.highView(address, 8)?.getBigUint64(0, true) ?? this.view.getBigUint64(this.offset(address, 8), true);
    return this.view.getBigUint64(this.offset(address, 8), true);
  }
  writeU16(address: number, value: number): void {
    const v = this.ram.high !== undefined && address >= this.ram.high.base ? this.highView(address, 2) : undefined;
    if (v !== undefined) v.setUint16(0, value, true);
    else this.view.setUint16(this.offset(address, 2), value, true);
  }
  writeU32(address: number, value: number): void {
    const v = this.ram.high !== undefined && address >= this.ram.high.base ? this.highView(address, 4) : undefined;
    if (v !== undefined) v.setUint32(0, value >>> 0, true);
    else this.view.setUint32(this.offset(address, 4), value >>> 0, true);
  }

  /** A Uint16Array of one element over the aligned 16-bit word at `address` in high RAM, or undefined. */
  private highU16(address: number): Uint16Array | undefined {
    if (this.ram.high === undefined || address < this.ram.high.base) return undefined;
    const b = this.highBytes(address, 2);
    return b === undefined || b.byteOffset % 2 !== 0 ? undefined : new Uint16Array(b.buffer, b.byteOffset, 1);
  }

  /** 16-bit load with sequential consistency (falls back to a plain load when unaligned). */
  loadU16Atomic(address: number): number {
    const w = this.highU16(address);
    if (w !== undefined) return Atomics.load(w, 0);
    if (this.ram.high !== undefined && address >= this.ram.high.base) return this.readU16(address);
    const at = this.offset(address, 2);
    if (this.u16 && at % 2 === 0) return Atomics.load(this.u16, at >> 1);
    return this.view.getUint16(at, true);
  }

  /** 16-bit store that publishes every earlier write (falls back to a plain store when unaligned). */
  storeU16Atomic(address: number, value: number): void {
    const w = this.highU16(address);
    if (w !== undefined) {
      Atomics.store(w, 0, value & 0xffff);
      return;
    }
    if (this.ram.high !== undefined && address >= this.ram.high.base) {
      this.writeU16(address, value);
      return;
    }
    const at = this.offset(address, 2);
    if (this.u16 && at % 2 === 0) Atomics.store(this.u16, at >> 1, value & 0xffff);
    else this.view.setUint16(at, value & 0xffff, true);
  }
}
