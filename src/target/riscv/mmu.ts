/**
 * Sv39/Sv48/Sv57 address translation (privileged spec 4.3-4.6; the hart's satp takes Sv39 and Sv48
 * only, see SATP_PAGING_MODES), with hardware A/D
 * updates as QEMU performs them: the PTE is updated with a compare-and-swap
 * on the shared RAM so concurrent walkers on other vCPUs never lose a bit.
 */
import { Access, Cause, Priv } from './csr.js';

const PTE_V = 1n, PTE_R = 2n, PTE_W = 4n, PTE_X = 8n, PTE_U = 16n, PTE_A = 64n, PTE_D = 128n;
const PPN_MASK = (1n << 44n) - 1n;

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

/** Does the leaf PTE allow this access at this privilege? */
function permitted(pte: bigint, req: WalkRequest): boolean {
  const user = (pte & PTE_U) !== 0n;
  if (req.priv === Priv.U && !user) return false;
  if (req.priv === Priv.S && user && (req.access === Access.Exec || !req.sum)) return false;
  switch (req.access) {
    case Access.Read: return (pte & PTE_R) !== 0n || (req.mxr && (pte & PTE_X) !== 0n);
    case Access.Write: return (pte & PTE_W) !== 0n;
    case Access.Exec: return (pte & PTE_X) !== 0n;
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

/** N (Svnapot) and PBMT (Svpbmt): bits 63 and 62:61 of a PTE. */
const PTE_ATTR = -0x2000000000000000n; // 0xe000000000000000 as the signed 64-bit PTE holds it

/**
 * The bits above the PPN as QEMU 7.2 reads them: without Svpbmt any of them set is a fault; with
 * it the PPN is masked out of the PTE and only the inner-PTE rule looks at N and PBMT (a leaf's
 * memory type means nothing to an emulator; reserved bits 60:54 are not checked then). QEMU 7.2
 * decides on the CPU's extension, not on menvcfg.PBMTE (tests/guest/src/svpbmt.c).
 */
function attributesAllowed(pte: bigint, svpbmt: boolean): boolean {
  if (svpbmt) return true;
  return BigInt.asUintN(64, pte) >> 54n === 0n;
}

export function walkPageTable(mem: PageTableMemory, req: WalkRequest): WalkResult {
  const va = req.vaddr;
  const levels = levelsOf(req.satp);
  const vaBits = 12 + 9 * levels;
  // bits 63..vaBits-1 must all equal bit vaBits-1
  const top = va >> BigInt(vaBits - 1);
  if (top !== 0n && top !== -1n) return fault(pageFault(req.access));
  let table = (req.satp & PPN_MASK) << 12n;
  for (let level = levels - 1; level >= 0; level--) {
    const vpn = (va >> BigInt(12 + 9 * level)) & 0x1ffn;
    const ptePa = Number(table + vpn * 8n);
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
    let pte = Atomics.load(words, index);
    if ((pte & PTE_V) === 0n || ((pte & PTE_R) === 0n && (pte & PTE_W) !== 0n)) return fault(pageFault(req.access));
    if (!attributesAllowed(pte, req.svpbmt === true)) return fault(pageFault(req.access));
    const ppn = (pte >> 10n) & PPN_MASK;
    if ((pte & (PTE_R | PTE_X)) === 0n) {
      // non-leaf must clear these (and, with Svpbmt, the memory type and N: QEMU 7.2's PTE_ATTR)
      if ((pte & (PTE_A | PTE_D | PTE_U | PTE_ATTR)) !== 0n) return fault(pageFault(req.access));
      table = ppn << 12n;
      continue;
    }
    if (!permitted(pte, req)) return fault(pageFault(req.access));
    // superpages must be aligned
    if (level > 0 && (ppn & ((1n << BigInt(9 * level)) - 1n)) !== 0n) return fault(pageFault(req.access));
    const updated = updateAccessedDirty(words, index, pte, req.access === Access.Write);
    if (updated === undefined) return fault(pageFault(req.access));
    pte = updated;
    const levelMask = (1n << BigInt(12 + 9 * level)) - 1n;
    const pa = (ppn << 12n) | (va & levelMask);
    return {
      pagePa: Number(pa & ~0xfffn),
      cause: 0 as Cause,
      readable: (pte & PTE_R) !== 0n || (req.mxr && (pte & PTE_X) !== 0n),
      // only dirty pages may be written without another walk (so D gets set)
      writable: (pte & PTE_W) !== 0n && (pte & PTE_D) !== 0n,
      executable: (pte & PTE_X) !== 0n,
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
