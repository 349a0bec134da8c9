/**
 * `-d int`, `-d exec` and `-d cpu` output of a vCPU, in QEMU's formats
 * (target/riscv/cpu_helper.c, accel/tcg/cpu-exec.c, target/riscv/cpu.c).
 */
import { writeAll } from '../util/write-all.js';
import { CsrSlot, SLOT_F, SLOT_PC, SLOT_X } from '../abi/state-layout.js';
import type { Hart } from '../target/riscv/hart.js';
import { CSR_NUMBER } from '../target/riscv/csr.js';

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

export interface CpuLogFlags {
  int: boolean;
  unimp: boolean;
  guestErrors: boolean;
  exec: boolean;
  cpu: boolean;
  fd: number;
  /** QEMU's linux-user: `-d cpu` dumps the pc and registers, no CSRs. */
  user?: boolean;
}

/**
 * QEMU 7.2's RISC-V TB flags of a linux-user block (cpu_get_tb_cpu_state: U-mode memory index,
 * FS dirty, vill, MXL 64): the same for every block of a user process.
 */
const USER_TB_FLAGS = '00207600';

/** QEMU's cflags bits: CF_PARALLEL (a process with threads), and -singlestep's CF_NO_GOTO_TB | a count of 1. */
export const CF_PARALLEL = 0x80000;
export const CF_SINGLE_INSN = 0x201;

/**
 * A vCPU worker's `-d` output. Its holders (run loop, trap observer, MMIO
 * port) read `flags` at each use, so setFlags() (HMP log / logfile) takes
 * effect at the next block, trap or access.
 */
export class CpuLog {
  constructor(public flags: CpuLogFlags) {}

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
   * User mode: `-d exec` as QEMU 7.2's linux-user prints it, the block's symbol (lookup_symbol)
   * and its TB flags and cflags (cflags: CF_PARALLEL once the process has threads, 0x201 for one
   * instruction per block); tsemu has no host code pointer to print (0x0, as system mode's lines).
   */
  userExec: { symbolAt(pc: number): string; cflags(): number } | undefined;

  /** `-d exec`: one line per executed block, as QEMU's "Trace" lines. */
  blockExecuted(hart: number, pc: number): void {
    const u = this.userExec;
    if (u !== undefined) {
      this.write(`Trace ${hart}: 0x0 [0000000000000000/${hex64(pc)}/${USER_TB_FLAGS}/${u.cflags().toString(16).padStart(8, '0')}] ${u.symbolAt(pc)}\n`);
      return;
    }
    this.write(`Trace ${hart}: 0x0 [00000000/${hex64(pc)}/00000000/00000000] \n`);
  }
}
