/**
 * Direct-mapped caches keyed by a guest virtual address and a privilege level, emptied in O(1):
 * QEMU's tb_jmp_cache (virtual pc -> block) and the fetch path's virtual page -> physical page.
 *
 * They were Maps. A Map emptied at every TLB flush (a Linux boot flushes at every context switch
 * and sfence.vma) and grown again allocates a new hash table at each step of the growth, and the
 * large ones go to V8's large-object space, which takes fresh pages from the OS every time: in a
 * Linux boot one page fault in eight of the vCPU thread's 20,000 came from these Maps' tables (a
 * fault costs ~12 us on the VMs we measure on). A fixed table of typed arrays is allocated once;
 * `clear` moves the epoch on, so entries of older epochs simply miss.
 */

/** Entries of a cache: a power of two. */
export type CacheSize = 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384;

/** The slot of `addr`: guest addresses are numbers up to 2^64 (doubles); the low 32 bits index. */
function slotOf(addr: number, shift: number, mask: number): number {
  const low = addr >>> 0; // ToUint32: the address modulo 2^32, exact for every double-held address
  return ((low >>> shift) ^ (low >>> (shift + 12))) & mask;
}

/** Epochs restart before they would leave int32 range (a full fill then, once in ~2^31 clears). */
const EPOCH_LIMIT = 0x7fff_ffff;

/** Shared bookkeeping: which slot holds which address, for which privilege, in which epoch. */
class DirectMapped {
  protected readonly keys: Float64Array;
  protected readonly privs: Int8Array;
  protected readonly epochs: Int32Array;
  protected readonly mask: number;
  protected epoch = 1;

  constructor(size: CacheSize, private readonly shift: number) {
    this.keys = new Float64Array(size);
    this.privs = new Int8Array(size);
    this.epochs = new Int32Array(size); // 0: never filled
    this.mask = size - 1;
  }

  /** The slot holding `addr` for `priv` in this epoch, or -1. */
  protected find(addr: number, priv: number): number {
    const s = slotOf(addr, this.shift, this.mask);
    return this.epochs[s] === this.epoch && this.keys[s] === addr && this.privs[s] === priv ? s : -1;
  }

  /** The slot for `addr`, claimed for `priv` in this epoch (whatever it held is gone). */
  protected claim(addr: number, priv: number): number {
    const s = slotOf(addr, this.shift, this.mask);
    this.keys[s] = addr;
    this.privs[s] = priv;
    this.epochs[s] = this.epoch;
    return s;
  }

  /** Forget every entry. */
  clear(): void {
    if (++this.epoch === EPOCH_LIMIT) {
      this.epochs.fill(0);
      this.epoch = 1;
    }
  }
}

/** Virtual pc -> block (QEMU's tb_jmp_cache). Pcs are 2-byte aligned, so slots index by pc / 2. */
export class JumpCache<T extends object> extends DirectMapped {
  private readonly values: (T | undefined)[];

  constructor(size: CacheSize) {
    super(size, 1);
    this.values = new Array<T | undefined>(size).fill(undefined);
  }

  get(pc: number, priv: number): T | undefined {
    const s = this.find(pc, priv);
    return s < 0 ? undefined : this.values[s];
  }

  set(pc: number, priv: number, value: T): void {
    this.values[this.claim(pc, priv)] = value;
  }

  /** Forget every entry and let go of the values too (the blocks of a full code flush). */
  drop(): void {
    this.clear();
    this.values.fill(undefined);
  }
}

/** Virtual page number -> physical address of the page (the exec translation cache). */
export class PageCache extends DirectMapped {
  private readonly values: Float64Array;

  constructor(size: CacheSize) {
    super(size, 0);
    this.values = new Float64Array(size);
  }

  /** The physical page address for virtual page number `vpage`, or -1. */
  get(vpage: number, priv: number): number {
    const s = this.find(vpage, priv);
    return s < 0 ? -1 : this.values[s];
  }

  set(vpage: number, priv: number, pagePa: number): void {
    this.values[this.claim(vpage, priv)] = pagePa;
  }
}
