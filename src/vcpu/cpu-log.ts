/**
 * `-d int`, `-d exec` and `-d cpu` output of a vCPU, in QEMU's formats
 * (target/riscv/cpu_helper.c, accel/tcg/cpu-exec.c, target/riscv/cpu.c).
 */
import { writeAll } from '../util/write-all.js';
import { CsrSlot, SLOT_F, SLOT_PC, SLOT_X } from '../abi/state-layout.js';
import type { Hart } from '../target/riscv/hart.js';
import { CSR_NUMBER, Priv } from '../target/riscv/csr.js';

const EXCEPTION_NAMES = [
  'misaligned_fetch', 'fault_fetch', 'illegal_instruction', 'breakpoint', 'misaligned_load', 'fault_load',
  'misaligned_store', 'fault_store', 'user_ecall', 'supervisor_ecall', 'hypervisor_ecall', 'machine_ecall',
  'exec_page_fault', 'load_page_fault', 'reserved', 'store_page_fault',
];
const INTERRUPT_NAMES = [
  'user_software', 'supervisor_software', 'virtual_supervisor_software', 'machine_software',
  'user_timer', 'supervisor_timer', 'virtual_supervisor_timer', 'machine_timer',
  'user_external', 'supervisor_external', 'virtual_supervisor_external', 'machine_external',
];
const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const FABI = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3',
  'fa4', 'fa5', 'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9',
  'ft10', 'ft11'];

export function hex64(v: bigint | number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
}

export function trapName(cause: number, interrupt: boolean): string {
  return (interrupt ? INTERRUPT_NAMES[cause] : EXCEPTION_NAMES[cause]) ?? 'reserved';
}

/** The line QEMU's riscv_cpu_do_interrupt logs under `-d int`. */
export function formatTrap(hart: number, cause: number, interrupt: boolean, epc: number, tval: bigint): string {
  const causeBits = interrupt ? (1n << 63n) | BigInt(cause) : BigInt(cause);
  return `riscv_cpu_do_interrupt: hart:${hart}, async:${interrupt ? 1 : 0}, cause:${hex64(causeBits)}, ` +
    `epc:0x${hex64(epc)}, tval:0x${hex64(tval)}, desc=${trapName(cause, interrupt)}\n`;
}

/** Register dump in the layout of QEMU's riscv_cpu_dump_state (`-d cpu`, `info registers`). */
export function formatCpuState(ctx: Hart, withFp: boolean, withCsrs = true): string {
  const lines: string[] = [];
  lines.push(` pc       ${hex64(ctx.f64[SLOT_PC])}`);
  if (withCsrs) lines.push(...csrLines(ctx));
  for (let i = 0; i < 32; i += 4) {
    const row: string[] = [];
    for (let j = i; j < i + 4; j++) row.push(` x${j}/${ABI[j]}`.padEnd(9) + ` ${hex64(ctx.i64[SLOT_X + j])}`);
    lines.push(row.join(''));
  }
  if (withFp) {
    for (let i = 0; i < 32; i += 4) {
      const row: string[] = [];
      for (let j = i; j < i + 4; j++) row.push(` f${j}/${FABI[j]}`.padEnd(9) + ` ${hex64(ctx.i64[SLOT_F + j])}`);
      lines.push(row.join(''));
    }
  }
  return lines.join('\n') + '\n';
}

/** The CSR rows of the dump (system mode's; QEMU's linux-user prints none). */
function csrLines(ctx: Hart): string[] {
  const lines: string[] = [];
  const csr = (name: string, v: bigint): void => { lines.push(` ${name.padEnd(8)} ${hex64(v)}`); };
  csr('mhartid', BigInt(ctx.hartId));
  csr('mstatus', ctx.readCsr(CSR_NUMBER.mstatus));
  csr('mip', ctx.effectiveMip());
  csr('mie', ctx.csr(CsrSlot.mie));
  csr('mideleg', ctx.csr(CsrSlot.mideleg));
  csr('medeleg', ctx.csr(CsrSlot.medeleg));
  csr('mtvec', ctx.csr(CsrSlot.mtvec));
  csr('stvec', ctx.csr(CsrSlot.stvec));
  csr('mepc', ctx.csr(CsrSlot.mepc));
  csr('sepc', ctx.csr(CsrSlot.sepc));
  csr('mcause', ctx.csr(CsrSlot.mcause));
  csr('scause', ctx.csr(CsrSlot.scause));
  csr('mtval', ctx.csr(CsrSlot.mtval));
  csr('stval', ctx.csr(CsrSlot.stval));
  csr('mscratch', ctx.csr(CsrSlot.mscratch));
  csr('sscratch', ctx.csr(CsrSlot.sscratch));
  csr('satp', ctx.csr(CsrSlot.satp));
  return lines;
}

/**
 * QEMU 7.2's `-d exec` line (accel/tcg/cpu-exec.c log_cpu_exec):
 * `Trace %d: %p [%016lx/%016lx/%08x/%08x] %s`, the vCPU index, the block's host code address,
 * cs_base (0 on RISC-V), the pc, the block's flags and cflags, and the function symbol holding the
 * pc ("" if none). tsemu has no host code address: `hostPtr` is printed as glibc's %p would.
 * Shared by system mode and linux-user.
 */
export function formatExecLine(cpuIndex: number, hostPtr: number, pc: number, flags: number, cflags: number, symbol: string): string {
  return `Trace ${cpuIndex}: 0x${hostPtr.toString(16)} [${hex64(0)}/${hex64(pc)}/${hex8(flags)}/${hex8(cflags)}] ${symbol}\n`;
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** QEMU's TB_FLAGS (target/riscv/cpu.h, 7.2): mem index, MSTATUS_FS, VILL, HLSX, XL. */
const TB_VILL = 1 << 12;
const TB_HLSX = 1 << 15;
const TB_XL_64 = 2 << 20;
const TB_MSTATUS_FS = 0x6000;

/**
 * The flags QEMU 7.2's cpu_get_tb_cpu_state gives a system-mode block: the privilege as MMU index,
 * mstatus.FS, VILL (no V extension), HLSX in M and S (QEMU's default CPU has H) and XL = 64-bit.
 */
export function systemTbFlags(ctx: Hart): number {
  const priv = ctx.priv;
  const fs = Number(ctx.csr(CsrSlot.mstatus) & BigInt(TB_MSTATUS_FS));
  return priv | TB_VILL | fs | (priv >= Priv.S ? TB_HLSX : 0) | TB_XL_64;
}

/** linux-user's flags (QEMU 7.2, CONFIG_USER_ONLY): MMU index 0, FS and VS always on, VILL, XL = 64-bit. */
export const USER_TB_FLAGS = 0x6600 | TB_VILL | TB_XL_64;

/** QEMU's cflags bits (include/exec/exec-all.h, 7.2) that -d exec shows. */
export const CF_COUNT_1 = 0x1;
export const CF_NO_GOTO_TB = 0x200;
export const CF_USE_ICOUNT = 0x20000;
export const CF_PARALLEL = 0x80000;
/** cluster_index -1 (no cluster) shifted into the top byte. */
export const CF_CLUSTER_NONE = 0xff000000;

/**
 * A vCPU's cflags as QEMU 7.2's tcg_cpu_init_cflags and curr_cflags make them: no cluster,
 * CF_PARALLEL with MTTCG and more than one possible CPU, CF_USE_ICOUNT with -icount, and
 * -singlestep's one instruction without goto_tb (`-d nochain` adds CF_NO_GOTO_TB at log time).
 */
export function systemCflags(opts: { parallel: boolean; icount: boolean; singlestep: boolean }): number {
  let cflags = CF_CLUSTER_NONE;
  if (opts.parallel) cflags |= CF_PARALLEL;
  if (opts.icount) cflags |= CF_USE_ICOUNT;
  if (opts.singlestep) cflags |= CF_NO_GOTO_TB | CF_COUNT_1;
  return (cflags >>> 0);
}

/** What -d exec needs besides the log flags: the function symbols and the vCPUs' cflags. */
export interface ExecLogInfo {
  symbols: readonly { addr: number; size: number; name: string }[];
  cflags: number;
}

export interface CpuLogFlags {
  int: boolean;
  unimp: boolean;
  guestErrors: boolean;
  exec: boolean;
  cpu: boolean;
  fd: number;
  /** -d nochain: blocks are not chained (their cflags show CF_NO_GOTO_TB). */
  nochain?: boolean;
  /** QEMU's linux-user: `-d cpu` dumps the pc and registers, no CSRs. */
  user?: boolean;
}

/** linux-user's cflags under -singlestep: CF_NO_GOTO_TB | a count of 1. */
export const CF_SINGLE_INSN = CF_NO_GOTO_TB | CF_COUNT_1;

/**
 * A vCPU worker's `-d` output. Its holders (run loop, trap observer, MMIO
 * port) read `flags` at each use, so setFlags() (HMP log / logfile) takes
 * effect at the next block, trap or access.
 */
export class CpuLog {
  constructor(public flags: CpuLogFlags, private readonly exec: ExecLogInfo = { symbols: [], cflags: 0 }) {}

  /**
   * A block at this pc runs again only because the emulator stopped it (user mode brought in a page
   * its first touch needed): its next run is not logged, as QEMU, which maps pages up front, runs it once.
   */
  rerunPc = NaN;

  /** Should the block at `pc` be logged now (false once for a rerun)? */
  logsBlockAt(pc: number): boolean {
    if (pc !== this.rerunPc) return true;
    this.rerunPc = NaN;
    return false;
  }

  setFlags(flags: CpuLogFlags): void {
    this.flags = { ...flags };
  }

  write(text: string): void {
    writeAll(this.flags.fd, text);
  }

  /**
   * User mode: the block's symbol (lookup_symbol) and its cflags (CF_PARALLEL once the process has
   * threads, 0x201 for one instruction per block), as QEMU 7.2's linux-user prints them.
   */
  userExec: { symbolAt(pc: number): string; cflags(): number } | undefined;

  /**
   * `-d exec`: one line per executed block, QEMU's "Trace" line. tsemu logs every block it runs,
   * chained or not (QEMU without nochain logs only blocks entered from its main loop or through
   * goto_ptr). tsemu has no host code address: each pc gets a made-up one the first time it is
   * logged (0x1000, 0x2000, ... in order), the same in every run.
   */
  blockExecuted(ctx: Hart, pc: number): void {
    const u = this.userExec;
    const base = u !== undefined ? u.cflags() : this.exec.cflags;
    const cflags = this.flags.nochain === true ? (base | CF_NO_GOTO_TB) >>> 0 : base;
    let seen = this.blocksSeen.get(pc);
    if (seen === undefined) {
      seen = { ptr: (this.blocksSeen.size + 1) * 0x1000, symbol: u !== undefined ? u.symbolAt(pc) : symbolAt(this.exec.symbols, pc) };
      this.blocksSeen.set(pc, seen);
    }
    const flags = u !== undefined || this.flags.user === true ? USER_TB_FLAGS : systemTbFlags(ctx);
    this.write(formatExecLine(ctx.hartId, seen.ptr, pc, flags, cflags, seen.symbol));
  }

  /** -d exec: the made-up host address and the symbol of every pc logged so far. */
  private readonly blocksSeen = new Map<number, { ptr: number; symbol: string }>();
}

/** QEMU's lookup_symbol: the function symbol whose [addr, addr + size) holds `pc`, else "". */
export function symbolAt(symbols: readonly { addr: number; size: number; name: string }[], pc: number): string {
  for (const s of symbols) if (pc >= s.addr && pc < s.addr + s.size) return s.name;
  return '';
}
