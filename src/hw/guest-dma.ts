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
    this.u16 = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1) : undefined;
  }

  /** Offset into RAM of [address, address+length), or DmaError. */
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
      this.offset(address, length);
      return true;
    } catch (err) {
      if (err instanceof DmaError) return false;
      throw err;
    }
  }

  /** A live view of guest bytes (no copy). */
  bytes(address: number | bigint, length: number): Uint8Array {
    const at = this.offset(address, length);
    return this.ram.bytes.subarray(at, at + length);
  }

  read(address: number | bigint, length: number): Uint8Array {
    return this.bytes(address, length).slice();
  }

  write(address: number | bigint, data: Uint8Array): void {
    this.bytes(address, data.length).set(data);
  }

  readU16(address: number): number {
    return this.view.getUint16(this.offset(address, 2), true);
  }
  readU32(address: number): number {
    return this.view.getUint32(this.offset(address, 4), true);
  }
  readU64(address: number): bigint {
    return this.view.getBigUint64(this.offset(address, 8), true);
  }
  writeU16(address: number, value: number): void {
    this.view.setUint16(this.offset(address, 2), value, true);
  }
  writeU32(address: number, value: number): void {
    this.view.setUint32(this.offset(address, 4), value >>> 0, true);
  }

  /** 16-bit load with sequential consistency (falls back to a plain load when unaligned). */
  loadU16Atomic(address: number): number {
    const at = this.offset(address, 2);
    if (this.u16 && at % 2 === 0) return Atomics.load(this.u16, at >> 1);
    return this.view.getUint16(at, true);
  }

  /** 16-bit store that publishes every earlier write (falls back to a plain store when unaligned). */
  storeU16Atomic(address: number, value: number): void {
    const at = this.offset(address, 2);
    if (this.u16 && at % 2 === 0) Atomics.store(this.u16, at >> 1, value & 0xffff);
    else this.view.setUint16(at, value & 0xffff, true);
  }
}
