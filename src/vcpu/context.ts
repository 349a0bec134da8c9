/**
 * The vCPU context: the helpers translated blocks call (`c.ld`, `c.csrAccess`,
 * ..., declared in src/abi/helpers.ts), the soft TLB they read inline, and the
 * slow paths behind it (page walks, MMIO, self-modifying code, traps). One per
 * vCPU.
 *
 * Helper protocol: a helper that must end the block (trap, privileged state
 * change, code modified) sets `endBlock` and `resumePc` to where execution
 * continues, and accounts the instructions it retired; the block then
 * returns `resumePc` to the run loop. Loads and stores reach `ld`/`st` through
 * load-store.ts, which turns `endBlock` into a thrown BLOCK_EXIT instead.
 */
import { featureBit } from '../target/riscv/isa.js';
import { DisconType, Hart } from '../target/riscv/hart.js';
import { Access, Cause, MSTATUS, MPP_SHIFT, Priv } from '../target/riscv/csr.js';
import { satpIsBare, walkPageTable, type WalkResult } from '../target/riscv/mmu.js';
import { PMP_R, PMP_X, pmpNeed } from '../target/riscv/pmp.js';
import { FP_OP_TABLE, FpOperands } from '../target/riscv/fpu/op-table.js';
import { AMO, CsrOp } from '../abi/ops.js';
import type { BlockContext } from '../abi/helpers.js';
import { FLAT_READ, FLAT_TABLE_BYTES, FLAT_WRITE, TLB_ENTRIES, TLB_ENTRY_WORDS, TLB_HI, TLB_RAM_OFFSET, TLB_READ_TAG, TLB_WRITE_TAG, type FlatLayout } from '../abi/tlb.js';
import { tlbHostIndex } from '../tcg/tlb-probe.js';
import { PageCache } from './jump-cache.js';
import { GuestMemory, PAGE_SHIFT, PAGE_SIZE, WATCH_READ, WATCH_WRITE } from '../memory/guest-memory.js';
import {
  CsrSlot, SLOT_EVENT_PC, SLOT_EVENT_RETIRED, SLOT_F, SLOT_INSTRET, SLOT_RESERVATION_ADDR, SLOT_RESERVATION_VALUE, SLOT_X, STATE_TLB_OFFSET, VcpuStateViews, WORD_EXIT_REQUEST, WORD_WAKE, WORD_WASM_TLB,
} from '../abi/state-layout.js';

/** Pauses in a row (each within SPIN_STREAK_GAP retired instructions of the last) before a vCPU lets its host CPU go. */
const PAUSES_BEFORE_YIELD = 256;
const SPIN_STREAK_GAP = 64;
/** How long it lets it go, at most (the host's timer slack adds ~50 us). */
const SPIN_YIELD_MS = 0.02;

/** Device access for addresses that are neither RAM nor ROM. */
export interface MmioPort {
  /** Value read, or undefined if nothing is mapped there (access fault). */
  read(pa: number, size: number): bigint | undefined;
  /** False if nothing is mapped there (access fault). */
  write(pa: number, size: number, value: bigint): boolean;
  /** An instruction fetch from `pa` (neither RAM nor ROM) faults: log what QEMU logs for it. */
  fetchFault?(pa: number): void;
}

/** Time source and per-hart timer compare values (the CLINT). */
export interface TimerSource {
  mtime(): bigint;
  mtimecmp(hart: number): bigint;
  /** mtime ticks per millisecond (the board's timebase / 1000). */
  readonly ticksPerMs: number;
  /**
   * Does mtime advance with the host's monotonic clock (performance.now()'s), except where it is
   * written (which kicks the harts)? Then a hart may tell how long its timers stay quiet.
   */
  readonly followsHostClock?: boolean;
  /** -icount: its settings (undefined: host time), and the idle vCPU's skip of virtual time to a deadline. */
  readonly icount?: { readonly sleep: boolean } | undefined;
  skipTo?(deadline: bigint): void;
  /**
   * -icount: run `read` (a time read) with `insns` instructions of the running block counted as
   * executed (the block's count is added to instret only when it ends).
   */
  atInsn?<T>(insns: number, read: () => T): T;
  /** -icount sleep=on: an idle machine's virtual time moves on by `ns` of real time it slept. */
  warp?(ns: bigint): void;
  /** -icount auto/align, now and then: adjusts the shift; returns how long to sleep to align (ms). */
  icountTick?(): number;
}

export class VcpuContext extends Hart implements BlockContext {
  // ---- read by generated code -------------------------------------------------
  /**
   * An access hit a gdb watchpoint: the block ended before the instruction, which has not run
   * (RISC-V's gdb_stop_before_watchpoint in QEMU); the run loop stops the vCPU for the debugger.
   */
  watchHit: { addr: number; flags: number } | undefined = undefined;
  /** A helper ended the running block; it continues at resumePc (src/abi/helpers.ts). */
  endBlock = false;
  /** deferStoreEnd was called and endDeferredStore not yet (a trap forgets it: raise). */
  private storeEndDeferred = false;
  /** How the deferred store asked its block to end, if it did. */
  private deferredStoreEnd: 'exit' | 'io' | undefined;
  resumePc = 0;
  /** Int32 index of the current data-MMU TLB set. */
  tlbBase = 0;
  /** In the vCPU's state area (src/abi/state-layout.ts), where WebAssembly blocks read it too. */
  readonly tlb: Int32Array;
  /** RAM pages that may have a write-enabled TLB entry (set on fill, cleared when dropped). */
  private readonly writablePages: Uint8Array;
  /**
   * User mode's flat memory (src/abi/tlb.ts FlatLayout), set before the first block: generated
   * code then skips the TLB, and the slow path below keeps the shared page table's bits.
   */
  flat: FlatLayout | undefined;
  /**
   * High RAM's soft TLB (undefined on machines without high RAM): the shared TLB's layout and
   * indexing, but its RAM_OFFSET word is the page number in high RAM, and only `ld`/`st` (the
   * slow path every tier calls on a miss) look here, so generated code never sees these pages.
   */
  private readonly highTlb: Int32Array | undefined;
  /** The CPU has Svpbmt (-cpu rv64,svpbmt=on): page walks read PTE bits 62:61 as a memory type. */
  private readonly svpbmt: boolean;

  // ---- for the run loop ----------------------------------------------------------
  /** Set by wfi: the run loop should sleep until an interrupt is pending. */
  wantHalt = false;
  /** Let the host CPU go after a streak of pauses (`pause`): set when this vCPU's thread is one of several. */
  spinYield = false;
  /** Times it did (TSEMU_STATS). */
  spinYields = 0;
  private pauseStreak = 0;
  private lastPauseRetired = 0;
  /**
   * Bumped whenever block-to-block links may be wrong: privilege or address
   * translation changed, or code was dropped. Links recorded under another
   * epoch are ignored.
   */
  linkEpoch = 0;
  /** Set when virtual-pc lookups must be redone (fence.i, sfence.vma, satp): compiled code stays. */
  codeCacheDirty = false;
  /**
   * The exec translation cache: virtual page and privilege level -> physical page. Emptied by a
   * TLB flush only: one emptied at every privilege change made a Linux boot walk the page table
   * again after each of its ~2,000 traps and returns.
   */
  private readonly itlb = new PageCache(1024);

  constructor(
    state: VcpuStateViews,
    hartId: number,
    readonly mem: GuestMemory,
    readonly mmio: MmioPort,
    readonly timer: TimerSource,
  ) {
    super(state, hartId);
    this.svpbmt = (mem.cpuFeatures & featureBit('svpbmt')) !== 0;
    this.tlb = state.tlb;
    this.tlb.fill(-1);
    this.publishTlbBase();
    this.writablePages = new Uint8Array(Math.ceil(mem.ramSize / PAGE_SIZE));
    this.highTlb = mem.lowSize < mem.ramSize ? new Int32Array(this.tlb.length).fill(-1) : undefined;
  }

  /**
   * A new worker taking over this hart: derived state (PMP ranges, TLB, privilege views) from the state area.
   * If the old one ended inside a block's event (a library callback that never returned), the
   * hart goes on where that event says (SLOT_EVENT_PC: the registers in the state are those of
   * that point of the block, not of its start), counting the block's instructions before it.
   */
  resumeFromState(): void {
    const at = this.f64[SLOT_EVENT_PC];
    if (at >= 0) {
      this.pc = at;
      this.f64[SLOT_INSTRET] += this.f64[SLOT_EVENT_RETIRED];
      this.f64[SLOT_EVENT_PC] = -1;
    }
    this.wantHalt = false;
    this.endBlock = false;
    this.pmpChanged(); // the PMP ranges are decoded from pmpcfg/pmpaddr per thread (and the TLB flushed)
    this.privilegeChanged();
  }

  /** Reset also forgets run-loop state: a hart reset while in WFI must not stay halted. */
  override resetState(resetPc: number): void {
    this.wantHalt = false;
    this.endBlock = false;
    super.resetState(resetPc);
  }

  protected readTime(insnsInBlock = 0): bigint {
    const { timer } = this;
    return insnsInBlock === 0 || timer.atInsn === undefined ? timer.mtime() : timer.atInsn(insnsInBlock, () => timer.mtime());
  }

  /** A device read by instruction `insnIndex` of the block: under -icount, mtime counts the block up to it. */
  private readIo(pa: number, size: number, insnIndex: number): bigint | undefined {
    const { timer } = this;
    return timer.atInsn === undefined ? this.mmio.read(pa, size) : timer.atInsn(insnIndex + 1, () => this.mmio.read(pa, size));
  }
  protected mtimecmp(): bigint { return this.timer.mtimecmp(this.hartId); }
  protected quietMsFor(ticks: bigint): number {
    return this.timer.followsHostClock === true && ticks > 0n ? Number(ticks) / this.timer.ticksPerMs : 0;
  }
  protected timersChanged(): void { /* the run loop recomputes deadlines at every exit */ }

  protected flushTlb(): void {
    if (this.flat !== undefined) this.mem.mu8.fill(0, this.flat.table, this.flat.table + FLAT_TABLE_BYTES);
    this.linkEpoch++;
    this.tlb.fill(-1);
    this.highTlb?.fill(-1);
    this.writablePages.fill(0);
    this.itlb.clear();
    this.codeCacheDirty = true;
    this.requestService();
  }

  /** The watchpoint table changed: refill the soft TLB (pages with a watchpoint stay out of it). */
  watchpointsChanged(): void {
    this.flushTlb();
  }

  /** Make the run loop call its service routine before the next block. */
  requestService(): void {
    this.i32[WORD_EXIT_REQUEST] = 1;
  }

  protected privilegeChanged(): void {
    this.linkEpoch++;
    this.tlbBase = this.dataPriv() * TLB_ENTRIES * TLB_ENTRY_WORDS;
    this.publishTlbBase();
  }

  /** tlbBase as the byte address in the state area's memory that WebAssembly blocks read (WORD_WASM_TLB). */
  private publishTlbBase(): void {
    this.i32[WORD_WASM_TLB] = this.state.byteOffset + STATE_TLB_OFFSET + this.tlbBase * 4;
  }

  /** Tell the other vCPUs that a RAM page now holds translated code (set by the worker). */
  otherHartsFlushWriteTlb: (() => void) | undefined;

  /** RAM page `page` now holds translated code: stores to it must take the slow path. */
  codePageAdded(page: number): void {
    this.dropWriteTlb(page);
    this.otherHartsFlushWriteTlb?.();
  }

  /** This vCPU's stores to RAM page `page` take the checked slow path from now on. */
  dropWriteTlb(page: number): void {
    // the flat table is shared: another vCPU may have opened the page's fast write path
    if (this.flat !== undefined) Atomics.and(this.mem.mu8, this.flat.table + page, ~FLAT_WRITE);
    if (this.writablePages[page] === 0) return; // no fast write path was ever opened to it
    this.writablePages[page] = 0;
    const lowPages = this.mem.lowSize / PAGE_SIZE;
    const tlb = page < lowPages ? this.tlb : this.highTlb;
    if (tlb === undefined) return;
    const off = page < lowPages ? page << 12 : page - lowPages;
    for (let e = 0; e < tlb.length; e += TLB_ENTRY_WORDS) {
      if (tlb[e + TLB_RAM_OFFSET] === off) tlb[e + TLB_WRITE_TAG] = -1;
    }
  }

  /** Drop write permissions cached for pages that became code pages (other vCPUs translated them). */
  flushWriteTlb(): void {
    for (let e = 0; e < this.tlb.length; e += TLB_ENTRY_WORDS) this.tlb[e + TLB_WRITE_TAG] = -1;
    if (this.highTlb !== undefined) for (let e = 0; e < this.highTlb.length; e += TLB_ENTRY_WORDS) this.highTlb[e + TLB_WRITE_TAG] = -1;
    this.writablePages.fill(0);
  }

  /** Privilege used for loads and stores (MPRV makes M-mode use MPP's). */
  private dataPriv(): Priv {
    const mstatus = this.csr(CsrSlot.mstatus);
    if (this.priv === Priv.M && (mstatus & MSTATUS.MPRV) !== 0n) return Number((mstatus & MSTATUS.MPP) >> MPP_SHIFT) as Priv;
    return this.priv;
  }

  // ---- address translation ----------------------------------------------------------

  /**
   * Translate a virtual address for an access. Returns the physical address,
   * or -1 after raising the fault (endBlock set).
   */
  private translate(vaddr: bigint, access: Access, priv: Priv, pc: number, insnIndex: number, size = 1): number {
    const satp = this.csr(CsrSlot.satp);
    let pa: number;
    if (priv === Priv.M || satpIsBare(satp)) {
      pa = Number(BigInt.asUintN(64, vaddr));
    } else {
      const r = this.walk(vaddr, access, priv, satp);
      if (r.pagePa < 0) {
        this.raise(r.cause, vaddr, pc, insnIndex);
        return -1;
      }
      pa = r.pagePa + Number(BigInt.asUintN(12, vaddr));
    }
    // PMP after translation, as QEMU's riscv_cpu_tlb_fill (get_physical_address_pmp)
    if (!this.pmpAllows(pa, size, pmpNeed(access), priv)) {
      this.raise(access === Access.Write ? Cause.StoreAccessFault : Cause.LoadAccessFault, vaddr, pc, insnIndex);
      return -1;
    }
    return pa;
  }

  /** The page walk, its PTE reads PMP-checked as QEMU's: 8-byte S-mode loads. */
  private walk(vaddr: bigint, access: Access, priv: Priv, satp: bigint): WalkResult {
    const mstatus = this.csr(CsrSlot.mstatus);
    return walkPageTable(this.mem, {
      vaddr, access, priv, satp, sum: (mstatus & MSTATUS.SUM) !== 0n, mxr: (mstatus & MSTATUS.MXR) !== 0n, svpbmt: this.svpbmt,
      pteAllowed: this.pteAllowed,
    });
  }

  private readonly pteAllowed = (pa: number): boolean => this.pmpAllows(pa, 8, PMP_R, Priv.S);

  /** Fill the data TLB entry for the page of `vaddr` (RAM pages only). */
  private fillTlb(lo: number, hi: number, pa: number, write: boolean): void {
    let off = this.mem.ramOffset(pa);
    // a page that PMP entries split stays on the slow path (QEMU: a TLB entry smaller than a page)
    if (!(!this.pmpEnforced || this.pmp.pageUniform(pa))) return;
    let tlb = this.tlb;
    let page: number;
    let entryOff: number;
    if (off >= 0) {
      page = off >>> PAGE_SHIFT;
      entryOff = off & ~0xfff;
    } else {
      off = this.mem.highOffset(pa);
      if (off < 0 || this.highTlb === undefined) return;
      tlb = this.highTlb;
      entryOff = Math.floor(off / PAGE_SIZE);
      page = this.mem.lowSize / PAGE_SIZE + entryOff;
    }
    // a page holding a watchpoint of this kind stays on the slow path (QEMU's TLB_WATCHPOINT)
    if (this.mem.watchCount !== 0 && this.mem.watchHit((hi | 0) * 4294967296 + (lo >>> 12) * 4096, 4096, write ? WATCH_WRITE : WATCH_READ) >= 0) return;
    const e = this.tlbBase + ((lo >>> 10) & ((TLB_ENTRIES - 1) * TLB_ENTRY_WORDS));
    const tag = lo & ~0xfff;
    if (tlb[e + TLB_HI] !== hi || (tlb[e + TLB_RAM_OFFSET] !== entryOff)) {
      tlb[e + TLB_READ_TAG] = -1;
      tlb[e + TLB_WRITE_TAG] = -1;
    }
    tlb[e + TLB_HI] = hi;
    tlb[e + TLB_RAM_OFFSET] = entryOff;
    // user mode's flat table mirrors the low TLB's permissions (src/abi/tlb.ts FlatLayout)
    const flat = this.flat !== undefined && tlb === this.tlb && hi === 0 && off === lo >>> 0 && off < this.flat.limit ? this.flat.table + page : -1;
    if (!write) {
      tlb[e + TLB_READ_TAG] = tag;
      if (flat >= 0) Atomics.or(this.mem.mu8, flat, FLAT_READ);
      return;
    }
    // writes to pages holding translated code must stay on the slow path; pages
    // mapped through Sv39 only get write permission after a write walk set D
    if (Atomics.load(this.mem.codePages, page) === 0) {
      tlb[e + TLB_WRITE_TAG] = tag;
      this.writablePages[page] = 1;
      if (flat >= 0) Atomics.or(this.mem.mu8, flat, FLAT_READ | FLAT_WRITE);
    }
  }

  /**
   * High-RAM offset of the access at hi:lo of `size` bytes if the high TLB allows it
   * (`tagWord`: TLB_READ_TAG or TLB_WRITE_TAG) and it is aligned; otherwise -1.
   */
  private highHit(tlb: Int32Array, tagWord: number, lo: number, hi: number, size: number): number {
    const e = this.tlbBase + ((lo >>> 10) & ((TLB_ENTRIES - 1) * TLB_ENTRY_WORDS));
    const tag = lo & (~0xfff | (size - 1));
    return tlb[e + tagWord] === tag && tlb[e + TLB_HI] === hi ? tlb[e + TLB_RAM_OFFSET] * PAGE_SIZE + (lo & 4095) : -1;
  }

  // ---- traps ------------------------------------------------------------------------------

  /** Raise exception `cause` at instruction `pc` (index `insnIndex` in its block) and end the block. */
  raise(cause: Cause, tval: bigint, pc: number, insnIndex: number): void {
    this.storeEndDeferred = false; // a faulting access raises no guest_mem_after: endDeferredStore will not run
    this.f64[SLOT_INSTRET] += insnIndex;
    this.resumePc = this.takeTrap(cause, BigInt.asIntN(64, tval), pc, false);
    this.endBlock = true;
  }

  /** End the block after the current instruction, continuing at `nextPc`. */
  private exitAfter(nextPc: number, insnIndex: number): void {
    this.requestService(); // state changed: interrupts may now be pending and enabled
    this.f64[SLOT_INSTRET] += insnIndex + 1;
    this.resumePc = nextPc;
    this.endBlock = true;
  }

  raiseIllegal(bits: number, pc: number, insnIndex: number): void {
    this.raise(Cause.IllegalInsn, BigInt(bits >>> 0), pc, insnIndex);
  }

  raiseMisalignedFetch(target: number, pc: number, insnIndex: number): void {
    this.raise(Cause.InsnMisaligned, BigInt(target), pc, insnIndex);
  }

  // ---- loads and stores (slow paths of the inline TLB hit) --------------------------------

  /** Neither RAM nor ROM: a device, or nothing (QEMU's TLB_MMIO pages). */
  private isIo(pa: number): boolean {
    return !this.mem.isRam(pa) && !this.mem.isRom(pa);
  }

  /**
   * Load `size` bytes at virtual `vaddr`: raw little-endian value, or undefined after a trap.
   * As QEMU's softmmu (load_helper): an access that crosses a page, or is misaligned on a
   * device page, becomes two aligned accesses of the same size around it.
   */
  loadVirt(vaddr: bigint, size: number, pc: number, insnIndex: number): bigint | undefined {
    const pa = this.translate(vaddr, Access.Read, this.dataPriv(), pc, insnIndex, size);
    if (pa < 0) return undefined;
    if (this.mem.watchCount !== 0 && this.watchpointHit(vaddr, size, WATCH_READ, pc, insnIndex)) return undefined;
    // page offset and alignment from vaddr: pa is a double, inexact above 2^53 (a misaligned
    // load from such an address faults at the aligned address below it, as QEMU's split does)
    const pageOff = Number(vaddr & 0xfffn);
    const misaligned = (pageOff & (size - 1)) !== 0;
    if (pageOff + size > 0x1000 || (misaligned && this.isIo(pa))) return this.loadSplit(vaddr, size, pc, insnIndex);
    const off = this.mem.ramOffset(pa);
    if (off >= 0) {
      const lo = Number(BigInt.asIntN(32, vaddr));
      this.fillTlb(lo, Number(vaddr >> 32n), pa, false);
      return this.mem.readRam(off, size);
    }
    const h = this.mem.highOffset(pa);
    if (h >= 0) {
      this.fillTlb(Number(BigInt.asIntN(32, vaddr)), Number(vaddr >> 32n), pa, false);
      return this.mem.readHigh(h, size);
    }
    const v = this.mem.isRom(pa) ? this.mem.readRom(pa, size) : this.readIo(pa, size, insnIndex);
    if (v === undefined) this.raise(Cause.LoadAccessFault, vaddr, pc, insnIndex);
    return v;
  }

  /** QEMU's do_unaligned_access for loads: the aligned accesses below and above, combined. */
  private loadSplit(vaddr: bigint, size: number, pc: number, insnIndex: number): bigint | undefined {
    const low = vaddr & ~BigInt(size - 1);
    const r1 = this.loadVirt(low, size, pc, insnIndex);
    if (r1 === undefined) return undefined;
    const r2 = this.loadVirt(low + BigInt(size), size, pc, insnIndex);
    if (r2 === undefined) return undefined;
    const shift = (vaddr - low) * 8n;
    return BigInt.asUintN(size * 8, (r1 >> shift) | (r2 << (BigInt(size * 8) - shift)));
  }

  /**
   * Store `size` bytes at virtual `vaddr`; false after a trap. As QEMU's store_helper: an
   * access that crosses a page, or is misaligned on a device page, is stored one byte at a
   * time, in address order (a fault on a later byte leaves the earlier ones written).
   */
  storeVirt(vaddr: bigint, size: number, value: bigint, pc: number, insnIndex: number, insnLength: number): boolean {
    const pa = this.translate(vaddr, Access.Write, this.dataPriv(), pc, insnIndex, size);
    if (pa < 0) return false;
    if (this.mem.watchCount !== 0 && this.watchpointHit(vaddr, size, WATCH_WRITE, pc, insnIndex)) return false;
    const pageOff = Number(vaddr & 0xfffn); // not pa: inexact above 2^53
    const crosses = pageOff + size > 0x1000;
    if (crosses || ((pageOff & (size - 1)) !== 0 && this.isIo(pa))) return this.storeBytes(vaddr, size, value, crosses, pc, insnIndex, insnLength);
    const r = this.storePhys(vaddr, pa, size, value, pc, insnIndex);
    if (r === 'exit' || r === 'io') this.storeEnds(r, pc + insnLength, insnIndex);
    return r !== 'fault';
  }

  /** A store to a device ('io') or to translated code ('exit') ends its block, after guest_mem_after if that was asked for. */
  private storeEnds(kind: 'exit' | 'io', nextPc: number, insnIndex: number): void {
    if (this.storeEndDeferred) {
      this.deferredStoreEnd = kind;
      return;
    }
    if (kind === 'exit') this.exitAfter(nextPc, insnIndex);
    else this.afterIoStore(nextPc, insnIndex);
  }

  deferStoreEnd(): void {
    this.storeEndDeferred = true;
    this.deferredStoreEnd = undefined;
  }

  endDeferredStore(length: number, pc: number, insnIndex: number): void {
    const kind = this.deferredStoreEnd;
    this.storeEndDeferred = false;
    this.deferredStoreEnd = undefined;
    if (kind !== undefined) this.storeEnds(kind, pc + length, insnIndex);
  }

  fregValue(reg: number): bigint {
    return this.i64[SLOT_F + reg];
  }

  private storeBytes(vaddr: bigint, size: number, value: bigint, crosses: boolean, pc: number, insnIndex: number, insnLength: number): boolean {
    // QEMU fills the second page's TLB entry before storing anything: its fault comes first
    if (crosses && this.translate((vaddr + BigInt(size - 1)) & ~0xfffn, Access.Write, this.dataPriv(), pc, insnIndex) < 0) return false;
    let exit = false;
    let io = false;
    for (let i = 0; i < size; i++) {
      const a = vaddr + BigInt(i);
      const pa = this.translate(a, Access.Write, this.dataPriv(), pc, insnIndex);
      if (pa < 0) return false;
      const r = this.storePhys(a, pa, 1, (value >> BigInt(8 * i)) & 0xffn, pc, insnIndex);
      if (r === 'fault') return false;
      exit ||= r === 'exit';
      io ||= r === 'io';
    }
    if (exit || io) this.storeEnds(exit ? 'exit' : 'io', pc + insnLength, insnIndex);
    return true;
  }

  /**
   * A device (or ROM) took a store: it may have raised an interrupt, so the block ends after the
   * instruction. With -d nochain's QEMU-shaped blocks the block goes on to its end, as QEMU's
   * does (an interrupt is taken at the next block), and only the service is asked for.
   */
  private afterIoStore(nextPc: number, insnIndex: number): void {
    if (this.mem.basicBlocks) this.requestService();
    else this.exitAfter(nextPc, insnIndex);
  }

  /**
   * One store at physical `pa`: 'fault' after raising the access fault; 'exit' when the
   * block must end after the instruction (a RAM write can hit translated code); 'io' for a
   * device or ROM write (it can raise interrupts: see afterIoStore).
   */
  private storePhys(vaddr: bigint, pa: number, size: number, value: bigint, pc: number, insnIndex: number): 'ram' | 'exit' | 'io' | 'fault' {
    const off = this.mem.ramOffset(pa);
    if (off >= 0) {
      this.mem.writeRam(off, size, value);
      if (this.mem.codeWritten(off, size)) return 'exit';
      this.fillTlb(Number(BigInt.asIntN(32, vaddr)), Number(vaddr >> 32n), pa, true);
      return 'ram';
    }
    const h = this.mem.highOffset(pa);
    if (h >= 0) {
      this.mem.writeHigh(h, size, value);
      if (this.mem.codeWritten(this.mem.lowSize + h, size)) return 'exit';
      this.fillTlb(Number(BigInt.asIntN(32, vaddr)), Number(vaddr >> 32n), pa, true);
      return 'ram';
    }
    if (this.mem.isRom(pa) || this.mmio.write(pa, size, BigInt.asUintN(size * 8, value))) return 'io';
    this.raise(Cause.StoreAccessFault, vaddr, pc, insnIndex);
    return 'fault';
  }

  /**
   * A gdb watchpoint covers this access: end the block before the instruction, which does not run
   * (QEMU stops before the access on RISC-V), and let the run loop report the first match.
   */
  private watchpointHit(vaddr: bigint, size: number, flags: number, pc: number, insnIndex: number): boolean {
    const i = this.mem.watchHit(Number(BigInt.asIntN(64, vaddr)), size, flags);
    if (i < 0) return false;
    const w = this.mem.watchpoint(i);
    this.storeEndDeferred = false;
    this.watchHit = { addr: w.addr, flags: w.flags };
    this.f64[SLOT_INSTRET] += insnIndex;
    this.resumePc = pc;
    this.endBlock = true;
    this.requestService();
    return true;
  }

  /** Slow path of an inline load: `lo`/`hi` are the address words. */
  ld(lo: number, hi: number, size: number, signed: number, pc: number, insnIndex: number): bigint {
    if (this.highTlb !== undefined) {
      const h = this.highHit(this.highTlb, TLB_READ_TAG, lo, hi, size);
      if (h >= 0) {
        const v = this.mem.readHigh(h, size);
        return signed ? BigInt.asIntN(size * 8, v) : v;
      }
    }
    const vaddr = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
    const v = this.loadVirt(vaddr, size, pc, insnIndex);
    if (v === undefined) return 0n;
    return signed ? BigInt.asIntN(size * 8, v) : v;
  }

  /** Slow path of an inline store. */
  st(lo: number, hi: number, size: number, value: bigint, pc: number, insnIndex: number, insnLength: number): void {
    if (this.highTlb !== undefined) {
      const h = this.highHit(this.highTlb, TLB_WRITE_TAG, lo, hi, size);
      if (h >= 0) {
        this.mem.writeHigh(h, size, value);
        return;
      }
    }
    const vaddr = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
    this.storeVirt(vaddr, size, value, pc, insnIndex, insnLength);
  }

  // ---- atomics ----------------------------------------------------------------------------

  amo(base: bigint, src: bigint, op: AMO, size: 4 | 8, rd: number, pc: number, insnIndex: number): void {
    // The reservation holds the LR's virtual address, as QEMU's load_res; SC compares
    // it before anything else (a mismatch fails without a trap) and then the value (CAS).
    const vaddr = Number(base);
    if (op === AMO.sc && this.f64[SLOT_RESERVATION_ADDR] !== vaddr) {
      this.f64[SLOT_RESERVATION_ADDR] = -1;
      if (rd !== 0) this.i64[SLOT_X + rd] = 1n;
      return;
    }
    if ((Number(base & 7n) & (size - 1)) !== 0) {
      // QEMU 7.2 reports misaligned LR and AMOs as load-address-misaligned, SC as store
      this.raise(op === AMO.sc ? Cause.StoreMisaligned : Cause.LoadMisaligned, base, pc, insnIndex);
      return;
    }
    // the soft TLB first, as for loads and stores: the walk below costs about a microsecond and
    // allocates (a Linux boot's locks, atomics and bit operations in cold code walked every time)
    const lo = Number(BigInt.asIntN(32, base));
    const hi = Number(base >> 32n);
    const write = op !== AMO.lr;
    // an AMO or SC needs both sides of the entry (as its watchpoints do), an LR the read side
    const shift = size === 4 ? 2 : 3;
    const hit = tlbHostIndex(this.tlb, this.tlbBase, TLB_READ_TAG, lo, hi, shift);
    if (hit >= 0 && (!write || tlbHostIndex(this.tlb, this.tlbBase, TLB_WRITE_TAG, lo, hi, shift) >= 0)) {
      const old = size === 4 ? this.amo32(this.mem.m32, hit, op, src, vaddr) : this.amo64(this.mem.m64, hit, op, src, vaddr);
      if (rd !== 0) this.i64[SLOT_X + rd] = old;
      return;
    }
    const pa = this.translate(base, write ? Access.Write : Access.Read, this.dataPriv(), pc, insnIndex, size);
    if (pa < 0) return;
    // QEMU's LR is a plain load; SC and AMOs are read-modify-write (atomic_mmu_lookup checks both)
    if (this.mem.watchCount !== 0 && this.watchpointHit(base, size, write ? WATCH_READ | WATCH_WRITE : WATCH_READ, pc, insnIndex)) return;
    const index = this.mem.ramIndex(pa);
    if (index < 0) {
      if (this.mem.isRom(pa)) this.raise(Cause.LoadAccessFault, base, pc, insnIndex);
      else this.amoIo(pa, base, op, src, size, rd, pc, insnIndex);
      return;
    }
    // a write walk allowed reading too (W implies R); fillTlb leaves out what it must (code
    // pages from the write side, pages with watchpoints, pages PMP splits)
    this.fillTlb(lo, hi, pa, false);
    if (write) this.fillTlb(lo, hi, pa, true);
    let old: bigint;
    if (size === 4) {
      const w = this.mem.word32(pa) as { a: Int32Array; i: number };
      old = this.amo32(w.a, w.i, op, src, vaddr);
    } else {
      const w = this.mem.word64(pa) as { a: BigInt64Array; i: number };
      old = this.amo64(w.a, w.i, op, src, vaddr);
    }
    if (rd !== 0) this.i64[SLOT_X + rd] = old;
    if (op !== AMO.lr && this.mem.codeWritten(index, size)) this.exitAfter(pc + 4, insnIndex);
  }

  /**
   * An atomic on a device page: QEMU 7.2 runs it "stop the world", as a plain load (an
   * unmapped address is a load access fault, logged as that load), then the store.
   */
  private amoIo(pa: number, vaddr: bigint, op: AMO, src: bigint, size: 4 | 8, rd: number, pc: number, insnIndex: number): void {
    const raw = this.readIo(pa, size, insnIndex);
    if (raw === undefined) {
      this.raise(Cause.LoadAccessFault, vaddr, pc, insnIndex);
      return;
    }
    const bits = size * 8;
    const old = BigInt.asIntN(bits, raw);
    let result = old;
    let next: bigint;
    if (op === AMO.lr) {
      this.f64[SLOT_RESERVATION_ADDR] = Number(vaddr);
      this.i64[SLOT_RESERVATION_VALUE] = old;
      if (rd !== 0) this.i64[SLOT_X + rd] = old;
      return;
    }
    if (op === AMO.sc) {
      this.f64[SLOT_RESERVATION_ADDR] = -1;
      result = old === BigInt.asIntN(bits, this.i64[SLOT_RESERVATION_VALUE]) ? 0n : 1n;
      if (result !== 0n) {
        if (rd !== 0) this.i64[SLOT_X + rd] = result;
        return;
      }
      next = src;
    } else {
      next = amoResult(op, old, BigInt.asIntN(bits, src), bits);
    }
    if (!this.mmio.write(pa, size, BigInt.asUintN(bits, next))) {
      this.raise(Cause.StoreAccessFault, vaddr, pc, insnIndex);
      return;
    }
    if (rd !== 0) this.i64[SLOT_X + rd] = result;
    this.exitAfter(pc + 4, insnIndex); // a device write can raise interrupts
  }

  /** An atomic on the 32-bit word `m[i]` of RAM (low or high). */
  private amo32(m: Int32Array, i: number, op: AMO, src: bigint, vaddr: number): bigint {
    const s = Number(BigInt.asIntN(32, src));
    switch (op) {
      case AMO.lr: {
        const v = Atomics.load(m, i);
        this.f64[SLOT_RESERVATION_ADDR] = vaddr;
        this.i64[SLOT_RESERVATION_VALUE] = BigInt(v);
        return BigInt(v);
      }
      case AMO.sc: return this.storeConditional32(m, i, s);
      case AMO.swap: return BigInt(Atomics.exchange(m, i, s));
      case AMO.add: return BigInt(Atomics.add(m, i, s));
      case AMO.xor: return BigInt(Atomics.xor(m, i, s));
      case AMO.and: return BigInt(Atomics.and(m, i, s));
      case AMO.or: return BigInt(Atomics.or(m, i, s));
      default: {
        for (;;) {
          const cur = Atomics.load(m, i);
          const next = pickMinMax(op, BigInt(cur), BigInt(s), 32);
          if (Atomics.compareExchange(m, i, cur, Number(next)) === cur) return BigInt(cur);
        }
      }
    }
  }

  private storeConditional32(m: Int32Array, i: number, s: number): bigint {
    this.f64[SLOT_RESERVATION_ADDR] = -1;
    const expected = Number(BigInt.asIntN(32, this.i64[SLOT_RESERVATION_VALUE])); // the low word, as QEMU's 32-bit cmpxchg compares
    return Atomics.compareExchange(m, i, expected, s) === expected ? 0n : 1n;
  }

  private amo64(m: BigInt64Array, i: number, op: AMO, src: bigint, vaddr: number): bigint {
    switch (op) {
      case AMO.lr: {
        const v = Atomics.load(m, i);
        this.f64[SLOT_RESERVATION_ADDR] = vaddr;
        this.i64[SLOT_RESERVATION_VALUE] = v;
        return v;
      }
      case AMO.sc: {
        this.f64[SLOT_RESERVATION_ADDR] = -1;
        const expected = this.i64[SLOT_RESERVATION_VALUE];
        return Atomics.compareExchange(m, i, expected, src) === expected ? 0n : 1n;
      }
      case AMO.swap: return Atomics.exchange(m, i, src);
      case AMO.add: return Atomics.add(m, i, src);
      case AMO.xor: return Atomics.xor(m, i, src);
      case AMO.and: return Atomics.and(m, i, src);
      case AMO.or: return Atomics.or(m, i, src);
      default: {
        for (;;) {
          const cur = Atomics.load(m, i);
          const next = pickMinMax(op, cur, src, 64);
          if (Atomics.compareExchange(m, i, cur, next) === cur) return cur;
        }
      }
    }
  }

  // ---- floating point ---------------------------------------------------------------------

  private fpEnabled(bits: number, pc: number, insnIndex: number): boolean {
    if ((this.csr(CsrSlot.mstatus) & MSTATUS.FS) !== 0n) return true;
    this.raiseIllegal(bits, pc, insnIndex);
    return false;
  }

  fpuOp(index: number, rd: number, rs1: number, rs2: number, rs3: number, rm: number, bits: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    const op = FP_OP_TABLE[index];
    const s = this.state;
    let ok: boolean;
    switch (op.operands) {
      case FpOperands.Rs1: ok = op.fn(s, rd, rs1); break;
      case FpOperands.Rs1Rm: ok = op.fn(s, rd, rs1, rm); break;
      case FpOperands.Rs1Rs2: ok = op.fn(s, rd, rs1, rs2); break;
      case FpOperands.Rs1Rs2Rm: ok = op.fn(s, rd, rs1, rs2, rm); break;
      case FpOperands.Rs1Rs2Rs3Rm: ok = op.fn(s, rd, rs1, rs2, rs3, rm); break;
    }
    if (!ok) {
      this.raiseIllegal(bits, pc, insnIndex); // a reserved rounding mode; the function changed nothing
      return;
    }
    if (op.writesFreg) this.markFsDirty();
  }

  flw(base: bigint, imm: number, rd: number, bits: number, _length: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    const v = this.loadVirt(BigInt.asIntN(64, base + BigInt(imm)), 4, pc, insnIndex);
    if (v === undefined) return;
    this.i64[SLOT_F + rd] = BigInt.asIntN(64, v | 0xffffffff00000000n);
    this.markFsDirty();
  }

  fld(base: bigint, imm: number, rd: number, bits: number, _length: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    const v = this.loadVirt(BigInt.asIntN(64, base + BigInt(imm)), 8, pc, insnIndex);
    if (v === undefined) return;
    this.i64[SLOT_F + rd] = BigInt.asIntN(64, v);
    this.markFsDirty();
  }

  flh(base: bigint, imm: number, rd: number, bits: number, _length: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    const v = this.loadVirt(BigInt.asIntN(64, base + BigInt(imm)), 2, pc, insnIndex);
    if (v === undefined) return;
    this.i64[SLOT_F + rd] = BigInt.asIntN(64, (v & 0xffffn) | 0xffffffffffff0000n);
    this.markFsDirty();
  }

  fsh(base: bigint, imm: number, rs2: number, bits: number, length: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    this.storeVirt(BigInt.asIntN(64, base + BigInt(imm)), 2, this.i64[SLOT_F + rs2] & 0xffffn, pc, insnIndex, length);
  }

  fsw(base: bigint, imm: number, rs2: number, bits: number, length: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    this.storeVirt(BigInt.asIntN(64, base + BigInt(imm)), 4, this.i64[SLOT_F + rs2] & 0xffffffffn, pc, insnIndex, length);
  }

  fsd(base: bigint, imm: number, rs2: number, bits: number, length: number, pc: number, insnIndex: number): void {
    if (!this.fpEnabled(bits, pc, insnIndex)) return;
    this.storeVirt(BigInt.asIntN(64, base + BigInt(imm)), 8, this.i64[SLOT_F + rs2], pc, insnIndex, length);
  }

  // ---- system instructions -------------------------------------------------------------------

  csrAccess(src: bigint, op: CsrOp, csr: number, rd: number, write: number, bits: number, length: number, pc: number, insnIndex: number): void {
    if (!this.csrInstruction(op, csr, rd, src, write !== 0, insnIndex)) {
      this.raiseIllegal(bits, pc, insnIndex);
      return;
    }
    this.exitAfter(pc + length, insnIndex);
  }

  ecall(_bits: number, _length: number, pc: number, insnIndex: number): void {
    this.raise(this.ecallCause(), 0n, pc, insnIndex);
  }

  ebreak(_bits: number, _length: number, pc: number, insnIndex: number): void {
    this.raise(Cause.Breakpoint, 0n, pc, insnIndex); // QEMU 7.2 leaves tval 0 for ebreak
  }

  mret(bits: number, _length: number, pc: number, insnIndex: number): void { this.xretHelper(true, bits, pc, insnIndex); }
  sret(bits: number, _length: number, pc: number, insnIndex: number): void { this.xretHelper(false, bits, pc, insnIndex); }

  private xretHelper(fromM: boolean, bits: number, pc: number, insnIndex: number): void {
    const target = this.xret(fromM);
    if (target === -1) {
      this.raiseIllegal(bits, pc, insnIndex);
      return;
    }
    this.disconObserver?.(DisconType.TrapReturn, pc, target, 0);
    this.exitAfter(target, insnIndex);
  }

  wfi(bits: number, length: number, pc: number, insnIndex: number): void {
    const mstatus = this.csr(CsrSlot.mstatus);
    if (this.priv === Priv.U || (this.priv === Priv.S && (mstatus & MSTATUS.TW) !== 0n)) {
      this.raiseIllegal(bits, pc, insnIndex);
      return;
    }
    this.wantHalt = true;
    this.exitAfter(pc + length, insnIndex);
  }

  sfenceVma(_rs1: bigint, _rs2: bigint, _rs1Index: number, bits: number, length: number, pc: number, insnIndex: number): void {
    if (this.priv === Priv.U || (this.priv === Priv.S && (this.csr(CsrSlot.mstatus) & MSTATUS.TVM) !== 0n)) {
      this.raiseIllegal(bits, pc, insnIndex);
      return;
    }
    this.flushTlb();
    // QEMU's sfence.vma does not end its block: nor does it in -d nochain's QEMU-shaped blocks (the
    // translator went on after it); flushTlb asked for the service before the next block
    if (!this.mem.basicBlocks) this.exitAfter(pc + length, insnIndex);
  }

  /**
   * Zihintpause's pause, what Linux's cpu_relax() executes in every busy-wait (spinlocks, waits
   * for another CPU). With more vCPU threads than host CPUs, a vCPU spinning on a lock may hold
   * the very host CPU the lock's holder waits for (a 4-vCPU Linux boot on 2 cores spun through
   * 462 M instructions where one vCPU needs 53 M; 78 M with this): after a streak of pauses with little else
   * between them, this vCPU gives its host CPU away for a moment (a futex wait that any kick of
   * this vCPU ends early), as a PAUSE-loop exit does for a KVM guest.
   */
  pause(): void {
    if (!this.spinYield) return;
    const retired = this.f64[SLOT_INSTRET];
    this.pauseStreak = retired - this.lastPauseRetired <= SPIN_STREAK_GAP ? this.pauseStreak + 1 : 1;
    this.lastPauseRetired = retired;
    if (this.pauseStreak < PAUSES_BEFORE_YIELD) return;
    this.pauseStreak = 0;
    this.spinYields++;
    Atomics.wait(this.i32, WORD_WAKE, Atomics.load(this.i32, WORD_WAKE), SPIN_YIELD_MS);
  }

  fenceI(_bits: number, length: number, pc: number, insnIndex: number): void {
    this.codeCacheDirty = true;
    this.exitAfter(pc + length, insnIndex);
  }

  // ---- instruction fetch ---------------------------------------------------------------------

  /**
   * Physical address of the instruction at virtual `pc` for execution, or -1
   * after raising a fetch fault (the pc then holds the handler).
   */
  fetchPhys(pc: number, epc = pc): number {
    const vpage = Math.floor(pc / 4096);
    const priv = this.priv;
    const cached = this.itlb.get(vpage, priv);
    if (cached >= 0) return cached + (pc & 0xfff);
    const satp = this.csr(CsrSlot.satp);
    let pa: number;
    if (this.priv === Priv.M || satpIsBare(satp)) {
      pa = pc < 0 ? -1 : pc;
    } else {
      const r = this.walk(BigInt(pc), Access.Exec, this.priv, satp);
      if (r.pagePa < 0) {
        this.pc = this.takeTrap(r.cause, BigInt(pc), epc, false);
        return -1;
      }
      pa = r.pagePa + (pc & 0xfff);
    }
    // PMP checks the fetch as QEMU's translator reads it: two bytes at a time
    if (pa >= 0 && !this.pmpAllows(pa, 2, PMP_X, this.priv)) {
      this.pc = this.takeTrap(Cause.InsnAccessFault, BigInt(pc), epc, false);
      return -1;
    }
    if (pa < 0 || (!this.mem.isRam(pa) && !this.mem.isRom(pa) && !this.mem.isFlash(pa))) {
      if (pa >= 0) this.mmio.fetchFault?.(pa);
      this.pc = this.takeTrap(Cause.InsnAccessFault, BigInt(pc), epc, false);
      return -1;
    }
    // a page that PMP entries split is looked up again at every block (QEMU: no TLB entry for it);
    // as in QEMU 7.2, only a block's first fetch is checked: straight-line code runs on into a
    // region it may not execute (tests/guest/src/pmp.c, "into sub-page NAPOT")
    if ((!this.pmpEnforced || this.pmp.pageUniform(pa))) this.itlb.set(vpage, priv, pa - (pc & 0xfff));
    return pa;
  }

  readPhysHalf(pa: number): number {
    const off = this.mem.ramOffset(pa);
    if (off >= 0) return this.mem.mu8[off] | (this.mem.mu8[off + 1] << 8);
    const h = this.mem.highOffset(pa);
    if (h >= 0) return Number(this.mem.readHigh(h, 1)) | (this.mem.highOffset(pa + 1) >= 0 ? Number(this.mem.readHigh(h + 1, 1)) << 8 : 0);
    if (this.mem.isRom(pa)) return Number(this.mem.readRom(pa, 2));
    return Math.max(this.mem.flashHalf(pa), 0);
  }
}

/** The value an AMO (not LR/SC) stores, from the old value and the source, both sign-extended. */
function amoResult(op: AMO, old: bigint, src: bigint, bits: number): bigint {
  switch (op) {
    case AMO.swap: return src;
    case AMO.add: return BigInt.asIntN(bits, old + src);
    case AMO.xor: return old ^ src;
    case AMO.and: return old & src;
    case AMO.or: return old | src;
    default: return pickMinMax(op, old, src, bits);
  }
}

function pickMinMax(op: AMO, a: bigint, b: bigint, bits: number): bigint {
  const ua = BigInt.asUintN(bits, a);
  const ub = BigInt.asUintN(bits, b);
  switch (op) {
    case AMO.min: return a < b ? a : b;
    case AMO.max: return a > b ? a : b;
    case AMO.minu: return BigInt.asIntN(bits, ua < ub ? ua : ub);
    default: return BigInt.asIntN(bits, ua > ub ? ua : ub);
  }
}
