/**
 * The privileged architecture of one RISC-V hart: CSRs, traps, interrupts,
 * xRET and the rules that decide who may do what. Memory and time come from
 * the subclass (the vCPU context), which also owns the soft TLB that the
 * hooks `flushTlb` / `privilegeChanged` keep consistent.
 *
 * All state is in the shared state buffer (src/abi/state-layout.ts): CSRs
 * are read by CSR number (CSR_NUMBER) and stored by slot (CsrSlot).
 */
import {
  CsrSlot, SLOT_CSR, SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_INSTRET, SLOT_CYCLE_OFFSET, SLOT_INSTRET_OFFSET, SLOT_PC, SLOT_PMPADDR,
  SLOT_EVENT_PC, SLOT_PMPCFG, SLOT_PRIV, SLOT_RESERVATION_ADDR, SLOT_X, VcpuStateViews, WORD_IRQ_LINES,
} from '../../abi/state-layout.js';
import {
  Cause, CSR_NUMBER, MEDELEG_WRITE_MASK, MENVCFG_STCE, MENVCFG_WRITE_MASK, MIDELEG_WRITE_MASK, MIE_WRITE_MASK,
  MIP, MISA_VALUE, MPP_SHIFT, MSTATUS, MSTATUS_RESET, MSTATUS_WRITE_MASK, PMP_ENTRIES, Priv, SATP_PAGING_MODES,
  SENVCFG_WRITE_MASK, SSTATUS_MASK, SSTATUS_WRITE_MASK,
} from './csr.js';
import { CsrOp } from '../../abi/ops.js';
import { PmpTable } from './pmp.js';

/** Thrown internally by CSR accessors; turned into an illegal-instruction trap. */
class IllegalCsr extends Error {}

export type TrapObserver = (cause: number, interrupt: boolean, epc: number, tval: bigint) => void;

/** Where QEMU's qemu_log_mask() lines of the CPU go (`-d guest_errors`, `-d unimp`). */
export interface HartLog {
  guestError(text: string): void;
  unimp(text: string): void;
}

/** mip/mie and mstatus bits as numbers, for the low words pendingInterrupt reads. */
const MTIP_BIT = 1 << 7, STIP_BIT = 1 << 5, MSTATUS_MIE_BIT = 1 << 3, MSTATUS_SIE_BIT = 1 << 1;

const PMP_LOCK = 0x80n;
const PMP_A_TOR = 1n;

/** QEMU's enum qemu_plugin_discon_type, and tsemu's return from a trap. */
export const enum DisconType { Interrupt = 1, Exception = 2, HostCall = 4, TrapReturn = 8 }

export type DisconObserver = (type: DisconType, fromPc: number, toPc: number, cause: number) => void;

export abstract class Hart {
  /** Called on every trap taken (for `-d int` and trace events). */
  trapObserver: TrapObserver | undefined;
  /** Called after every trap taken and every mret/sret, with where execution goes on (instrumentation's guest_vcpu_discon). */
  disconObserver: DisconObserver | undefined;
  /** QEMU's CSR log lines (reserved tvec modes, locked PMP entries); none when unset. */
  log: HartLog | undefined;
  readonly i64: BigInt64Array;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** The PMP entries decoded into ranges (kept in step with pmpcfg/pmpaddr by pmpChanged). */
  readonly pmp = new PmpTable();

  constructor(readonly state: VcpuStateViews, readonly hartId: number) {
    this.i64 = state.i64;
    this.f64 = state.f64;
    this.i32 = state.i32;
  }

  // ---- hooks for the subclass -------------------------------------------------

  /** The CLINT's mtime (10 MHz). */
  /**
   * mtime now; `insnsInBlock` instructions of the running block (the reader included) count as
   * executed, which only -icount's clock can tell (time exact at the instruction, as QEMU's).
   */
  protected abstract readTime(insnsInBlock?: number): bigint;
  /** Drop every soft-TLB entry (satp, sfence.vma, permission-relevant mstatus bits). */
  protected abstract flushTlb(): void;
  /** Privilege or MPRV changed: the effective data MMU mode may be different. */
  protected abstract privilegeChanged(): void;
  /** Called after a write to mtimecmp-like state so the run loop reconsiders timers. */
  protected abstract timersChanged(): void;
  /**
   * How long (ms of host time) mtime surely takes to advance by `ticks`, or 0 when that cannot be
   * told (time that does not follow the host's clock: -icount, a test's clock).
   */
  protected abstract quietMsFor(ticks: bigint): number;

  // ---- plain accessors ------------------------------------------------------------

  /** The stored CSR in `slot` (not a CSR number: readCsr takes those). */
  csr(slot: CsrSlot): bigint { return this.i64[SLOT_CSR + slot]; }
  setCsr(slot: CsrSlot, v: bigint): void { this.i64[SLOT_CSR + slot] = v; }

  get priv(): Priv { return this.i32[2 * SLOT_PRIV] as Priv; }
  set priv(p: Priv) { this.i32[2 * SLOT_PRIV] = p; }

  get pc(): number { return this.f64[SLOT_PC]; }
  set pc(v: number) { this.f64[SLOT_PC] = v; }

  get instret(): number { return this.f64[SLOT_INSTRET]; }

  /** Power-on / system_reset state: M-mode at the boot ROM. */
  resetState(resetPc: number): void {
    this.forgetTimerQuiet();
    this.i64.fill(0n, 0, SLOT_PMPADDR + 64);
    this.setCsr(CsrSlot.mstatus, MSTATUS_RESET);
    this.setCsr(CsrSlot.misa, MISA_VALUE);
    this.setCsr(CsrSlot.mhartid, BigInt(this.hartId));
    this.priv = Priv.M;
    this.pc = resetPc;
    this.f64[SLOT_INSTRET] = 0;
    this.f64[SLOT_RESERVATION_ADDR] = -1;
    this.f64[SLOT_EVENT_PC] = -1;
    this.i64[SLOT_INSTRET_OFFSET] = 0n;
    this.i64[SLOT_CYCLE_OFFSET] = 0n;
    this.pmpChanged();
    this.privilegeChanged();
  }

  // ---- interrupts ------------------------------------------------------------------

  /** mip as software sees it: software bits, device lines and timer comparisons. */
  effectiveMip(): bigint {
    return BigInt(this.mipWord(MTIP_BIT | STIP_BIT));
  }

  /**
   * mip's low word (every interrupt bit is below 32) as software sees it, with the timer
   * comparisons of `timers` (MTIP, STIP; the others read as clear): what effectiveMip, the
   * interrupt check and WFI's wake-up share.
   */
  private mipWord(timers: number): number {
    const w = this.i32;
    let mip = w[2 * (SLOT_CSR + CsrSlot.mip)] | Atomics.load(w, WORD_IRQ_LINES);
    const stce = w[2 * (SLOT_CSR + CsrSlot.menvcfg) + 1] < 0; // menvcfg.STCE: bit 63, the high word's sign
    if (stce) mip &= ~STIP_BIT; // Sstc: STIP is stimecmp's comparison, whatever was written
    return mip | this.timerLines(timers, stce);
  }

  /** The CLINT's mtimecmp for this hart. */
  protected abstract mtimecmp(): bigint;

  /**
   * The interrupt to take now, or -1. Like QEMU 7.2 (riscv_cpu_local_irq_pending): interrupts
   * destined for M-mode first (the privileged spec: a higher-privilege mode's interrupts are
   * serviced before a lower one's), then those delegated to S; within a mode the lowest-numbered
   * one, not the spec's MEI, MSI, MTI, SEI, SSI, STI order.
   *
   * This runs at every block end that asks for service: after every CSR instruction (QEMU ends
   * the block there too), so ~80,000 times in a Linux boot. It computes on the CSRs' low words
   * (every interrupt bit, and mstatus's MIE and SIE, is below bit 32) and reads the time only for
   * an enabled timer interrupt that can be due: in BigInts it made ~12 BigInts a call, the
   * biggest source of garbage after translation.
   */
  pendingInterrupt(): number {
    const w = this.i32;
    const mie = w[2 * (SLOT_CSR + CsrSlot.mie)];
    if (mie === 0) return -1;
    const pending = this.mipWord(mie) & mie;
    if (pending === 0) return -1;
    const mstatus = w[2 * (SLOT_CSR + CsrSlot.mstatus)];
    const priv = this.priv;
    const mideleg = w[2 * (SLOT_CSR + CsrSlot.mideleg)];
    const mEnabled = priv < Priv.M || (mstatus & MSTATUS_MIE_BIT) !== 0;
    const sEnabled = priv < Priv.S || (priv === Priv.S && (mstatus & MSTATUS_SIE_BIT) !== 0);
    const mIrqs = mEnabled ? pending & ~mideleg : 0;
    const irqs = mIrqs !== 0 ? mIrqs : sEnabled ? pending & mideleg : 0;
    if (irqs === 0) return -1;
    return 31 - Math.clz32(irqs & -irqs); // the lowest-numbered
  }

  /** Host time (performance.now()) before which no timer comparison of `timersQuietMask` can hold; 0: unknown. */
  private timersQuietUntil = 0;
  private timersQuietMask = 0;

  /**
   * MTIP and (under Sstc) STIP as the timer comparisons make them now, for those in `timers` (the
   * interrupt check asks only for those enabled in mie: the others cannot make one pending). Once
   * the time has been found short of every comparison asked for, it is not read again until it
   * can have reached the nearest: mtime follows the host's monotonic clock, and whatever moves a
   * comparison (a CLINT write kicks the hart, a stimecmp or menvcfg write here) forgets that
   * (forgetTimerQuiet).
   */
  private timerLines(timers: number, stce: boolean): number {
    const wanted = timers & (stce ? MTIP_BIT | STIP_BIT : MTIP_BIT);
    if (wanted === 0) return 0;
    const hostNow = performance.now();
    if (hostNow < this.timersQuietUntil && (wanted & ~this.timersQuietMask) === 0) return 0;
    const time = this.readTime();
    let lines = 0;
    let nearest = -1n;
    if ((wanted & MTIP_BIT) !== 0) {
      const cmp = this.mtimecmp();
      if (time >= cmp) lines |= MTIP_BIT;
      else nearest = cmp - time;
    }
    if ((wanted & STIP_BIT) !== 0) {
      const cmp = BigInt.asUintN(64, this.csr(CsrSlot.stimecmp));
      if (time >= cmp) lines |= STIP_BIT;
      else if (nearest < 0n || cmp - time < nearest) nearest = cmp - time;
    }
    // hostNow was read before the time: the deadline it gives is, if anything, early
    const quietMs = lines === 0 ? this.quietMsFor(nearest - 1n) : 0;
    this.timersQuietUntil = quietMs > 0 ? hostNow + quietMs : 0;
    this.timersQuietMask = wanted;
    return lines;
  }

  /** A timer comparison's inputs changed (mtimecmp, mtime, stimecmp, menvcfg): read the time at the next check. */
  forgetTimerQuiet(): void {
    this.timersQuietUntil = 0;
  }

  /** Any interrupt pending-and-enabled in mie, regardless of global enables (WFI wake-up condition). */
  wfiShouldWake(): boolean {
    const mie = this.i32[2 * (SLOT_CSR + CsrSlot.mie)];
    return mie !== 0 && (this.mipWord(mie) & mie) !== 0;
  }

  // ---- traps ------------------------------------------------------------------------

  /**
   * Enter the trap handler for exception `cause` (or interrupt when `interrupt`)
   * raised by the instruction at `epc`. Returns the handler pc (also stored).
   */
  takeTrap(cause: number, tval: bigint, epc: number, interrupt: boolean): number {
    const priv = this.priv;
    this.trapObserver?.(cause, interrupt, epc, tval);
    this.clearReservation();
    const deleg = interrupt ? this.csr(CsrSlot.mideleg) : this.csr(CsrSlot.medeleg);
    const causeBits = (interrupt ? 1n << 63n : 0n) | BigInt(cause);
    let mstatus = this.csr(CsrSlot.mstatus);
    let handler: bigint;
    if (priv <= Priv.S && ((deleg >> BigInt(cause)) & 1n) !== 0n) {
      this.setCsr(CsrSlot.scause, causeBits);
      this.setCsr(CsrSlot.sepc, BigInt(epc));
      this.setCsr(CsrSlot.stval, tval);
      mstatus = (mstatus & ~(MSTATUS.SPP | MSTATUS.SPIE | MSTATUS.SIE)) |
        (priv === Priv.S ? MSTATUS.SPP : 0n) | ((mstatus & MSTATUS.SIE) !== 0n ? MSTATUS.SPIE : 0n);
      this.priv = Priv.S;
      handler = this.vectorTarget(this.csr(CsrSlot.stvec), cause, interrupt);
    } else {
      this.setCsr(CsrSlot.mcause, causeBits);
      this.setCsr(CsrSlot.mepc, BigInt(epc));
      this.setCsr(CsrSlot.mtval, tval);
      this.setCsr(CsrSlot.mtval2, 0n);
      this.setCsr(CsrSlot.mtinst, 0n);
      mstatus = (mstatus & ~(MSTATUS.MPP | MSTATUS.MPIE | MSTATUS.MIE)) |
        (BigInt(priv) << MPP_SHIFT) | ((mstatus & MSTATUS.MIE) !== 0n ? MSTATUS.MPIE : 0n);
      this.priv = Priv.M;
      handler = this.vectorTarget(this.csr(CsrSlot.mtvec), cause, interrupt);
    }
    this.setCsr(CsrSlot.mstatus, mstatus);
    this.privilegeChanged();
    const pc = Number(BigInt.asIntN(64, handler));
    this.pc = pc;
    this.disconObserver?.(interrupt ? DisconType.Interrupt : DisconType.Exception, epc, pc, cause);
    return pc;
  }

  private vectorTarget(tvec: bigint, cause: number, interrupt: boolean): bigint {
    const base = tvec & ~3n;
    return interrupt && (tvec & 3n) === 1n ? base + 4n * BigInt(cause) : base;
  }

  /** mret / sret. Returns the new pc, or -1 if the instruction is illegal here. */
  xret(fromM: boolean): number {
    this.clearReservation();
    let mstatus = this.csr(CsrSlot.mstatus);
    if (fromM) {
      if (this.priv !== Priv.M) return -1;
      const mpp = Number((mstatus & MSTATUS.MPP) >> MPP_SHIFT) as Priv;
      // QEMU 7.2 leaves MPRV set when returning to a lower mode (priv spec 1.12 clears it)
      mstatus = (mstatus & ~(MSTATUS.MIE | MSTATUS.MPP)) | MSTATUS.MPIE | ((mstatus & MSTATUS.MPIE) !== 0n ? MSTATUS.MIE : 0n);
      this.priv = mpp;
      this.setCsr(CsrSlot.mstatus, mstatus);
      this.privilegeChanged();
      return Number(this.csr(CsrSlot.mepc) & ~1n);
    }
    if (this.priv < Priv.S || (this.priv === Priv.S && (mstatus & MSTATUS.TSR) !== 0n)) return -1;
    const spp = (mstatus & MSTATUS.SPP) !== 0n ? Priv.S : Priv.U;
    mstatus = (mstatus & ~(MSTATUS.SIE | MSTATUS.SPP)) | MSTATUS.SPIE |
      ((mstatus & MSTATUS.SPIE) !== 0n ? MSTATUS.SIE : 0n);
    this.priv = spp;
    this.setCsr(CsrSlot.mstatus, mstatus);
    this.privilegeChanged();
    return Number(this.csr(CsrSlot.sepc) & ~1n);
  }

  /** Traps and xRET drop any LR reservation, as QEMU does. */
  private clearReservation(): void {
    this.f64[SLOT_RESERVATION_ADDR] = -1;
  }

  // ---- CSR access ---------------------------------------------------------------------

  /**
   * Execute a CSR instruction. Returns false if it is illegal (the caller
   * raises illegal-instruction with the instruction bits).
   * `rd === 0` for csrrw skips the read; `write === false` (rs1 = x0 for set/clear) skips the write.
   */
  csrInstruction(op: CsrOp, csr: number, rd: number, src: bigint, write: boolean, insnIndex: number): boolean {
    // QEMU 7.2 (riscv_csrrw): csrrs/csrrc pass the register as the write mask, and a zero mask is
    // no write at all: no read-only check, no side effect (frm/fflags do not dirty FS). Found by
    // the instruction fuzzer (seed 105: csrrc a7, frm, a3 with a3 = 0 in S-mode)
    if (op !== CsrOp.Write && src === 0n) write = false;
    const readOnly = (csr >> 10) === 3;
    const minPriv = (csr >> 8) & 3;
    if (this.priv < minPriv || (readOnly && write)) return false;
    try {
      const needRead = op !== CsrOp.Write || rd !== 0;
      const old = needRead ? this.readCsr(csr, insnIndex) : 0n;
      if (!needRead) this.readCsr(csr, insnIndex); // still checks that the CSR exists
      if (write) {
        const base = this.modifyBase(csr, old);
        const value = op === CsrOp.Write ? src : op === CsrOp.Set ? base | src : base & ~src;
        this.writeCsr(csr, value, insnIndex);
      }
      if (rd !== 0) this.i64[SLOT_X + rd] = old;
      return true;
    } catch (e) {
      if (e instanceof IllegalCsr) return false;
      throw e;
    }
  }

  private fsEnabled(): boolean {
    return (this.csr(CsrSlot.mstatus) & MSTATUS.FS) !== 0n;
  }

  /** Mark the FP state dirty (FS = 3), as every instruction that writes f registers or fcsr must. */
  markFsDirty(): void {
    const m = this.csr(CsrSlot.mstatus);
    if ((m & MSTATUS.FS) !== MSTATUS.FS) this.setCsr(CsrSlot.mstatus, m | MSTATUS.FS | MSTATUS.SD);
  }

  /** May this privilege level read counter `index` (0 cycle, 1 time, 2 instret, 3.. hpm)? */
  private counterAccessible(index: number): boolean {
    const bit = 1n << BigInt(index);
    if (this.priv < Priv.M && (this.csr(CsrSlot.mcounteren) & bit) === 0n) return false;
    if (this.priv < Priv.S && (this.csr(CsrSlot.scounteren) & bit) === 0n) return false;
    return true;
  }

  private stimecmpAccessible(): boolean {
    if (this.priv === Priv.M) return true;
    return (this.csr(CsrSlot.menvcfg) & MENVCFG_STCE) !== 0n && (this.csr(CsrSlot.mcounteren) & 2n) !== 0n;
  }

  /** Instructions retired so far, including the ones of the running block before `insnIndex`. */
  private retired(insnIndex: number): bigint {
    return BigInt(this.f64[SLOT_INSTRET] + insnIndex);
  }

  /**
   * The value a csrrs/csrrc modifies. For mip only the software-writable bits take part (privileged
   * spec 1.12, 3.1.9): reading gives SEIP ORed with the PLIC's line, but `csrs mip, SSIP` must not
   * latch that line into the software SEIP bit (it would stay pending after the PLIC lowers it).
   */
  private modifyBase(csr: number, read: bigint): bigint {
    return csr === CSR_NUMBER.mip ? this.csr(CsrSlot.mip) : read;
  }

  readCsr(csr: number, insnIndex = 0): bigint {
    switch (csr) {
      case CSR_NUMBER.fflags: case CSR_NUMBER.frm: case CSR_NUMBER.fcsr: {
        if (!this.fsEnabled()) throw new IllegalCsr();
        const flags = BigInt(this.i32[2 * SLOT_FFLAGS] & 0x1f);
        const frm = BigInt(this.i32[2 * SLOT_FRM] & 7);
        return csr === CSR_NUMBER.fflags ? flags : csr === CSR_NUMBER.frm ? frm : (frm << 5n) | flags;
      }
      case CSR_NUMBER.sstatus: return this.sstatus();
      case CSR_NUMBER.sie: return this.csr(CsrSlot.mie) & this.csr(CsrSlot.mideleg);
      case CSR_NUMBER.sip: return this.effectiveMip() & this.csr(CsrSlot.mideleg);
      case CSR_NUMBER.stvec: return this.csr(CsrSlot.stvec);
      case CSR_NUMBER.scounteren: return this.csr(CsrSlot.scounteren);
      case CSR_NUMBER.senvcfg: return this.csr(CsrSlot.senvcfg);
      case CSR_NUMBER.sscratch: return this.csr(CsrSlot.sscratch);
      case CSR_NUMBER.sepc: return this.csr(CsrSlot.sepc);
      case CSR_NUMBER.scause: return this.csr(CsrSlot.scause);
      case CSR_NUMBER.stval: return this.csr(CsrSlot.stval);
      case CSR_NUMBER.stimecmp:
        if (!this.stimecmpAccessible()) throw new IllegalCsr();
        return this.csr(CsrSlot.stimecmp);
      case CSR_NUMBER.satp:
        if (this.priv === Priv.S && (this.csr(CsrSlot.mstatus) & MSTATUS.TVM) !== 0n) throw new IllegalCsr();
        return this.csr(CsrSlot.satp);
      case CSR_NUMBER.mstatus: return this.mstatusWithSd();
      case CSR_NUMBER.misa: return MISA_VALUE;
      case CSR_NUMBER.medeleg: return this.csr(CsrSlot.medeleg);
      case CSR_NUMBER.mideleg: return this.csr(CsrSlot.mideleg);
      case CSR_NUMBER.mie: return this.csr(CsrSlot.mie);
      case CSR_NUMBER.mtvec: return this.csr(CsrSlot.mtvec);
      case CSR_NUMBER.mcounteren: return this.csr(CsrSlot.mcounteren);
      case CSR_NUMBER.menvcfg: return this.csr(CsrSlot.menvcfg);
      case CSR_NUMBER.mcountinhibit: return this.csr(CsrSlot.mcountinhibit);
      case CSR_NUMBER.mscratch: return this.csr(CsrSlot.mscratch);
      case CSR_NUMBER.mepc: return this.csr(CsrSlot.mepc);
      case CSR_NUMBER.mcause: return this.csr(CsrSlot.mcause);
      case CSR_NUMBER.mtval: return this.csr(CsrSlot.mtval);
      // mtval2 and mtinst belong to the H extension: QEMU 7.2 without H (hmode) makes them illegal
      case CSR_NUMBER.mtval2: case CSR_NUMBER.mtinst: throw new IllegalCsr();
      case CSR_NUMBER.mip: return this.effectiveMip();
      case CSR_NUMBER.mcycle: case CSR_NUMBER.minstret:
        return this.counter(csr === CSR_NUMBER.mcycle ? 0 : 2, insnIndex);
      case CSR_NUMBER.cycle: case CSR_NUMBER.instret:
        if (!this.counterAccessible(csr - CSR_NUMBER.cycle)) throw new IllegalCsr();
        return this.counter(csr - CSR_NUMBER.cycle, insnIndex);
      case CSR_NUMBER.time:
        if (!this.counterAccessible(1)) throw new IllegalCsr();
        return this.readTime(insnIndex + 1);
      case CSR_NUMBER.mvendorid: case CSR_NUMBER.marchid: case CSR_NUMBER.mimpid: case CSR_NUMBER.mconfigptr:
        return 0n;
      case CSR_NUMBER.mhartid: return BigInt(this.hartId);
      default: return this.readOtherCsr(csr);
    }
  }

  /** Ranges: PMP registers, hardware performance counters (all read as zero). */
  private readOtherCsr(csr: number): bigint {
    if (csr >= CSR_NUMBER.pmpcfg0 && csr <= CSR_NUMBER.pmpcfg15) {
      const n = csr - CSR_NUMBER.pmpcfg0;
      if (n & 1 || n >= PMP_ENTRIES / 4) throw new IllegalCsr(); // RV64: even pmpcfg only
      return this.i64[SLOT_PMPCFG + n];
    }
    if (csr >= CSR_NUMBER.pmpaddr0 && csr <= CSR_NUMBER.pmpaddr63) {
      const n = csr - CSR_NUMBER.pmpaddr0;
      if (n >= PMP_ENTRIES) throw new IllegalCsr();
      return this.i64[SLOT_PMPADDR + n];
    }
    if ((csr >= CSR_NUMBER.mhpmcounter3 && csr <= CSR_NUMBER.mhpmcounter31) || (csr >= CSR_NUMBER.mhpmevent3 && csr <= CSR_NUMBER.mhpmevent31)) return 0n;
    if (csr >= CSR_NUMBER.hpmcounter3 && csr <= CSR_NUMBER.hpmcounter31) {
      if (!this.counterAccessible(csr - CSR_NUMBER.cycle)) throw new IllegalCsr();
      return 0n;
    }
    throw new IllegalCsr();
  }

  private mstatusWithSd(): bigint {
    const m = this.csr(CsrSlot.mstatus) & ~MSTATUS.SD;
    return (m & MSTATUS.FS) === MSTATUS.FS ? m | MSTATUS.SD : m;
  }

  private sstatus(): bigint {
    return this.mstatusWithSd() & SSTATUS_MASK;
  }

  writeCsr(csr: number, value: bigint, insnIndex = 0): void {
    switch (csr) {
      case CSR_NUMBER.fflags: case CSR_NUMBER.frm: case CSR_NUMBER.fcsr:
        this.writeFcsr(csr, value);
        return;
      case CSR_NUMBER.sstatus:
        this.writeMstatus((this.csr(CsrSlot.mstatus) & ~SSTATUS_WRITE_MASK) | (value & SSTATUS_WRITE_MASK));
        return;
      case CSR_NUMBER.sie: {
        const mask = this.csr(CsrSlot.mideleg);
        this.setCsr(CsrSlot.mie, (this.csr(CsrSlot.mie) & ~mask) | (value & mask));
        return;
      }
      case CSR_NUMBER.sip: {
        const mask = this.csr(CsrSlot.mideleg) & MIP.SSIP;
        this.setCsr(CsrSlot.mip, (this.csr(CsrSlot.mip) & ~mask) | (value & mask));
        return;
      }
      case CSR_NUMBER.stvec: this.writeTvec(CsrSlot.stvec, 'CSR_STVEC', value); return;
      case CSR_NUMBER.scounteren: this.setCsr(CsrSlot.scounteren, value & 0xffffffffn); return;
      case CSR_NUMBER.senvcfg: this.setCsr(CsrSlot.senvcfg, value & SENVCFG_WRITE_MASK); return;
      case CSR_NUMBER.sscratch: this.setCsr(CsrSlot.sscratch, value); return;
      case CSR_NUMBER.sepc: this.setCsr(CsrSlot.sepc, value); return; // QEMU 7.2 keeps bit 0 as written
      case CSR_NUMBER.scause: this.setCsr(CsrSlot.scause, value); return;
      case CSR_NUMBER.stval: this.setCsr(CsrSlot.stval, value); return;
      case CSR_NUMBER.stimecmp:
        if (!this.stimecmpAccessible()) throw new IllegalCsr();
        this.setCsr(CsrSlot.stimecmp, value);
        this.forgetTimerQuiet();
        this.timersChanged();
        return;
      case CSR_NUMBER.satp: this.writeSatp(value); return;
      case CSR_NUMBER.mstatus: this.writeMstatus((this.csr(CsrSlot.mstatus) & ~MSTATUS_WRITE_MASK) | (value & MSTATUS_WRITE_MASK)); return;
      case CSR_NUMBER.misa: return; // WARL, fixed
      case CSR_NUMBER.medeleg: this.setCsr(CsrSlot.medeleg, value & MEDELEG_WRITE_MASK); return;
      case CSR_NUMBER.mideleg: this.setCsr(CsrSlot.mideleg, value & MIDELEG_WRITE_MASK); return;
      case CSR_NUMBER.mie: this.setCsr(CsrSlot.mie, value & MIE_WRITE_MASK); return;
      case CSR_NUMBER.mtvec: this.writeTvec(CsrSlot.mtvec, 'CSR_MTVEC', value); return;
      case CSR_NUMBER.mcounteren: this.setCsr(CsrSlot.mcounteren, value & 0xffffffffn); return;
      case CSR_NUMBER.menvcfg: this.setCsr(CsrSlot.menvcfg, value & MENVCFG_WRITE_MASK); this.forgetTimerQuiet(); this.timersChanged(); return;
      // QEMU 7.2 keeps every bit written (TM and the absent counters' bits are WARL-zero only from 8.1)
      case CSR_NUMBER.mcountinhibit: this.writeCountInhibit(value, insnIndex); return;
      case CSR_NUMBER.mscratch: this.setCsr(CsrSlot.mscratch, value); return;
      case CSR_NUMBER.mepc: this.setCsr(CsrSlot.mepc, value); return;
      case CSR_NUMBER.mcause: this.setCsr(CsrSlot.mcause, value); return;
      case CSR_NUMBER.mtval: this.setCsr(CsrSlot.mtval, value); return;
      case CSR_NUMBER.mtval2: throw new IllegalCsr();
      case CSR_NUMBER.mtinst: throw new IllegalCsr();
      case CSR_NUMBER.mip: {
        // SEIP and SSIP are writable; STIP too unless Sstc drives it
        let mask = MIP.SSIP | MIP.SEIP;
        if ((this.csr(CsrSlot.menvcfg) & MENVCFG_STCE) === 0n) mask |= MIP.STIP;
        this.setCsr(CsrSlot.mip, (this.csr(CsrSlot.mip) & ~mask) | (value & mask));
        return;
      }
      case CSR_NUMBER.mcycle: case CSR_NUMBER.minstret:
        this.writeCounter(csr === CSR_NUMBER.mcycle ? 0 : 2, value, insnIndex);
        return;
      default:
        this.writeOtherCsr(csr, value);
    }
  }

  /**
   * mcycle (index 0) and minstret (index 2) both count retired instructions.
   * Running: value = retired + offset. Inhibited (mcountinhibit): the slot
   * holds the frozen value itself.
   */
  private counterSlot(index: number): number {
    return index === 0 ? SLOT_CYCLE_OFFSET : SLOT_INSTRET_OFFSET;
  }

  private inhibited(index: number): boolean {
    return ((this.csr(CsrSlot.mcountinhibit) >> BigInt(index)) & 1n) !== 0n;
  }

  private counter(index: number, insnIndex: number): bigint {
    const slot = this.i64[this.counterSlot(index)];
    return this.inhibited(index) ? slot : BigInt.asIntN(64, this.retired(insnIndex) + slot);
  }

  private writeCounter(index: number, value: bigint, insnIndex: number): void {
    // minstret: the next instruction reads the value written (the writer's own increment is
    // overridden, as the spec says); mcycle keeps counting through the writer, like a clock
    const base = index === 2 ? insnIndex + 1 : insnIndex;
    this.i64[this.counterSlot(index)] = this.inhibited(index) ? value : BigInt.asIntN(64, value - this.retired(base));
  }

  private writeCountInhibit(value: bigint, insnIndex: number): void {
    for (const index of [0, 2]) {
      const before = this.inhibited(index);
      const after = ((value >> BigInt(index)) & 1n) !== 0n;
      const slot = this.counterSlot(index);
      const now = this.retired(index === 2 ? insnIndex + 1 : insnIndex); // mcycle ticks through the writer
      if (!before && after) this.i64[slot] = BigInt.asIntN(64, now + this.i64[slot]);
      if (before && !after) this.i64[slot] = BigInt.asIntN(64, this.i64[slot] - now);
    }
    this.setCsr(CsrSlot.mcountinhibit, value);
  }

  /** Reserved modes (2, 3) leave xtvec as it was; QEMU 7.2 logs them under -d unimp. */
  private writeTvec(slot: CsrSlot, name: string, value: bigint): void {
    if ((value & 3n) < 2n) this.setCsr(slot, value);
    else this.log?.unimp(`${name}: reserved mode not supported\n`);
  }

  /**
   * Re-decode the PMP entries after pmpcfg/pmpaddr changed, and drop the soft TLB: QEMU 7.2
   * flushes it on pmpcfg writes; tsemu also on pmpaddr writes, where 7.2 could keep a page
   * cached under the old range (later QEMUs flush there too).
   */
  pmpChanged(): void {
    this.pmp.update({ cfg: (i) => Number(this.pmpCfg(i)), addr: (i) => BigInt.asUintN(64, this.i64[SLOT_PMPADDR + i]) });
    this.flushTlb();
  }

  /** Is PMP checked? Not in user mode: QEMU's linux-user has no PMP (CONFIG_USER_ONLY). */
  pmpEnforced = true;

  /** PMP's verdict on an access (pmp.ts), with QEMU's -d guest_errors line for a partial match. */
  pmpAllows(pa: number, size: number, need: number, mode: Priv): boolean {
    return !this.pmpEnforced || this.pmp.allows(pa, size, need, mode, this.logPartialPmp);
  }

  private readonly logPartialPmp = (): void => this.log?.guestError('pmp violation - access is partially inside\n');

  /** The configuration byte of PMP entry `i`. */
  private pmpCfg(i: number): bigint {
    return (this.i64[SLOT_PMPCFG + ((i >> 3) << 1)] >> BigInt(8 * (i & 7))) & 0xffn;
  }

  private writeOtherCsr(csr: number, value: bigint): void {
    if (csr >= CSR_NUMBER.pmpcfg0 && csr <= CSR_NUMBER.pmpcfg15) {
      const n = csr - CSR_NUMBER.pmpcfg0;
      if (n & 1 || n >= PMP_ENTRIES / 4) throw new IllegalCsr();
      this.writePmpCfg(n, value);
      return;
    }
    if (csr >= CSR_NUMBER.pmpaddr0 && csr <= CSR_NUMBER.pmpaddr63) {
      const n = csr - CSR_NUMBER.pmpaddr0;
      if (n >= PMP_ENTRIES) throw new IllegalCsr();
      this.writePmpAddr(n, value);
      return;
    }
    if ((csr >= CSR_NUMBER.mhpmcounter3 && csr <= CSR_NUMBER.mhpmcounter31) || (csr >= CSR_NUMBER.mhpmevent3 && csr <= CSR_NUMBER.mhpmevent31)) return;
    throw new IllegalCsr();
  }

  /**
   * pmpcfg<n> (n even): one byte per entry, as QEMU's pmp_write_cfg. WARL: R/W/X/A/L bits
   * kept; W without R is reserved and reads back cleared (as QEMU). A locked entry keeps its
   * byte (QEMU logs each one under -d guest_errors). Enforced through `pmp` (pmp.ts).
   */
  private writePmpCfg(n: number, value: bigint): void {
    let v = this.i64[SLOT_PMPCFG + n];
    for (let i = 0; i < 8; i++) {
      const shift = BigInt(8 * i);
      if (this.pmpCfg(n * 4 + i) & PMP_LOCK) {
        this.log?.guestError('ignoring pmpcfg write - locked\n');
        continue;
      }
      let cfg = (value >> shift) & 0x9fn;
      if ((cfg & 3n) === 2n) cfg &= ~2n;
      v = (v & ~(0xffn << shift)) | (cfg << shift);
    }
    this.i64[SLOT_PMPCFG + n] = BigInt.asIntN(64, v);
    this.pmpChanged();
  }

  /** pmpaddr<n>: refused when entry n is locked, or entry n+1 is a locked TOR entry (QEMU's pmpaddr_csr_write). */
  private writePmpAddr(n: number, value: bigint): void {
    const next = n + 1 < PMP_ENTRIES ? this.pmpCfg(n + 1) : 0n;
    if ((next & PMP_LOCK) !== 0n && ((next >> 3n) & 3n) === PMP_A_TOR) {
      this.log?.guestError('ignoring pmpaddr write - pmpcfg + 1 locked\n');
    } else if (this.pmpCfg(n) & PMP_LOCK) {
      this.log?.guestError('ignoring pmpaddr write - locked\n');
    } else {
      this.i64[SLOT_PMPADDR + n] = BigInt.asIntN(64, value); // all 64 bits kept, as QEMU 7.2 (no WARL mask)
      this.pmpChanged();
    }
  }

  private writeFcsr(csr: number, value: bigint): void {
    if (!this.fsEnabled()) throw new IllegalCsr();
    const v = Number(value & 0xffn);
    if (csr === CSR_NUMBER.fflags) this.i32[2 * SLOT_FFLAGS] = v & 0x1f;
    else if (csr === CSR_NUMBER.frm) this.i32[2 * SLOT_FRM] = v & 7;
    else {
      this.i32[2 * SLOT_FFLAGS] = v & 0x1f;
      this.i32[2 * SLOT_FRM] = (v >> 5) & 7;
    }
    this.markFsDirty();
  }

  private writeMstatus(value: bigint): void {
    const old = this.csr(CsrSlot.mstatus);
    // MPP is WARL: the reserved value 2 keeps the previous mode
    if (((value & MSTATUS.MPP) >> MPP_SHIFT) === 2n) value = (value & ~MSTATUS.MPP) | (old & MSTATUS.MPP);
    value = (value & ~(MSTATUS.UXL | MSTATUS.SXL | MSTATUS.SD)) | MSTATUS_RESET;
    this.setCsr(CsrSlot.mstatus, value);
    const mmuBits = MSTATUS.MPRV | MSTATUS.MPP | MSTATUS.SUM | MSTATUS.MXR;
    if (((old ^ value) & mmuBits) !== 0n) {
      this.flushTlb();
      this.privilegeChanged();
    }
  }

  private writeSatp(value: bigint): void {
    if (this.priv === Priv.S && (this.csr(CsrSlot.mstatus) & MSTATUS.TVM) !== 0n) throw new IllegalCsr();
    const mode = BigInt.asUintN(64, value) >> 60n;
    if (mode !== 0n && !SATP_PAGING_MODES.includes(mode)) return; // unsupported modes leave satp unchanged
    // MODE, ASID (16 bits) and PPN (44) fill all 64 bits; with MODE = Bare QEMU 7.2 keeps the
    // other fields as written (the spec: "UNSPECIFIED"), and so does tsemu (satpIsBare)
    this.setCsr(CsrSlot.satp, BigInt.asIntN(64, value));
    this.flushTlb();
  }

  /** FP register raw bits, for the monitor and instrumentation. */
  fregBits(i: number): bigint {
    return this.i64[SLOT_F + i];
  }

  /** Exception cause for an ecall at the current privilege. */
  ecallCause(): Cause {
    return this.priv === Priv.U ? Cause.EcallU : this.priv === Priv.S ? Cause.EcallS : Cause.EcallM;
  }
}
