/**
 * A guest process's address space: which virtual pages exist with which protections, the
 * physical pages of the shared guest-memory buffer behind them, and the Sv48 page tables the
 * vCPU walks.
 *
 * Why page tables: the vCPU's soft TLB, load/store fast paths and page walker are the system
 * mode's, unchanged. The user process runs in U-mode with satp pointing at tables this class
 * keeps in the same SharedArrayBuffer, so a store to a read-only page is a store page fault
 * that the trap hook turns into SIGSEGV, every worker of the process (threads, later) sees the
 * same mappings, and the inline TLB hit path costs exactly what it costs in system mode; only
 * a TLB refill walks four levels. QEMU's linux-user instead adds guest_base to every address
 * and keeps page flags beside it; the effect for the guest is the same.
 *
 * Pages are allocated on first touch (as Linux does): an 8 MiB stack or a large PROT_NONE
 * reservation costs nothing until used. The JS page map is the authority; PTEs mirror it.
 */
import { GuestMemory, PAGE_SHIFT, PAGE_SIZE } from '../memory/guest-memory.js';
import { FLAT_TABLE_BYTES, type FlatLayout } from '../abi/tlb.js';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
const PROT_MASK = 7;
/** Page flag beside the protections: file-backed page past the end of the file (SIGBUS on access). */
const PAGE_BEYOND_EOF = 8;
const FLAG_BITS = 16;

/** QEMU 7.2's TASK_UNMAPPED_BASE for a 64-bit guest on a 64-bit host: where mmap starts looking. */
export const TASK_UNMAPPED_BASE = 2 ** 38;
/** Sv48's user half: every user address is below this. */
export const USER_SPACE_TOP = 2 ** 47;
/** Physical address of the buffer's first byte (anything RAM-like; the tables hold these). */
export const USER_RAM_BASE = 0x8000_0000;

const PTE_V = 1n, PTE_R = 2n, PTE_W = 4n, PTE_X = 8n, PTE_U = 16n, PTE_A = 64n, PTE_D = 128n;
const SATP_SV48 = 9n << 60n;

/**
 * The largest -R (QEMU's reserved_va) whose space is flat, guest address = offset in the process's
 * memory: generated code indexes typed arrays with the address's low word as a non-negative int32,
 * and the memory (the space, its tables and the flat table, then the vCPU state areas) must fit
 * wasm32's 4 GiB. A larger -R keeps QEMU's placement on the Sv48 path.
 */
export const FLAT_MAX_RESERVED = 2 ** 31;

/** Bytes of the Sv48 tables that map [0, reserved): root, one level-2 table, level-1 per GiB, level-0 per 2 MiB. */
function flatTablesBytes(reserved: number): number {
  return (2 + Math.ceil(reserved / 2 ** 30) + Math.ceil(reserved / 2 ** 21)) * PAGE_SIZE;
}

/** Where a flat space of `reserved` bytes keeps its flat table (after the space and its page tables). */
export function flatLayoutFor(reserved: number): FlatLayout {
  return { limit: reserved, table: reserved + flatTablesBytes(reserved) };
}

/** Bytes of memory (before the vCPU state areas) a flat space of `reserved` bytes needs. */
export function flatMemoryBytes(reserved: number): number {
  return flatLayoutFor(reserved).table + FLAT_TABLE_BYTES;
}

/** What a guest access to an address finds. */
export type Touch = { ok: true; off: number } | { ok: false; signal: 'SIGSEGV' | 'SIGBUS'; mapped: boolean };

export function pageAlignUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

export class AddressSpace {
  /** Virtual page number -> physical page index * FLAG_BITS + flags (physical index 0: not allocated yet). */
  private readonly pages = new Map<number, number>();
  private nextPhys = 0;
  private readonly freePhys: number[] = [];
  private readonly physPages: number;
  private readonly rootPage: number;
  /** QEMU's mmap_next_start: where the next mmap without a hint starts looking. */
  mmapNextStart = TASK_UNMAPPED_BASE;
  /** Mappings changed in a way cached translations may have seen (unmap, protect): flush the TLBs. */
  onShootdown: (() => void) | undefined;
  /** QEMU's reserved_va (-R): every mapping is inside [0, reservedVa), placed from the top down; 0: QEMU's default placement. */
  readonly reservedVa: number;
  /**
   * With -R when the memory holds it: the flat space, guest page p at physical page p (the tables
   * map every page to itself, the TLB path still works) and the flat table generated code reads.
   */
  readonly flat: FlatLayout | undefined;
  /** Flat space: pages that were ever mapped (a new mapping there must be zeroed). */
  private readonly used: Uint8Array;

  /**
   * A new, empty space on `mem` (with QEMU's reserved_va when `reservedVa` > 0); or with `parent`,
   * fork's copy of it (same physical layout, so the tables copy as they are).
   */
  constructor(readonly mem: GuestMemory, parent?: AddressSpace, reservedVa = 0) {
    this.reservedVa = parent?.reservedVa ?? reservedVa;
    const size = pageAlignUp(this.reservedVa);
    this.flat = size > 0 && size <= FLAT_MAX_RESERVED && mem.ramSize >= flatMemoryBytes(size) ? flatLayoutFor(size) : undefined;
    // flat: the pages after the space hold the tables (its data pages are not allocated, they are there)
    this.physPages = (this.flat?.table ?? mem.ramSize) >>> PAGE_SHIFT;
    this.used = new Uint8Array(this.flat === undefined ? 0 : this.flat.limit >>> PAGE_SHIFT);
    if (parent !== undefined) this.used.set(parent.used);
    if (parent === undefined) {
      if (this.flat !== undefined) this.nextPhys = this.flat.limit >>> PAGE_SHIFT;
      this.rootPage = this.allocPhys();
      return;
    }
    for (const [k, v] of parent.pages) this.pages.set(k, v);
    this.nextPhys = parent.nextPhys;
    this.freePhys.push(...parent.freePhys);
    this.rootPage = parent.rootPage;
    this.mmapNextStart = parent.mmapNextStart;
    if (this.flat === undefined) {
      mem.mu8.set(parent.mem.mu8.subarray(0, this.nextPhys << PAGE_SHIFT));
      return;
    }
    // the pages in use and the tables, not the whole reserved space
    mem.mu8.set(parent.mem.mu8.subarray(this.flat.limit, this.nextPhys << PAGE_SHIFT), this.flat.limit);
    for (const e of this.pages.values()) {
      const phys = Math.floor(e / FLAG_BITS);
      if (phys !== 0) mem.mu8.set(parent.mem.mu8.subarray((phys - 1) << PAGE_SHIFT, phys << PAGE_SHIFT), (phys - 1) << PAGE_SHIFT);
    }
  }

  /** satp for the vCPU: Sv48 with this space's root table. */
  get satp(): bigint {
    return SATP_SV48 | BigInt((USER_RAM_BASE >>> PAGE_SHIFT) + this.rootPage);
  }

  // ---- physical pages -------------------------------------------------------------------------

  private allocPhys(): number {
    const reused = this.freePhys.pop();
    if (reused !== undefined) {
      const off = reused << PAGE_SHIFT;
      this.mem.mu8.fill(0, off, off + PAGE_SIZE);
      this.mem.codeWritten(off, PAGE_SIZE); // translations of what the page held before are gone
      return reused;
    }
    if (this.nextPhys >= this.physPages) throw new OutOfGuestMemory();
    return this.nextPhys++;
  }

  /** The physical page behind virtual page `vpage` on its first touch: itself in a flat space. */
  private allocData(vpage: number): number {
    if (this.flat === undefined) return this.allocPhys();
    if (this.used[vpage] !== 0) { // what an earlier mapping left there
      const off = vpage << PAGE_SHIFT;
      this.mem.mu8.fill(0, off, off + PAGE_SIZE);
      this.mem.codeWritten(off, PAGE_SIZE);
    }
    this.used[vpage] = 1;
    return vpage;
  }

  /**
   * Flat space: a page mapped with some access is there at once (its PTE written), so the guest's
   * first touch needs no trap: the page is already zero (the buffer, or allocData), as Linux's
   * zero page would read. PROT_NONE pages wait for mprotect.
   */
  private flatEntry(vpage: number, prot: number): number {
    if (this.flat === undefined || (prot & PROT_MASK) === 0) return prot & PROT_MASK;
    const entry = (this.allocData(vpage) + 1) * FLAG_BITS + (prot & PROT_MASK);
    this.writePte(vpage, entry);
    return entry;
  }

  /** Flat space: generated code must ask the slow path again for [start, start+len) (its mappings changed). */
  private clearFlat(start: number, len: number): void {
    if (this.flat === undefined) return;
    const first = Math.min(start, this.reservedVa) >>> PAGE_SHIFT;
    const end = Math.min(start + len, this.reservedVa) / PAGE_SIZE;
    if (end > first) this.mem.mu8.fill(0, this.flat.table + first, this.flat.table + Math.ceil(end));
  }

  /** Pages of guest memory still free (for the ENOMEM checks of mmap and brk); a flat space's only limit is its size. */
  get freePages(): number {
    if (this.flat !== undefined) return this.reservedVa >>> PAGE_SHIFT;
    return this.physPages - this.nextPhys + this.freePhys.length;
  }

  // ---- page tables ------------------------------------------------------------------------------

  /** Index (in 64-bit words) of the leaf PTE of `vpage`, creating the tables on the way when `create`. */
  private leafIndex(vpage: number, create: boolean): number {
    let table = this.rootPage;
    const m64 = this.mem.m64;
    for (let level = 3; level > 0; level--) {
      const idx = Math.floor(vpage / 2 ** (9 * level)) % 512;
      const at = (table << (PAGE_SHIFT - 3)) + idx;
      let pte = Atomics.load(m64, at);
      if ((pte & PTE_V) === 0n) {
        if (!create) return -1;
        const page = this.allocPhys();
        pte = (BigInt((USER_RAM_BASE >>> PAGE_SHIFT) + page) << 10n) | PTE_V;
        Atomics.store(m64, at, pte);
      }
      table = Number(pte >> 10n) - (USER_RAM_BASE >>> PAGE_SHIFT);
    }
    return (table << (PAGE_SHIFT - 3)) + (vpage % 512);
  }

  private writePte(vpage: number, entry: number | undefined): void {
    const phys = entry === undefined ? 0 : Math.floor(entry / FLAG_BITS);
    const prot = entry === undefined ? 0 : entry & PROT_MASK;
    const live = phys !== 0 && prot !== 0;
    const at = this.leafIndex(vpage, live);
    if (at < 0) return;
    let pte = 0n;
    if (live) {
      pte = (BigInt((USER_RAM_BASE >>> PAGE_SHIFT) + phys - 1) << 10n) | PTE_V | PTE_U | PTE_A | PTE_D;
      if ((prot & (PROT_READ | PROT_WRITE)) !== 0) pte |= PTE_R;
      if ((prot & PROT_WRITE) !== 0) pte |= PTE_W;
      if ((prot & PROT_EXEC) !== 0) pte |= PTE_X;
    }
    Atomics.store(this.mem.m64, at, pte);
  }

  // ---- mappings -----------------------------------------------------------------------------------

  /** Is [start, start+len) free of mappings (and inside the reserved space, with -R)? */
  isFree(start: number, len: number): boolean {
    if (!this.fits(start, len)) return false;
    for (let p = start / PAGE_SIZE; p < (start + len) / PAGE_SIZE; p++) if (this.pages.has(p)) return false;
    return true;
  }

  isMapped(addr: number): boolean {
    return this.pages.has(Math.floor(addr / PAGE_SIZE));
  }

  /** Can [start, start+len) be mapped at all: with -R, inside [0, reservedVa) (QEMU: ENOMEM otherwise). */
  fits(start: number, len: number): boolean {
    return this.reservedVa === 0 || (start >= 0 && start + len <= this.reservedVa);
  }

  /**
   * QEMU's mmap_find_vma: without reserved_va, the first free range at or above `start` (0: the
   * next start, which then moves past the result), page aligned; -1 if none. With it, QEMU's
   * mmap_find_vma_reserved: downwards (findFreeReserved).
   */
  findFree(start: number, len: number): number {
    if (this.reservedVa > 0) return this.findFreeReserved(start === 0 ? this.mmapNextStart : Math.floor(start / PAGE_SIZE) * PAGE_SIZE, pageAlignUp(len));
    const fromNext = start === 0;
    let addr = fromNext ? this.mmapNextStart : Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
    len = pageAlignUp(len);
    while (addr + len <= USER_SPACE_TOP) {
      const busy = this.lastBusyPage(addr, len);
      if (busy < 0) {
        if (fromNext && addr >= TASK_UNMAPPED_BASE) this.mmapNextStart = addr + len;
        return addr;
      }
      addr = (busy + 1) * PAGE_SIZE;
    }
    return -1;
  }

  /**
   * QEMU 7.2's mmap_find_vma_reserved: the free range of `size` bytes that ends highest at or below
   * start + size, searching down page by page (a used page moves the end below it); a start too
   * high for the space starts at its top, and the search goes round once from the top. The next
   * start (mmap_next_start) follows the result when the search started there, so mappings without
   * a hint stack downwards from the top of the space.
   */
  private findFreeReserved(start: number, size: number): number {
    const top = this.reservedVa;
    if (size > top) return -1;
    let end = start + size;
    let looped = false;
    const highest = Math.floor((top - size) / PAGE_SIZE) * PAGE_SIZE + size; // ((reserved_va - size) & -align) + size
    if (start > top - size) {
      end = highest;
      looped = true;
    }
    for (let addr = end; ;) {
      addr -= PAGE_SIZE;
      if (addr < 0) { // QEMU's unsigned address wrapped
        if (looped) return -1;
        addr = end = highest;
        looped = true;
      } else if (this.pages.has(addr / PAGE_SIZE)) {
        end = addr;
      } else if (addr !== 0 && addr + size === end) {
        if (start === this.mmapNextStart) this.mmapNextStart = addr;
        return addr;
      }
    }
  }

  /** The highest mapped page in [addr, addr+len), or -1. */
  private lastBusyPage(addr: number, len: number): number {
    for (let p = (addr + len) / PAGE_SIZE - 1; p >= addr / PAGE_SIZE; p--) if (this.pages.has(p)) return p;
    return -1;
  }

  /** Map [start, start+len) anonymous (zero pages on first touch), replacing what was there. */
  map(start: number, len: number, prot: number): void {
    this.unmap(start, len);
    for (let p = start / PAGE_SIZE; p < (start + len) / PAGE_SIZE; p++) this.pages.set(p, this.flatEntry(p, prot));
  }

  /**
   * Map [start, start+len) with the bytes of `data` (a private file mapping): pages past the
   * data's end but inside the file's last page are zero; pages wholly past `fileEnd` raise SIGBUS.
   */
  mapData(start: number, len: number, prot: number, data: Uint8Array, pagesWithData: number): void {
    this.map(start, len, prot);
    const pages = len / PAGE_SIZE;
    for (let i = 0; i < pages; i++) {
      const vpage = start / PAGE_SIZE + i;
      if (i >= pagesWithData) {
        this.pages.set(vpage, (prot & PROT_MASK) | PAGE_BEYOND_EOF);
        continue;
      }
      const chunk = data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
      if (chunk.length === 0) continue;
      const phys = this.allocData(vpage);
      this.mem.mu8.set(chunk, phys << PAGE_SHIFT);
      const entry = (phys + 1) * FLAG_BITS + (prot & PROT_MASK);
      this.pages.set(vpage, entry);
      this.writePte(vpage, entry);
    }
  }

  unmap(start: number, len: number): void {
    let changed = false;
    for (let p = start / PAGE_SIZE; p < (start + len) / PAGE_SIZE; p++) {
      const e = this.pages.get(p);
      if (e === undefined) continue;
      this.pages.delete(p);
      const phys = Math.floor(e / FLAG_BITS);
      if (phys !== 0) {
        this.writePte(p, undefined);
        if (this.flat === undefined) this.freePhys.push(phys - 1);
        changed = true;
      }
    }
    if (changed) this.clearFlat(start, len);
    if (changed) this.onShootdown?.();
  }

  /** mprotect: false (ENOMEM) when a page of the range is not mapped, changing nothing. */
  protect(start: number, len: number, prot: number): boolean {
    for (let p = start / PAGE_SIZE; p < (start + len) / PAGE_SIZE; p++) if (!this.pages.has(p)) return false;
    for (let p = start / PAGE_SIZE; p < (start + len) / PAGE_SIZE; p++) {
      const e = this.pages.get(p) as number;
      if (Math.floor(e / FLAG_BITS) === 0 && (e & PAGE_BEYOND_EOF) === 0) {
        this.pages.set(p, this.flatEntry(p, prot) | (e & PAGE_BEYOND_EOF));
        continue;
      }
      const next = e - (e & PROT_MASK) + (prot & PROT_MASK);
      this.pages.set(p, next);
      this.writePte(p, next);
    }
    this.clearFlat(start, len);
    this.onShootdown?.();
    return true;
  }

  /** Protections of the page holding `addr`, or -1 if unmapped. */
  protOf(addr: number): number {
    const e = this.pages.get(Math.floor(addr / PAGE_SIZE));
    return e === undefined ? -1 : e & PROT_MASK;
  }

  /** Move the pages of [from, from+len) to `to` (mremap): contents and protections. */
  move(from: number, len: number, to: number): void {
    const moved: [number, number][] = [];
    for (let i = 0; i < len / PAGE_SIZE; i++) {
      const p = from / PAGE_SIZE + i;
      const e = this.pages.get(p);
      if (e === undefined) continue;
      this.pages.delete(p);
      this.writePte(p, undefined);
      moved.push([i, e]);
    }
    this.clearFlat(from, len);
    this.clearFlat(to, len);
    for (const [i, old] of moved) {
      const vpage = to / PAGE_SIZE + i;
      const e = this.flat === undefined ? old : this.moveFlatPage(from / PAGE_SIZE + i, vpage, old);
      this.pages.set(vpage, e);
      this.writePte(vpage, e);
    }
    this.onShootdown?.();
  }

  /** Flat space: a page's bytes move with it (each virtual page is its own physical page); its new entry. */
  private moveFlatPage(fromPage: number, toPage: number, entry: number): number {
    if (Math.floor(entry / FLAG_BITS) === 0) return entry;
    const to = this.allocData(toPage);
    this.mem.mu8.copyWithin(to << PAGE_SHIFT, fromPage << PAGE_SHIFT, (fromPage + 1) << PAGE_SHIFT);
    return (to + 1) * FLAG_BITS + (entry & (FLAG_BITS - 1));
  }

  // ---- guest accesses -------------------------------------------------------------------------------

  /**
   * A guest access to `addr` needing `prot` (one of PROT_*): the RAM offset of the byte,
   * allocating the page on first touch, or the signal the access raises.
   */
  touch(addr: number, prot: number): Touch {
    const vpage = Math.floor(addr / PAGE_SIZE);
    const e = this.pages.get(vpage);
    if (e === undefined) return { ok: false, signal: 'SIGSEGV', mapped: false };
    const allowed = (e & PROT_MASK) | ((e & PROT_WRITE) !== 0 ? PROT_READ : 0);
    if ((allowed & prot) !== prot) return { ok: false, signal: 'SIGSEGV', mapped: true };
    if ((e & PAGE_BEYOND_EOF) !== 0) return { ok: false, signal: 'SIGBUS', mapped: true };
    let phys = Math.floor(e / FLAG_BITS);
    if (phys === 0) {
      phys = this.allocData(vpage) + 1;
      const entry = phys * FLAG_BITS + (e & (FLAG_BITS - 1));
      this.pages.set(vpage, entry);
      this.writePte(vpage, entry);
    }
    return { ok: true, off: ((phys - 1) << PAGE_SHIFT) + (addr - vpage * PAGE_SIZE) };
  }

  /** Copy guest bytes out (the kernel's copy_from_user); undefined on a fault (EFAULT). */
  read(addr: number, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const t = this.touch(addr + done, PROT_READ);
      if (!t.ok) return undefined;
      const n = Math.min(len - done, PAGE_SIZE - ((addr + done) % PAGE_SIZE));
      out.set(this.mem.mu8.subarray(t.off, t.off + n), done);
      done += n;
    }
    return out;
  }

  /** Copy bytes into the guest (copy_to_user); false on a fault (EFAULT). */
  write(addr: number, data: Uint8Array): boolean {
    for (let done = 0; done < data.length;) {
      const t = this.touch(addr + done, PROT_WRITE);
      if (!t.ok) return false;
      const n = Math.min(data.length - done, PAGE_SIZE - ((addr + done) % PAGE_SIZE));
      this.mem.mu8.set(data.subarray(done, done + n), t.off);
      this.mem.codeWritten(t.off, n);
      done += n;
    }
    return true;
  }

  /** A NUL-terminated string (at most `max` bytes), or undefined on a fault. */
  readCString(addr: number, max = 4096): Uint8Array | undefined {
    const bytes: number[] = [];
    while (bytes.length < max) {
      const t = this.touch(addr + bytes.length, PROT_READ);
      if (!t.ok) return undefined;
      const b = this.mem.mu8[t.off];
      if (b === 0) return Uint8Array.from(bytes);
      bytes.push(b);
    }
    return Uint8Array.from(bytes);
  }

  readU64(addr: number): bigint | undefined {
    const b = this.read(addr, 8);
    return b === undefined ? undefined : new DataView(b.buffer).getBigUint64(0, true);
  }

  writeU64(addr: number, v: bigint): boolean {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return this.write(addr, b);
  }
}

/** Guest memory (the shared buffer) is exhausted. */
export class OutOfGuestMemory extends Error {
  constructor() {
    super('out of guest memory');
  }
}
