/**
 * Sv39/Sv48/Sv57 address translation (privileged spec 4.3-4.6; the hart's satp takes Sv39 and Sv48
 * only, see SATP_PAGING_MODES), with hardware A/D
 * updates as QEMU performs them: the PTE is updated with a compare-and-swap
 * on the shared RAM so concurrent walkers on other vCPUs never lose a bit.
 */
import { Access, Cause, Priv } from './csr.js';

const PTE_V = 1n, PTE_A = 64n, PTE_D = 128n;
const PPN_MASK = (1n << 44n) - 1n;
/** PTE flag bits as numbers, for the PTE's low word (the walk computes on its two 32-bit words). */
const V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;
/** N (Svnapot) and PBMT (Svpbmt): PTE bits 63 and 62:61, bits 31:29 of the high word. */
const HI_ATTR = 0xe000_0000 | 0;

/** What the walker needs of physical memory: PTEs live in RAM only. */
export interface PageTableMemory {
  /** Byte offset of physical address `pa` in RAM, or -1 if it is not RAM. */
  ramOffset(pa: number): number;
  /** RAM as 64-bit words, for PTE reads and atomic A/D updates. */
  readonly ram64: BigInt64Array;
  /** RAM that `ramOffset` does not cover (high RAM, src/memory/guest-memory.ts): the word at `pa`, or undefined. */
  word64?(pa: number): { a: BigInt64Array; i: number } | undefined;
}

export interface WalkRequest {
  vaddr: bigint;
  access: Access;
  /** Effective privilege of the access (MPRV already applied). */
  priv: Priv;
  satp: bigint;
  sum: boolean;
  mxr: boolean;
  /** The CPU has Svpbmt: PTE bits 62:61 are a memory type instead of reserved (QEMU 7.2 ignores menvcfg.PBMTE). */
  svpbmt?: boolean;
  /** PMP on the walk's own PTE reads (physical address of the PTE): false is an access fault. */
  pteAllowed?: (ptePa: number) => boolean;
}

export interface WalkResult {
  /** Physical address of the page containing vaddr (4 KiB aligned), or -1 on fault. */
  pagePa: number;
  /** Fault cause when pagePa is -1. */
  cause: Cause;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}

function pageFault(access: Access): Cause {
  return access === Access.Exec ? Cause.InsnPageFault : access === Access.Write ? Cause.StorePageFault : Cause.LoadPageFault;
}

function accessFault(access: Access): Cause {
  return access === Access.Exec ? Cause.InsnAccessFault : access === Access.Write ? Cause.StoreAccessFault : Cause.LoadAccessFault;
}

function fault(cause: Cause): WalkResult {
  return { pagePa: -1, cause, readable: false, writable: false, executable: false };
}

/** Does the leaf PTE (its low word) allow this access at this privilege? */
function permitted(flags: number, req: WalkRequest): boolean {
  const user = (flags & U) !== 0;
  if (req.priv === Priv.U && !user) return false;
  if (req.priv === Priv.S && user && (req.access === Access.Exec || !req.sum)) return false;
  switch (req.access) {
    case Access.Read: return (flags & R) !== 0 || (req.mxr && (flags & X) !== 0);
    case Access.Write: return (flags & W) !== 0;
    case Access.Exec: return (flags & X) !== 0;
  }
}

/**
 * Is translation off (satp MODE = Bare)? Not `satp === 0`: with MODE = Bare the spec leaves the
 * other fields' values unspecified and QEMU 7.2 stores them as written (`csrwi satp, 1` reads 1).
 * satp is held sign-extended, so Bare is 0 <= satp < 2^60.
 */
export function satpIsBare(satp: bigint): boolean {
  return satp >= 0n && satp < 1n << 60n;
}

/** Page-table levels of a satp MODE (8 Sv39, 9 Sv48, 10 Sv57). */
function levelsOf(satp: bigint): number {
  return Number(BigInt.asUintN(64, satp) >> 60n) - 5;
}

/**
 * The bits above the PPN as QEMU 7.2 reads them: without Svpbmt any of them set is a fault; with
 * it the PPN is masked out of the PTE and only the inner-PTE rule looks at N and PBMT (a leaf's
 * memory type means nothing to an emulator; reserved bits 60:54 are not checked then). QEMU 7.2
 * decides on the CPU's extension, not on menvcfg.PBMTE (tests/guest/src/svpbmt.c).
 */
function attributesAllowed(pteHi: number, svpbmt: boolean): boolean {
  return svpbmt || pteHi >>> 22 === 0; // bits 63:54
}

/** VPN[level] of the virtual address held as its 32-bit words (bits 12 + 9 * level up). */
function vpnOf(vaLo: number, vaHi: number, level: number): number {
  const bit = 12 + 9 * level;
  if (bit + 9 <= 32) return (vaLo >>> bit) & 0x1ff;
  if (bit >= 32) return (vaHi >>> (bit - 32)) & 0x1ff;
  return ((vaLo >>> bit) | (vaHi << (32 - bit))) & 0x1ff; // VPN[2] of Sv39 and up: bits 38:30
}

/**
 * The walk computes on the PTEs' 32-bit words as numbers: it runs at every TLB miss (tens of
 * thousands in a Linux boot), and on BigInts each of its flag tests made a BigInt (~1.3 KB of
 * garbage a walk). A PTE is still read with one 64-bit atomic load, and A/D are still set with a
 * 64-bit compare-and-swap (updateAccessedDirty). PPNs (44 bits) and VPN runs are exact in doubles.
 */
export function walkPageTable(mem: PageTableMemory, req: WalkRequest): WalkResult {
  const va = req.vaddr;
  const levels = levelsOf(req.satp);
  const vaBits = 12 + 9 * levels;
  const vaLo = Number(BigInt.asUintN(32, va));
  const vaHi = Number(BigInt.asIntN(32, va >> 32n));
  // bits 63..vaBits-1 must all equal bit vaBits-1 (which is in the high word for every mode)
  const top = vaHi >> (vaBits - 33);
  if (top !== 0 && top !== -1) return fault(pageFault(req.access));
  let tableNumber = Number(req.satp & PPN_MASK);
  for (let level = levels - 1; level >= 0; level--) {
    const ptePa = tableNumber * 4096 + vpnOf(vaLo, vaHi, level) * 8;
    if (req.pteAllowed !== undefined && !req.pteAllowed(ptePa)) return fault(accessFault(req.access));
    const off = mem.ramOffset(ptePa);
    let words = mem.ram64;
    let index = off >> 3;
    if (off < 0) {
      const w = mem.word64?.(ptePa);
      if (w === undefined) return fault(accessFault(req.access));
      words = w.a;
      index = w.i;
    }
    const pte = Atomics.load(words, index);
    const lo = Number(BigInt.asIntN(32, pte));
    const hi = Number(pte >> 32n);
    if ((lo & V) === 0 || ((lo & R) === 0 && (lo & W) !== 0)) return fault(pageFault(req.access));
    if (!attributesAllowed(hi, req.svpbmt === true)) return fault(pageFault(req.access));
    const ppn = (hi & 0x3f_ffff) * 0x40_0000 + (lo >>> 10); // bits 53:10
    if ((lo & (R | X)) === 0) {
      // non-leaf must clear these (and, with Svpbmt, the memory type and N: QEMU 7.2's PTE_ATTR)
      if ((lo & (A | D | U)) !== 0 || (hi & HI_ATTR) !== 0) return fault(pageFault(req.access));
      tableNumber = ppn;
      continue;
    }
    if (!permitted(lo, req)) return fault(pageFault(req.access));
    // superpages must be aligned
    const span = 2 ** (9 * level); // 4 KiB pages in this leaf's page
    if (ppn % span !== 0) return fault(pageFault(req.access));
    const write = req.access === Access.Write;
    let flags = lo;
    if ((flags & A) === 0 || (write && (flags & D) === 0)) {
      const updated = updateAccessedDirty(words, index, pte, write);
      if (updated === undefined) return fault(pageFault(req.access));
      flags = Number(BigInt.asIntN(32, updated));
    }
    // the page of vaddr within the leaf's: VPN bits below the leaf's level (bits 56:12 of va: below 2^45)
    const vpnBits = (vaLo >>> 12) + (vaHi & 0x1ff_ffff) * 0x10_0000;
    return {
      pagePa: (ppn + (vpnBits % span)) * 4096,
      cause: 0 as Cause,
      readable: (flags & R) !== 0 || (req.mxr && (flags & X) !== 0),
      // only dirty pages may be written without another walk (so D gets set)
      writable: (flags & W) !== 0 && (flags & D) !== 0,
      executable: (flags & X) !== 0,
    };
  }
  return fault(pageFault(req.access));
}

/**
 * Set A (and D for writes) with compare-and-swap; retry if another hart
 * changed the PTE meanwhile. Returns the PTE as it now stands, or undefined
 * if it became invalid under us.
 */
function updateAccessedDirty(words: BigInt64Array, index: number, pte: bigint, write: boolean): bigint | undefined {
  for (;;) {
    const want = pte | PTE_A | (write ? PTE_D : 0n);
    if (want === pte) return pte;
    const seen = Atomics.compareExchange(words, index, pte, want);
    if (seen === pte) return want;
    if ((seen & PTE_V) === 0n) return undefined;
    pte = seen;
  }
}
