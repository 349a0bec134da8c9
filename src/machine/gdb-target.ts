/**
 * The machine as the gdbstub sees it (src/gdbstub/target.ts): registers in QEMU's gdb numbering
 * read and written in each vCPU's shared state while it is stopped, memory through the vCPU's MMU
 * state (as QEMU's cpu_memory_rw_debug), and run control: all-stop, partial resume, single-step.
 */
import type { DebugStopKind, GdbTarget, GdbWatchpoint } from '../gdbstub/target.js';
import { WATCH_READ, WATCH_WRITE } from '../memory/guest-memory.js';
import type { MonitorTarget } from '../monitor/target.js';
import type { Machine } from './machine.js';
import { runHumanMonitorCommand } from '../monitor/hmp.js';
import { guestMemoryForInstr } from '../instr/memory-access.js';
import { SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_PC, SLOT_PRIV, SLOT_X, stateViews } from '../abi/state-layout.js';
import { RegisterView } from './monitor-target.js';

/** QEMU's riscv64 gdb register numbers. */
const REG_PC = 32;
const REG_F0 = 33;
const REG_PRIV = 65;
const REG_CSR_BASE = 66;
const CSR_FFLAGS = 1;
const CSR_FRM = 2;
const CSR_FCSR = 3;

function le64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return out;
}

function fromLe(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(bytes.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

export class MachineGdbTarget implements GdbTarget {
  constructor(private readonly m: Machine, private readonly monitor: MonitorTarget, private readonly killFn: () => void) {}

  cpus(): number[] {
    return this.m.presentHarts();
  }

  isHalted(cpu: number): boolean {
    return this.m.vcpuStates().find((v) => v.index === cpu)?.halted ?? false;
  }

  private view(cpu: number): RegisterView | undefined {
    const v = this.m.vcpuStates().find((x) => x.index === cpu);
    return v ? new RegisterView(v.state, cpu, () => this.m.clint.mtime(), () => this.m.clint.mtimecmp(cpu)) : undefined;
  }

  readRegister(cpu: number, n: number): Uint8Array | undefined {
    const h = this.view(cpu);
    if (!h) return undefined;
    const s = h.state;
    if (n < 32) return le64(s.i64[SLOT_X + n]);
    if (n === REG_PC) return le64(BigInt(s.f64[SLOT_PC]));
    if (n < REG_PRIV) return le64(s.i64[SLOT_F + n - REG_F0]);
    if (n === REG_PRIV) return le64(BigInt(s.i32[2 * SLOT_PRIV]));
    const csr = n - REG_CSR_BASE;
    if (csr < 0 || csr > 0xfff) return undefined;
    // the debugger reads the FP CSRs whatever mstatus.FS says (QEMU's env->debugger)
    const flags = BigInt(s.i32[2 * SLOT_FFLAGS] & 0x1f);
    const frm = BigInt(s.i32[2 * SLOT_FRM] & 7);
    if (csr === CSR_FFLAGS) return le64(flags);
    if (csr === CSR_FRM) return le64(frm);
    if (csr === CSR_FCSR) return le64((frm << 5n) | flags);
    try {
      return le64(h.readCsr(csr));
    } catch {
      return undefined; // not a CSR of this hart
    }
  }

  writeRegister(cpu: number, n: number, bytes: Uint8Array): boolean {
    const h = this.view(cpu);
    if (!h || bytes.length < 8) return false;
    const v = fromLe(bytes);
    const s = h.state;
    if (n < 32) { if (n !== 0) s.i64[SLOT_X + n] = BigInt.asIntN(64, v); return true; }
    if (n === REG_PC) { s.f64[SLOT_PC] = Number(BigInt.asIntN(64, v)); return true; }
    if (n < REG_PRIV) { s.i64[SLOT_F + n - REG_F0] = BigInt.asIntN(64, v); return true; }
    if (n === REG_PRIV) { s.i32[2 * SLOT_PRIV] = Number(v & 3n) === 2 ? 1 : Number(v & 3n); return true; }
    const csr = n - REG_CSR_BASE;
    if (csr < 0 || csr > 0xfff) return false;
    try {
      h.writeCsr(csr, BigInt.asIntN(64, v));
      return true;
    } catch {
      return false;
    }
  }

  private memory(): ReturnType<typeof guestMemoryForInstr> {
    const states = this.m.vcpuStates();
    return guestMemoryForInstr(this.m.mem, () => {
      const all: (ReturnType<typeof stateViews> | undefined)[] = [];
      for (const v of states) all[v.index] = v.state;
      return all;
    }, (c) => states.some((v) => v.index === c));
  }

  async readMemory(cpu: number, addr: bigint, len: number): Promise<Uint8Array | undefined> {
    const r = await this.monitor.readMemory(cpu, BigInt.asUintN(64, addr), len, false);
    return typeof r === 'string' ? undefined : r;
  }

  async writeMemory(cpu: number, addr: bigint, bytes: Uint8Array): Promise<boolean> {
    const access = this.memory();
    for (let done = 0; done < bytes.length;) {
      const a = BigInt.asUintN(64, addr + BigInt(done));
      const chunk = Math.min(bytes.length - done, 4096 - Number(BigInt.asUintN(12, a)));
      const pa = access.virtToPhys(cpu, a);
      if (pa === undefined || !access.writePhys(pa, bytes.subarray(done, done + chunk))) return false;
      done += chunk;
    }
    return true;
  }

  async stopAll(debug: boolean): Promise<void> {
    await this.m.pause();
    if (debug) this.m.debugStopped = true;
  }

  resume(run: readonly number[], step: readonly number[]): Promise<void> {
    return this.m.resumeSome(run, step);
  }

  setDebug(breakpoints: readonly number[], oneInsnPerBlock: boolean): void {
    this.m.setDebugTranslation(breakpoints, oneInsnPerBlock);
  }

  setWatchpoints(list: readonly GdbWatchpoint[]): void {
    // QEMU's xlat_gdb_type: write, read, access
    this.m.setWatchpoints(list.map((w) => ({
      addr: Number(BigInt.asIntN(64, w.addr)), len: w.len,
      flags: w.type === 2 ? WATCH_WRITE : w.type === 3 ? WATCH_READ : WATCH_READ | WATCH_WRITE,
    })));
  }

  onDebugStop(listener: (cpu: number, kind: DebugStopKind, addr?: bigint) => void): void {
    this.m.onDebugStop((cpu, kind, addr) => listener(cpu, kind, addr === undefined ? undefined : BigInt(addr)));
  }

  async monitorCommand(line: string, cpu: number): Promise<string> {
    return (await runHumanMonitorCommand(this.monitor, line, cpu)) ?? '';
  }

  kill(): void {
    this.killFn();
  }
}
