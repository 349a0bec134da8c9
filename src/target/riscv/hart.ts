/**
 * The privileged architecture of one RISC-V hart: CSRs, traps, interrupts,
 * xRET and the rules that decide who may do what. Memory and time come from
 * the subclass (the vCPU context), which also owns the soft TLB that the
 * hooks `flushTlb` / `privilegeChanged` keep consistent.
 *
 * All state is in the shared state buffer (src/vcpu/state-layout.ts).
 */
import {
  Csr, SLOT_CSR, SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_INSTRET, SLOT_CYCLE_OFFSET, SLOT_INSTRET_OFFSET, SLOT_PC, SLOT_PMPADDR,
  SLOT_PMPCFG, SLOT_PRIV, SLOT_RESERVATION_ADDR, SLOT_X, VcpuStateViews, WORD_IRQ_LINES,
} from '../../abi/state-layout.js';
import {
  Cause, CSR, MEDELEG_WRITE_MASK, MENVCFG_STCE, MENVCFG_WRITE_MASK, MIDELEG_WRITE_MASK, MIE_WRITE_MASK,
  MIP, MISA_VALUE, MPP_SHIFT, MSTATUS, MSTATUS_RESET, MSTATUS_WRITE_MASK, PMP_ENTRIES, Priv, SATP_PAGING_MODES,
  SENVCFG_WRITE_MASK, SSTATUS_MASK, SSTATUS_WRITE_MASK,
} from './csr.js';

export const enum CsrOp { Write = 1, Set = 2, Clear = 3 }

/** Thrown internally by CSR accessors; turned into an illegal-instruction trap. */
class IllegalCsr extends Error {}

export type TrapObserver = (cause: number, interrupt: boolean, epc: number, tval: bigint) => void;

export abstract class Hart {
  /** Called on every trap taken (for `-d int` and trace events). */
  trapObserver: TrapObserver | undefined;
  readonly i64: BigInt64Array;
  readonly f64: Float64Array;
  readonly i32: Int32Array;

  constructor(readonly state: VcpuStateViews, readonly hartId: number) {
    this.i64 = state.i64;
    this.f64 = state.f64;
    this.i32 = state.i32;
  }

  // ---- hooks for the subclass -------------------------------------------------

  /** The CLINT's mtime (10 MHz). */
  protected abstract readTime(): bigint;
  /** Drop every soft-TLB entry (satp, sfence.vma, permission-relevant mstatus bits). */
  protected abstract flushTlb(): void;
  /** Privilege or MPRV changed: the effective data MMU mode may be different. */
  protected abstract privilegeChanged(): void;
  /** Called after a write to mtimecmp-like state so the run loop reconsiders timers. */
  protected abstract timersChanged(): void;

  // ---- plain accessors ------------------------------------------------------------

  csr(c: Csr): bigint { return this.i64[SLOT_CSR + c]; }
  setCsr(c: Csr, v: bigint): void { this.i64[SLOT_CSR + c] = v; }

  get priv(): Priv { return this.i32[2 * SLOT_PRIV] as Priv; }
  set priv(p: Priv) { this.i32[2 * SLOT_PRIV] = p; }

  get pc(): number { return this.f64[SLOT_PC]; }
  set pc(v: number) { this.f64[SLOT_PC] = v; }

  get instret(): number { return this.f64[SLOT_INSTRET]; }

  /** Power-on / system_reset state: M-mode at the boot ROM. */
  resetState(resetPc: number): void {
    this.i64.fill(0n, 0, SLOT_PMPADDR + 64);
    this.setCsr(Csr.mstatus, MSTATUS_RESET);
    this.setCsr(Csr.misa, MISA_VALUE);
    this.setCsr(Csr.mhartid, BigInt(this.hartId));
    this.priv = Priv.M;
    this.pc = resetPc;
    this.f64[SLOT_INSTRET] = 0;
    this.f64[SLOT_RESERVATION_ADDR] = -1;
    this.i64[SLOT_INSTRET_OFFSET] = 0n;
    this.i64[SLOT_CYCLE_OFFSET] = 0n;
    this.flushTlb();
    this.privilegeChanged();
  }

  // ---- interrupts ------------------------------------------------------------------

  /** mip as software sees it: software bits, device lines and timer comparisons. */
  effectiveMip(): bigint {
    let mip = this.csr(Csr.mip) | BigInt(Atomics.load(this.i32, WORD_IRQ_LINES));
    const time = this.readTime();
    if (time >= this.mtimecmp()) mip |= MIP.MTIP;
    if ((this.csr(Csr.menvcfg) & MENVCFG_STCE) !== 0n) {
      mip &= ~MIP.STIP;
      if (time >= BigInt.asUintN(64, this.csr(Csr.stimecmp))) mip |= MIP.STIP;
    }
    return mip;
  }

  /** The CLINT's mtimecmp for this hart. */
  protected abstract mtimecmp(): bigint;

  /**
   * The interrupt to take now, or -1. Like QEMU 7.2 (riscv_cpu_local_irq_pending)
   * this is the lowest-numbered one among those enabled for M and for S, not
   * the privileged spec's priority order (see IRQ_PRIORITY).
   */
  pendingInterrupt(): number {
    const pending = this.effectiveMip() & this.csr(Csr.mie);
    if (pending === 0n) return -1;
    const mstatus = this.csr(Csr.mstatus);
    const priv = this.priv;
    const mideleg = this.csr(Csr.mideleg);
    const mEnabled = priv < Priv.M || (mstatus & MSTATUS.MIE) !== 0n;
    const sEnabled = priv < Priv.S || (priv === Priv.S && (mstatus & MSTATUS.SIE) !== 0n);
    const irqs = (mEnabled ? pending & ~mideleg : 0n) | (sEnabled ? pending & mideleg : 0n);
    if (irqs === 0n) return -1;
    let n = 0;
    while (((irqs >> BigInt(n)) & 1n) === 0n) n++;
    return n;
  }

  /** Any interrupt pending-and-enabled in mie, regardless of global enables (WFI wake-up condition). */
  wfiShouldWake(): boolean {
    return (this.effectiveMip() & this.csr(Csr.mie)) !== 0n;
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
    const deleg = interrupt ? this.csr(Csr.mideleg) : this.csr(Csr.medeleg);
    const causeBits = (interrupt ? 1n << 63n : 0n) | BigInt(cause);
    let mstatus = this.csr(Csr.mstatus);
    let handler: bigint;
    if (priv <= Priv.S && ((deleg >> BigInt(cause)) & 1n) !== 0n) {
      this.setCsr(Csr.scause, causeBits);
      this.setCsr(Csr.sepc, BigInt(epc));
      this.setCsr(Csr.stval, tval);
      mstatus = (mstatus & ~(MSTATUS.SPP | MSTATUS.SPIE | MSTATUS.SIE)) |
        (priv === Priv.S ? MSTATUS.SPP : 0n) | ((mstatus & MSTATUS.SIE) !== 0n ? MSTATUS.SPIE : 0n);
      this.priv = Priv.S;
      handler = this.vectorTarget(this.csr(Csr.stvec), cause, interrupt);
    } else {
      this.setCsr(Csr.mcause, causeBits);
      this.setCsr(Csr.mepc, BigInt(epc));
      this.setCsr(Csr.mtval, tval);
      this.setCsr(Csr.mtval2, 0n);
      this.setCsr(Csr.mtinst, 0n);
      mstatus = (mstatus & ~(MSTATUS.MPP | MSTATUS.MPIE | MSTATUS.MIE)) |
        (BigInt(priv) << MPP_SHIFT) | ((mstatus & MSTATUS.MIE) !== 0n ? MSTATUS.MPIE : 0n);
      this.priv = Priv.M;
      handler = this.vectorTarget(this.csr(Csr.mtvec), cause, interrupt);
    }
    this.setCsr(Csr.mstatus, mstatus);
    this.privilegeChanged();
    const pc = Number(BigInt.asIntN(64, handler));
    this.pc = pc;
    return pc;
  }

  private vectorTarget(tvec: bigint, cause: number, interrupt: boolean): bigint {
    const base = tvec & ~3n;
    return interrupt && (tvec & 3n) === 1n ? base + 4n * BigInt(cause) : base;
  }

  /** mret / sret. Returns the new pc, or -1 if the instruction is illegal here. */
  xret(fromM: boolean): number {
    this.clearReservation();
    let mstatus = this.csr(Csr.mstatus);
    if (fromM) {
      if (this.priv !== Priv.M) return -1;
      const mpp = Number((mstatus & MSTATUS.MPP) >> MPP_SHIFT) as Priv;
      // QEMU 7.2 leaves MPRV set when returning to a lower mode (priv spec 1.12 clears it)
      mstatus = (mstatus & ~(MSTATUS.MIE | MSTATUS.MPP)) | MSTATUS.MPIE | ((mstatus & MSTATUS.MPIE) !== 0n ? MSTATUS.MIE : 0n);
      this.priv = mpp;
      this.setCsr(Csr.mstatus, mstatus);
      this.privilegeChanged();
      return Number(this.csr(Csr.mepc) & ~1n);
    }
    if (this.priv < Priv.S || (this.priv === Priv.S && (mstatus & MSTATUS.TSR) !== 0n)) return -1;
    const spp = (mstatus & MSTATUS.SPP) !== 0n ? Priv.S : Priv.U;
    mstatus = (mstatus & ~(MSTATUS.SIE | MSTATUS.SPP)) | MSTATUS.SPIE |
      ((mstatus & MSTATUS.SPIE) !== 0n ? MSTATUS.SIE : 0n);
    this.priv = spp;
    this.setCsr(Csr.mstatus, mstatus);
    this.privilegeChanged();
    return Number(this.csr(Csr.sepc) & ~1n);
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
    return (this.csr(Csr.mstatus) & MSTATUS.FS) !== 0n;
  }

  /** Mark the FP state dirty (FS = 3), as every instruction that writes f registers or fcsr must. */
  markFsDirty(): void {
    const m = this.csr(Csr.mstatus);
    if ((m & MSTATUS.FS) !== MSTATUS.FS) this.setCsr(Csr.mstatus, m | MSTATUS.FS | MSTATUS.SD);
  }

  /** May this privilege level read counter `index` (0 cycle, 1 time, 2 instret, 3.. hpm)? */
  private counterAccessible(index: number): boolean {
    const bit = 1n << BigInt(index);
    if (this.priv < Priv.M && (this.csr(Csr.mcounteren) & bit) === 0n) return false;
    if (this.priv < Priv.S && (this.csr(Csr.scounteren) & bit) === 0n) return false;
    return true;
  }

  private stimecmpAccessible(): boolean {
    if (this.priv === Priv.M) return true;
    return (this.csr(Csr.menvcfg) & MENVCFG_STCE) !== 0n && (this.csr(Csr.mcounteren) & 2n) !== 0n;
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
    return csr === CSR.mip ? this.csr(Csr.mip) : read;
  }

  readCsr(csr: number, insnIndex = 0): bigint {
    switch (csr) {
      case CSR.fflags: case CSR.frm: case CSR.fcsr: {
        if (!this.fsEnabled()) throw new IllegalCsr();
        const flags = BigInt(this.i32[2 * SLOT_FFLAGS] & 0x1f);
        const frm = BigInt(this.i32[2 * SLOT_FRM] & 7);
        return csr === CSR.fflags ? flags : csr === CSR.frm ? frm : (frm << 5n) | flags;
      }
      case CSR.sstatus: return this.sstatus();
      case CSR.sie: return this.csr(Csr.mie) & this.csr(Csr.mideleg);
      case CSR.sip: return this.effectiveMip() & this.csr(Csr.mideleg);
      case CSR.stvec: return this.csr(Csr.stvec);
      case CSR.scounteren: return this.csr(Csr.scounteren);
      case CSR.senvcfg: return this.csr(Csr.senvcfg);
      case CSR.sscratch: return this.csr(Csr.sscratch);
      case CSR.sepc: return this.csr(Csr.sepc);
      case CSR.scause: return this.csr(Csr.scause);
      case CSR.stval: return this.csr(Csr.stval);
      case CSR.stimecmp:
        if (!this.stimecmpAccessible()) throw new IllegalCsr();
        return this.csr(Csr.stimecmp);
      case CSR.satp:
        if (this.priv === Priv.S && (this.csr(Csr.mstatus) & MSTATUS.TVM) !== 0n) throw new IllegalCsr();
        return this.csr(Csr.satp);
      case CSR.mstatus: return this.mstatusWithSd();
      case CSR.misa: return MISA_VALUE;
      case CSR.medeleg: return this.csr(Csr.medeleg);
      case CSR.mideleg: return this.csr(Csr.mideleg);
      case CSR.mie: return this.csr(Csr.mie);
      case CSR.mtvec: return this.csr(Csr.mtvec);
      case CSR.mcounteren: return this.csr(Csr.mcounteren);
      case CSR.menvcfg: return this.csr(Csr.menvcfg);
      case CSR.mcountinhibit: return this.csr(Csr.mcountinhibit);
      case CSR.mscratch: return this.csr(Csr.mscratch);
      case CSR.mepc: return this.csr(Csr.mepc);
      case CSR.mcause: return this.csr(Csr.mcause);
      case CSR.mtval: return this.csr(Csr.mtval);
      case CSR.mtval2: return this.csr(Csr.mtval2);
      case CSR.mtinst: return this.csr(Csr.mtinst);
      case CSR.mip: return this.effectiveMip();
      case CSR.mcycle: case CSR.minstret:
        return this.counter(csr === CSR.mcycle ? 0 : 2, insnIndex);
      case CSR.cycle: case CSR.instret:
        if (!this.counterAccessible(csr - CSR.cycle)) throw new IllegalCsr();
        return this.counter(csr - CSR.cycle, insnIndex);
      case CSR.time:
        if (!this.counterAccessible(1)) throw new IllegalCsr();
        return this.readTime();
      case CSR.mvendorid: case CSR.marchid: case CSR.mimpid: case CSR.mconfigptr:
        return 0n;
      case CSR.mhartid: return BigInt(this.hartId);
      default: return this.readOtherCsr(csr);
    }
  }

  /** Ranges: PMP registers, hardware performance counters (all read as zero). */
  private readOtherCsr(csr: number): bigint {
    if (csr >= CSR.pmpcfg0 && csr <= CSR.pmpcfg15) {
      const n = csr - CSR.pmpcfg0;
      if (n & 1 || n >= PMP_ENTRIES / 4) throw new IllegalCsr(); // RV64: even pmpcfg only
      return this.i64[SLOT_PMPCFG + n];
    }
    if (csr >= CSR.pmpaddr0 && csr <= CSR.pmpaddr63) {
      const n = csr - CSR.pmpaddr0;
      if (n >= PMP_ENTRIES) throw new IllegalCsr();
      return this.i64[SLOT_PMPADDR + n];
    }
    if ((csr >= CSR.mhpmcounter3 && csr <= CSR.mhpmcounter31) || (csr >= CSR.mhpmevent3 && csr <= CSR.mhpmevent31)) return 0n;
    if (csr >= CSR.hpmcounter3 && csr <= CSR.hpmcounter31) {
      if (!this.counterAccessible(csr - CSR.cycle)) throw new IllegalCsr();
      return 0n;
    }
    throw new IllegalCsr();
  }

  private mstatusWithSd(): bigint {
    const m = this.csr(Csr.mstatus) & ~MSTATUS.SD;
    return (m & MSTATUS.FS) === MSTATUS.FS ? m | MSTATUS.SD : m;
  }

  private sstatus(): bigint {
    return this.mstatusWithSd() & SSTATUS_MASK;
  }

  writeCsr(csr: number, value: bigint, insnIndex = 0): void {
    switch (csr) {
      case CSR.fflags: case CSR.frm: case CSR.fcsr:
        this.writeFcsr(csr, value);
        return;
      case CSR.sstatus:
        this.writeMstatus((this.csr(Csr.mstatus) & ~SSTATUS_WRITE_MASK) | (value & SSTATUS_WRITE_MASK));
        return;
      case CSR.sie: {
        const mask = this.csr(Csr.mideleg);
        this.setCsr(Csr.mie, (this.csr(Csr.mie) & ~mask) | (value & mask));
        return;
      }
      case CSR.sip: {
        const mask = this.csr(Csr.mideleg) & MIP.SSIP;
        this.setCsr(Csr.mip, (this.csr(Csr.mip) & ~mask) | (value & mask));
        return;
      }
      case CSR.stvec: if ((value & 3n) < 2n) this.setCsr(Csr.stvec, value); return; // reserved modes: ignored (QEMU)
      case CSR.scounteren: this.setCsr(Csr.scounteren, value & 0xffffffffn); return;
      case CSR.senvcfg: this.setCsr(Csr.senvcfg, value & SENVCFG_WRITE_MASK); return;
      case CSR.sscratch: this.setCsr(Csr.sscratch, value); return;
      case CSR.sepc: this.setCsr(Csr.sepc, value); return; // QEMU 7.2 keeps bit 0 as written
      case CSR.scause: this.setCsr(Csr.scause, value); return;
      case CSR.stval: this.setCsr(Csr.stval, value); return;
      case CSR.stimecmp:
        if (!this.stimecmpAccessible()) throw new IllegalCsr();
        this.setCsr(Csr.stimecmp, value);
        this.timersChanged();
        return;
      case CSR.satp: this.writeSatp(value); return;
      case CSR.mstatus: this.writeMstatus((this.csr(Csr.mstatus) & ~MSTATUS_WRITE_MASK) | (value & MSTATUS_WRITE_MASK)); return;
      case CSR.misa: return; // WARL, fixed
      case CSR.medeleg: this.setCsr(Csr.medeleg, value & MEDELEG_WRITE_MASK); return;
      case CSR.mideleg: this.setCsr(Csr.mideleg, value & MIDELEG_WRITE_MASK); return;
      case CSR.mie: this.setCsr(Csr.mie, value & MIE_WRITE_MASK); return;
      case CSR.mtvec: if ((value & 3n) < 2n) this.setCsr(Csr.mtvec, value); return;
      case CSR.mcounteren: this.setCsr(Csr.mcounteren, value & 0xffffffffn); return;
      case CSR.menvcfg: this.setCsr(Csr.menvcfg, value & MENVCFG_WRITE_MASK); this.timersChanged(); return;
      case CSR.mcountinhibit: this.writeCountInhibit(value & 0xfffffffdn, insnIndex); return;
      case CSR.mscratch: this.setCsr(Csr.mscratch, value); return;
      case CSR.mepc: this.setCsr(Csr.mepc, value); return;
      case CSR.mcause: this.setCsr(Csr.mcause, value); return;
      case CSR.mtval: this.setCsr(Csr.mtval, value); return;
      case CSR.mtval2: this.setCsr(Csr.mtval2, value); return;
      case CSR.mtinst: this.setCsr(Csr.mtinst, value); return;
      case CSR.mip: {
        // SEIP and SSIP are writable; STIP too unless Sstc drives it
        let mask = MIP.SSIP | MIP.SEIP;
        if ((this.csr(Csr.menvcfg) & MENVCFG_STCE) === 0n) mask |= MIP.STIP;
        this.setCsr(Csr.mip, (this.csr(Csr.mip) & ~mask) | (value & mask));
        return;
      }
      case CSR.mcycle: case CSR.minstret:
        this.writeCounter(csr === CSR.mcycle ? 0 : 2, value, insnIndex);
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
    return ((this.csr(Csr.mcountinhibit) >> BigInt(index)) & 1n) !== 0n;
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
    this.setCsr(Csr.mcountinhibit, value);
  }

  private writeOtherCsr(csr: number, value: bigint): void {
    if (csr >= CSR.pmpcfg0 && csr <= CSR.pmpcfg15) {
      const n = csr - CSR.pmpcfg0;
      if (n & 1 || n >= PMP_ENTRIES / 4) throw new IllegalCsr();
      // WARL: R/W/X/A/L bits kept; W without R is reserved and reads back cleared (as QEMU)
      let v = 0n;
      for (let i = 0n; i < 8n; i++) {
        let cfg = (value >> (8n * i)) & 0x9fn;
        if ((cfg & 3n) === 2n) cfg &= ~2n;
        v |= cfg << (8n * i);
      }
      this.i64[SLOT_PMPCFG + n] = v;
      return;
    }
    if (csr >= CSR.pmpaddr0 && csr <= CSR.pmpaddr63) {
      const n = csr - CSR.pmpaddr0;
      if (n >= PMP_ENTRIES) throw new IllegalCsr();
      this.i64[SLOT_PMPADDR + n] = value & ((1n << 54n) - 1n);
      return;
    }
    if ((csr >= CSR.mhpmcounter3 && csr <= CSR.mhpmcounter31) || (csr >= CSR.mhpmevent3 && csr <= CSR.mhpmevent31)) return;
    throw new IllegalCsr();
  }

  private writeFcsr(csr: number, value: bigint): void {
    if (!this.fsEnabled()) throw new IllegalCsr();
    const v = Number(value & 0xffn);
    if (csr === CSR.fflags) this.i32[2 * SLOT_FFLAGS] = v & 0x1f;
    else if (csr === CSR.frm) this.i32[2 * SLOT_FRM] = v & 7;
    else {
      this.i32[2 * SLOT_FFLAGS] = v & 0x1f;
      this.i32[2 * SLOT_FRM] = (v >> 5) & 7;
    }
    this.markFsDirty();
  }

  private writeMstatus(value: bigint): void {
    const old = this.csr(Csr.mstatus);
    // MPP is WARL: the reserved value 2 keeps the previous mode
    if (((value & MSTATUS.MPP) >> MPP_SHIFT) === 2n) value = (value & ~MSTATUS.MPP) | (old & MSTATUS.MPP);
    value = (value & ~(MSTATUS.UXL | MSTATUS.SXL | MSTATUS.SD)) | MSTATUS_RESET;
    this.setCsr(Csr.mstatus, value);
    const mmuBits = MSTATUS.MPRV | MSTATUS.MPP | MSTATUS.SUM | MSTATUS.MXR;
    if (((old ^ value) & mmuBits) !== 0n) {
      this.flushTlb();
      this.privilegeChanged();
    }
  }

  private writeSatp(value: bigint): void {
    if (this.priv === Priv.S && (this.csr(Csr.mstatus) & MSTATUS.TVM) !== 0n) throw new IllegalCsr();
    const mode = BigInt.asUintN(64, value) >> 60n;
    if (mode !== 0n && !SATP_PAGING_MODES.includes(mode)) return; // unsupported modes leave satp unchanged
    const legal = mode === 0n ? 0n : value & ((0xfn << 60n) | (0xffffn << 44n) | ((1n << 44n) - 1n));
    this.setCsr(Csr.satp, BigInt.asIntN(64, legal));
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
