/** A LoadTarget over lazily allocated 64 KiB pages, so tests can model 8 GiB of RAM. */
import type { LoadTarget, MemoryRegion } from '../../src/machine/elf.js';

const PAGE = 64 * 1024;

export class SparseMemory implements LoadTarget {
  private readonly pages = new Map<number, Uint8Array>();
  readonly writes: { addr: number; length: number }[] = [];

  constructor(readonly regions: readonly MemoryRegion[]) {}

  write(physAddr: number, bytes: Uint8Array): void {
    const inside = this.regions.some((r) => physAddr >= r.base && physAddr + bytes.length <= r.base + r.size);
    if (!inside) throw new Error(`write outside the regions at 0x${physAddr.toString(16)}`);
    this.writes.push({ addr: physAddr, length: bytes.length });
    for (let done = 0; done < bytes.length; ) {
      const addr = physAddr + done;
      const n = Math.min(PAGE - (addr % PAGE), bytes.length - done);
      this.page(addr).set(bytes.subarray(done, done + n), addr % PAGE);
      done += n;
    }
  }

  read(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 1) out[i] = this.pages.get(Math.floor((addr + i) / PAGE))?.[(addr + i) % PAGE] ?? 0;
    return out;
  }

  readU64(addr: number): bigint {
    return new DataView(this.read(addr, 8).buffer).getBigUint64(0, true);
  }

  private page(addr: number): Uint8Array {
    const key = Math.floor(addr / PAGE);
    let p = this.pages.get(key);
    if (p === undefined) {
      p = new Uint8Array(PAGE);
      this.pages.set(key, p);
    }
    return p;
  }
}
