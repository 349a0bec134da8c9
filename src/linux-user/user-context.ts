/**
 * The vCPU of a Linux user process: the system-mode vCPU context running in U-mode on the
 * process's page tables, whose traps go to the emulated kernel instead of a trap vector.
 *
 * A trap (ecall, page fault, illegal instruction, ...) leaves the pc on the trapping instruction,
 * records what happened in `trap`, and asks the run loop for service with the Control reason: the
 * run loop then calls its host's handleControl between blocks, where the worker hands the trap to
 * the kernel (syscalls, demand paging, signals) and resumes the guest, or ends it.
 */
import { VcpuContext, type MmioPort, type TimerSource } from '../vcpu/context.js';
import { CsrSlot, ExitReason, SLOT_RESERVATION_ADDR, WORD_EXIT_REASONS, type VcpuStateViews } from '../abi/state-layout.js';
import { MSTATUS, Priv } from '../target/riscv/csr.js';
import type { GuestMemory } from '../memory/guest-memory.js';

export interface PendingTrap {
  cause: number;
  tval: bigint;
  epc: number;
}

/** No devices in a user process: every physical access outside RAM faults. */
const NO_DEVICES: MmioPort = {
  read: () => undefined,
  write: () => false,
};

/** The time CSR (rdtime) counts at QEMU virt's 10 MHz from the host's monotonic clock; no timer interrupts. */
export const USER_TIMER: TimerSource = {
  mtime: () => BigInt(Math.floor(performance.now() * 10_000)),
  mtimecmp: () => (1n << 63n) - 1n,
  ticksPerMs: 10_000,
};

export class UserContext extends VcpuContext {
  /** The trap the kernel must handle before the guest goes on (undefined while the guest runs). */
  trap: PendingTrap | undefined;

  constructor(state: VcpuStateViews, index: number, mem: GuestMemory) {
    super(state, index, mem, NO_DEVICES, USER_TIMER);
    this.pmpEnforced = false; // a user process has no PMP, as under QEMU's linux-user
  }

  /** Start in U-mode at `pc` on the page tables of `satp`, FPU on, counters readable. */
  enterUserMode(pc: number, satp: bigint): void {
    this.resetState(pc);
    this.setCsr(CsrSlot.satp, satp);
    this.setCsr(CsrSlot.mstatus, this.csr(CsrSlot.mstatus) | (1n << 13n)); // FS = Initial
    this.setCsr(CsrSlot.mcounteren, 7n);
    this.setCsr(CsrSlot.scounteren, 7n);
    this.priv = Priv.U;
    this.privilegeChanged();
    this.flushMappings();
  }

  /** The process's mappings changed (munmap, mprotect): drop cached translations of addresses. */
  flushMappings(): void {
    this.flushTlb();
  }

  /** Is the FPU state dirty (for signal frames, later)? */
  get fpDirty(): boolean {
    return (this.csr(CsrSlot.mstatus) & MSTATUS.FS) === MSTATUS.FS;
  }

  override takeTrap(cause: number, tval: bigint, epc: number, interrupt: boolean): number {
    this.trapObserver?.(cause, interrupt, epc, tval);
    this.f64[SLOT_RESERVATION_ADDR] = -1;
    this.trap = { cause, tval, epc };
    Atomics.or(this.i32, WORD_EXIT_REASONS, ExitReason.Control);
    this.requestService();
    this.pc = epc;
    return epc;
  }
}
