/**
 * tsemu/qemu-instr/control — the document's "qemu-instr/control.h": set
 * instrumentation callbacks, control trace-event state, and (from the later
 * revision) look events up, access guest memory, and share per-vCPU
 * counters across instances.
 *
 * Every function refuses misuse with an Error whose message starts with the
 * function's name.
 */
import { InstrError, InstrEventInfo, runtime, type TranslationContext } from '../runtime.js';
import type { CounterCond } from '../../tcg/ir.js';
import type { QICPU, QIEvent, QIInsn, QIMemInfo, QIScoreboard, QITB, QITCGv_cpu } from './types.js';
import { currentTranslation, insnAt, readRegister, REGISTER_NAMES, type CurrentTranslation } from '../handles.js';
import type { VcpuStateViews } from '../../abi/state-layout.js';

// every public type, so a library can import all it needs from this entry point
export type * from './types.js';

/** An event identifier that also carries the type of its callback. */
export interface QIEventOf<F> extends QIEvent {
  readonly __callback?: F;
}

function eventOf(fn: string, ev: QIEvent | undefined | null): InstrEventInfo {
  if (!ev || typeof ev.id !== 'number') throw new InstrError(`${fn}: missing event`);
  return runtime(fn).event(ev.id, fn);
}

function cpuIndex(fn: string, cpu: QICPU | number): number {
  const index = typeof cpu === 'number' ? cpu : cpu?.index;
  if (typeof index !== 'number' || !runtime(fn).hooks.memory.vcpuExists(index)) {
    throw new InstrError(`${fn}: vCPU ${String(index)} does not exist`);
  }
  return index;
}

/**
 * Set the instrumentation callback of `ev` (null: back to the default, which
 * traces the event). Takes effect at once in this instance and, before their
 * next event from new code, in every other instance of the library.
 */
export function qi_ctrl_event_set<F extends (...args: never[]) => unknown>(ev: QIEventOf<F>, fn: F | null): void {
  const name = 'qi_ctrl_event_set';
  const rt = runtime(name);
  const lib = rt.caller(name);
  const info = eventOf(name, ev);
  if (!info.instrument) throw new InstrError(`${name}: event '${info.name}' is not instrumentable (no 'instrument' property)`);
  if (fn !== null && typeof fn !== 'function') throw new InstrError(`${name}: callback for '${info.name}' is not a function`);
  if (fn !== null && !rt.relayable(fn as unknown as (...args: unknown[]) => unknown)) {
    throw new InstrError(`${name}: an anonymous callback for '${info.name}' set outside qi_init cannot reach the library's other instances (give the function a name)`);
  }
  rt.setCallback(lib, info, fn as ((...args: unknown[]) => unknown) | null);
}

/** Enable or disable `ev` for every vCPU (QEMU's trace_event_set_state_dynamic). */
export function qi_trace_event_set_state_dynamic(ev: QIEvent, state: boolean): void {
  const name = 'qi_trace_event_set_state_dynamic';
  const rt = runtime(name);
  const lib = rt.caller(name);
  const info = eventOf(name, ev);
  if (!info.staticEnabled) throw new InstrError(`${name}: event '${info.name}' is disabled at build time`);
  lib.touchedEvents.add(info.id);
  rt.hooks.trace.setDynamic(info.id, state, undefined);
}

/** Enable or disable vCPU event `ev` for one vCPU. */
export function qi_trace_event_set_vcpu_state_dynamic(cpu: QICPU | number, ev: QIEvent, state: boolean): void {
  const name = 'qi_trace_event_set_vcpu_state_dynamic';
  const rt = runtime(name);
  const lib = rt.caller(name);
  const info = eventOf(name, ev);
  if (!info.vcpu) throw new InstrError(`${name}: event '${info.name}' is not a vCPU event`);
  if (!info.staticEnabled) throw new InstrError(`${name}: event '${info.name}' is disabled at build time`);
  const index = cpuIndex(name, cpu);
  lib.touchedEvents.add(info.id);
  rt.hooks.trace.setDynamic(info.id, state, index);
}

export function qi_trace_event_get_state_static(ev: QIEvent): boolean {
  return eventOf('qi_trace_event_get_state_static', ev).staticEnabled;
}

export function qi_trace_event_get_state_dynamic(ev: QIEvent): boolean {
  const name = 'qi_trace_event_get_state_dynamic';
  return runtime(name).hooks.trace.dynamicEnabled(eventOf(name, ev).id);
}

export function qi_trace_event_get_vcpu_state_dynamic(cpu: QICPU | number, ev: QIEvent): boolean {
  const name = 'qi_trace_event_get_vcpu_state_dynamic';
  const info = eventOf(name, ev);
  if (!info.vcpu) throw new InstrError(`${name}: event '${info.name}' is not a vCPU event`);
  return runtime(name).hooks.trace.enabled(info.id, cpuIndex(name, cpu));
}

export function qi_trace_event_is_vcpu(ev: QIEvent): boolean {
  return eventOf('qi_trace_event_is_vcpu', ev).vcpu;
}

export function qi_trace_event_get_name(ev: QIEvent): string {
  return eventOf('qi_trace_event_get_name', ev).name;
}

/** Look an event up by its exact name (`guest_mem_before_exec`), or undefined. */
export function qi_trace_event_name(name: string): QIEvent | undefined {
  const info = runtime('qi_trace_event_name').events.find((e) => e.name === name);
  return info ? Object.freeze({ id: info.id, name: info.name }) : undefined;
}

/** Every event whose name matches the glob `pattern` (`*` and `?`), in declaration order. */
export function qi_trace_event_iter(pattern: string): QIEvent[] {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return runtime('qi_trace_event_iter').events.filter((e) => re.test(e.name)).map((e) => Object.freeze({ id: e.id, name: e.name }));
}

// ---- guest memory (the later revision) ---------------------------------------------

/** Physical address of `vaddr` through `cpu`'s MMU (its current privilege and satp), or undefined if unmapped. */
export function qi_mem_virt_to_phys(cpu: QICPU | number, vaddr: bigint): bigint | undefined {
  const name = 'qi_mem_virt_to_phys';
  return runtime(name).hooks.memory.virtToPhys(cpuIndex(name, cpu), vaddr);
}

/** Read `size` bytes of guest-physical memory (RAM/ROM only), or undefined if any byte is not there. */
export function qi_mem_read_phys(paddr: bigint, size: number): Uint8Array | undefined {
  return runtime('qi_mem_read_phys').hooks.memory.readPhys(paddr, size);
}

/** Write guest-physical RAM; false (and nothing written) if any byte is outside RAM. */
export function qi_mem_write_phys(paddr: bigint, bytes: Uint8Array): boolean {
  return runtime('qi_mem_write_phys').hooks.memory.writePhys(paddr, bytes);
}

/** Read guest-virtual memory through `cpu`'s MMU; undefined if any page is unmapped. */
export function qi_mem_read_virt(cpu: QICPU | number, vaddr: bigint, size: number): Uint8Array | undefined {
  const name = 'qi_mem_read_virt';
  const rt = runtime(name);
  const index = cpuIndex(name, cpu);
  const out = new Uint8Array(size);
  for (let done = 0; done < size;) {
    const va = vaddr + BigInt(done);
    const chunk = Math.min(size - done, 4096 - Number(BigInt.asUintN(12, va)));
    const pa = rt.hooks.memory.virtToPhys(index, va);
    const bytes = pa === undefined ? undefined : rt.hooks.memory.readPhys(pa, chunk);
    if (!bytes) return undefined;
    out.set(bytes, done);
    done += chunk;
  }
  return out;
}

/** Write guest-virtual memory through `cpu`'s MMU; false if any page is unmapped (nothing written then). */
export function qi_mem_write_virt(cpu: QICPU | number, vaddr: bigint, bytes: Uint8Array): boolean {
  const name = 'qi_mem_write_virt';
  const rt = runtime(name);
  const index = cpuIndex(name, cpu);
  const parts: { pa: bigint; from: number; to: number }[] = [];
  for (let done = 0; done < bytes.length;) {
    const va = vaddr + BigInt(done);
    const chunk = Math.min(bytes.length - done, 4096 - Number(BigInt.asUintN(12, va)));
    const pa = rt.hooks.memory.virtToPhys(index, va);
    if (pa === undefined) return false;
    parts.push({ pa, from: done, to: done + chunk });
    done += chunk;
  }
  return parts.every((p) => rt.hooks.memory.writePhys(p.pa, bytes.subarray(p.from, p.to)));
}

// ---- scoreboards -------------------------------------------------------------------

class Scoreboard implements QIScoreboard {
  /** Rows from word `base` of `data` on (scoreboards created after qi_init share their library's arena). */
  constructor(readonly id: number, readonly counters: number, private readonly data: BigInt64Array, private readonly vcpus: number, readonly base: number) {}

  private index(cpu: QICPU | number, counter: number): number {
    const c = typeof cpu === 'number' ? cpu : cpu.index;
    if (!(counter >= 0 && counter < this.counters)) throw new InstrError(`QIScoreboard: counter ${counter} out of range`);
    if (!(c >= 0 && c < this.vcpus)) throw new InstrError(`QIScoreboard: vCPU ${c} out of range`);
    return this.base + c * this.counters + counter;
  }

  add(cpu: QICPU | number, counter: number, n: number | bigint): void {
    this.data[this.index(cpu, counter)] += BigInt(n);
  }

  get(cpu: QICPU | number, counter: number): bigint {
    return this.data[this.index(cpu, counter)];
  }

  sum(counter: number): bigint {
    let s = 0n;
    for (let c = 0; c < this.vcpus; c++) s += this.data[this.index(c, counter)];
    return s;
  }

  clear(): void {
    this.data.fill(0n, this.base, this.base + this.vcpus * this.counters);
  }
}

const boards = new WeakMap<QIScoreboard, Scoreboard>();

/** Most shared memory one scoreboard takes (pages are only committed when counters are written). */
const SCOREBOARD_BYTES = 1 << 30;

/**
 * A new scoreboard of `counters` counters per vCPU, shared by every instance
 * of this library: the n-th scoreboard an instance creates is the n-th of
 * every other instance (creation order). Call it in `qi_init` (every instance
 * runs it and gets the same scoreboards), or at any time later, in any
 * instance: in a translation callback, say, to count something met only then
 * (the other instances reach it by creating their n-th scoreboard too).
 */
export function qi_scoreboard_new(counters: number): QIScoreboard {
  const name = 'qi_scoreboard_new';
  const rt = runtime(name);
  const lib = rt.caller(name);
  // a row for every possible vCPU; bounded by the shared memory one scoreboard may take (1 GiB)
  const most = Math.floor(SCOREBOARD_BYTES / (8 * rt.maxVcpus));
  if (!Number.isInteger(counters) || counters < 1 || counters > most) throw new InstrError(`${name}: counters must be 1..${most}`);
  const { id, data, base } = rt.hooks.scoreboard(lib.id, lib.scoreboards.length, counters);
  lib.scoreboards.push(data);
  lib.scoreboardIds.push(id);
  const sb = new Scoreboard(id, counters, data, rt.maxVcpus, base);
  boards.set(sb, sb);
  return sb;
}

/**
 * Translation time: make the code being translated add `n` to `counter` of
 * the executing vCPU's row, inline (no call out of the generated code) — the
 * fastest way to count.
 */
export function qi_gen_scoreboard_add(tcg_cpu: QITCGv_cpu, scoreboard: QIScoreboard, counter: number, n: number | bigint): void {
  const name = 'qi_gen_scoreboard_add';
  const { t, sb, value } = inlineTarget(name, scoreboard, counter, n);
  void tcg_cpu;
  // row `hartId` of a scoreboard at `base`: base + hartId * counters + counter
  t.builder.scoreboardAdd(sb.id, sb.base + counter, sb.counters, value);
}

/**
 * Translation time: make the code being translated store `value` into `counter` of the executing
 * vCPU's row, inline (QEMU's QEMU_PLUGIN_INLINE_STORE_U64). With qi_gen_exec_cond, the way to
 * make a callback run once: store a flag, test it.
 */
export function qi_gen_scoreboard_store(tcg_cpu: QITCGv_cpu, scoreboard: QIScoreboard, counter: number, value: number | bigint): void {
  const name = 'qi_gen_scoreboard_store';
  const { t, sb, value: v } = inlineTarget(name, scoreboard, counter, value);
  void tcg_cpu;
  t.builder.scoreboardStore(sb.id, sb.base + counter, sb.counters, v);
}

/** The condition of qi_gen_exec_cond: `counter <cond> value`, unsigned 64-bit (QEMU's enum qemu_plugin_cond). */
export type QICond = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';

const CONDS: Record<QICond, CounterCond> = { EQ: 'eq', NE: 'ne', LT: 'lt', LE: 'le', GT: 'gt', GE: 'ge' };

/**
 * Translation time: the execution-level events that `gen` generates (its `qi_event_*_gen_exec`
 * calls) run only when the executing vCPU's `counter` of `scoreboard` compares true against
 * `value` at that point (QEMU's qemu_plugin_register_vcpu_insn_exec_cond_cb / _tb_exec_cond_cb).
 * The comparison is in the generated code (the JavaScript tier) or before the callback is
 * called (interpreter, WebAssembly imports): no callback runs while it is false.
 */
export function qi_gen_exec_cond(tcg_cpu: QITCGv_cpu, scoreboard: QIScoreboard, counter: number, cond: QICond, value: number | bigint, gen: () => void): void {
  const name = 'qi_gen_exec_cond';
  const { t, sb, value: v } = inlineTarget(name, scoreboard, counter, value);
  void tcg_cpu;
  const c = CONDS[cond];
  if (c === undefined) throw new InstrError(`${name}: condition '${String(cond)}' is none of EQ, NE, LT, LE, GT, GE`);
  if (typeof gen !== 'function') throw new InstrError(`${name}: the last argument must be a function that generates the events`);
  const outer = t.cond;
  if (outer !== undefined) throw new InstrError(`${name}: conditions do not nest`);
  t.cond = { board: sb.id, slot: sb.base + counter, counters: sb.counters, cond: c, value: v };
  try {
    gen();
  } finally {
    t.cond = undefined;
  }
}

/** Checks shared by the inline operations: inside a translation callback, a scoreboard of ours, a counter it has, a value the IR carries. */
function inlineTarget(name: string, scoreboard: QIScoreboard, counter: number, n: number | bigint): { t: TranslationContext; sb: { id: number; base: number; counters: number }; value: number } {
  const rt = runtime(name);
  rt.caller(name);
  const t = rt.requireTranslation(name);
  const sb = boards.get(scoreboard);
  if (!sb) throw new InstrError(`${name}: not a scoreboard made by qi_scoreboard_new`);
  if (!(Number.isInteger(counter) && counter >= 0 && counter < sb.counters)) throw new InstrError(`${name}: counter ${counter} out of range`);
  const big = typeof n === 'bigint' ? BigInt.asIntN(64, n) : Number.isInteger(n) ? BigInt(n) : undefined;
  // the IR travels between threads as JSON numbers: integers up to 2^53 in magnitude (negative: two's complement)
  if (big === undefined || big > 2n ** 53n || big < -(2n ** 53n)) throw new InstrError(`${name}: value ${String(n)} is not an integer within ±2^53`);
  return { t, sb, value: Number(big) };
}

// ---- block and instruction handles (translation time) -------------------------------------------

function translationNow(fn: string): CurrentTranslation {
  const rt = runtime(fn);
  rt.caller(fn);
  rt.requireTranslation(fn);
  const t = currentTranslation();
  if (!t) throw new InstrError(`${fn}: no block is being translated in this thread`);
  return t;
}

/**
 * The block being translated (QEMU's `struct qemu_plugin_tb`), in any translation-level callback
 * (guest_bbl_before_trans, guest_inst_before_trans, guest_mem_*_trans). Made on the first call
 * in a translation; costs nothing when not asked for.
 */
export function qi_tb_current(): QITB {
  return translationNow('qi_tb_current').block();
}

/** The instruction being translated: the one the current translation-level event is about. */
export function qi_insn_current(): QIInsn {
  const name = 'qi_insn_current';
  const t = translationNow(name);
  const pc = BigInt.asUintN(64, BigInt(t.pc));
  const insn = t.block().insns.find((i) => i.vaddr === pc);
  if (!insn) throw new InstrError(`${name}: no instruction at 0x${pc.toString(16)} in this block`);
  return insn;
}

function tbOf(fn: string, tb: QITB): QITB {
  if (tb === null || typeof tb !== 'object' || !Array.isArray(tb.insns)) throw new InstrError(`${fn}: not a block handle`);
  return tb;
}

function insnOf(fn: string, insn: QIInsn): QIInsn {
  if (insn === null || typeof insn !== 'object' || typeof insn.vaddr !== 'bigint') throw new InstrError(`${fn}: not an instruction handle`);
  return insn;
}

/**
 * At execution time (or any time): the instruction at `vaddr` as vCPU `cpu` sees it now, read
 * through its MMU and disassembled (vaddr, size, data, paddr, disas; no symbol, no haddr), or
 * undefined when it is not mapped. For the `udata` a QEMU plugin would pass from translation to
 * execution: the execution-level instance runs in another thread than the translation-level one.
 */
export function qi_vcpu_insn(cpu: QICPU | number, vaddr: bigint): QIInsn | undefined {
  const name = 'qi_vcpu_insn';
  const rt = runtime(name);
  return insnAt(rt.hooks.memory, cpuIndex(name, cpu), vaddr);
}

/** QEMU's qemu_plugin_tb_n_insns. */
export function qi_tb_n_insns(tb: QITB): number { return tbOf('qi_tb_n_insns', tb).n_insns; }
/** QEMU's qemu_plugin_tb_vaddr. */
export function qi_tb_vaddr(tb: QITB): bigint { return tbOf('qi_tb_vaddr', tb).vaddr; }
/** The block's size in bytes. */
export function qi_tb_size(tb: QITB): number { return tbOf('qi_tb_size', tb).size; }
/** QEMU's qemu_plugin_tb_get_insn. */
export function qi_tb_get_insn(tb: QITB, index: number): QIInsn {
  const name = 'qi_tb_get_insn';
  const insn = tbOf(name, tb).insns[index];
  if (!Number.isInteger(index) || insn === undefined) throw new InstrError(`${name}: no instruction ${String(index)} (the block has ${tb.n_insns})`);
  return insn;
}
/** QEMU's qemu_plugin_insn_vaddr. */
export function qi_insn_vaddr(insn: QIInsn): bigint { return insnOf('qi_insn_vaddr', insn).vaddr; }
/** QEMU's qemu_plugin_insn_size. */
export function qi_insn_size(insn: QIInsn): number { return insnOf('qi_insn_size', insn).size; }
/** QEMU's qemu_plugin_insn_data (a copy). */
export function qi_insn_data(insn: QIInsn): Uint8Array { return insnOf('qi_insn_data', insn).data.slice(); }
/** QEMU's qemu_plugin_insn_haddr: byte offset in guest RAM's buffer, undefined outside RAM. */
export function qi_insn_haddr(insn: QIInsn): number | undefined { return insnOf('qi_insn_haddr', insn).haddr; }
/** The instruction's guest physical address. */
export function qi_insn_paddr(insn: QIInsn): bigint { return insnOf('qi_insn_paddr', insn).paddr; }
/** QEMU's qemu_plugin_insn_disas, in `-d in_asm`'s syntax. */
export function qi_insn_disas(insn: QIInsn): string { return insnOf('qi_insn_disas', insn).disas; }
/** QEMU's qemu_plugin_insn_symbol: the function symbol from the guest ELF, when known. */
export function qi_insn_symbol(insn: QIInsn): string | undefined { return insnOf('qi_insn_symbol', insn).symbol; }

// ---- registers, memory values, system calls (execution time) --------------------------------------

/** The vCPU's state, only from an execution-level or vCPU callback in the thread that runs it. */
function liveState(fn: string, cpu: QICPU | number): VcpuStateViews {
  const rt = runtime(fn);
  rt.caller(fn);
  const index = cpuIndex(fn, cpu);
  const ev = rt.currentEventInfo;
  if (rt.role === 'main' || ev === undefined || ev.level === 'trans' || !ev.vcpu) {
    throw new InstrError(`${fn}: only valid in an execution-level or vCPU event's callback`);
  }
  const state = rt.hooks.memory.state?.(index);
  if (!state) throw new InstrError(`${fn}: vCPU ${index}'s registers are not readable here`);
  return state;
}

/**
 * Read a register of `cpu` (QEMU 9's qemu_plugin_read_register) in an execution-level or vCPU
 * callback of that vCPU: `x0`-`x31` and the ABI names (`zero`, `ra`, `sp`, ..., `fp`), `f0`-`f31`
 * and `ft0`... (the raw 64 bits, NaN-boxed singles as they are), `fflags`, `frm`, `fcsr`, the
 * CSRs kept in state (`mstatus`, `mepc`, `mcause`, `mscratch`, `satp`, `stvec`, ..., see
 * `qi_vcpu_register_names()`), `priv` (0 U, 1 S, 3 M) and `pc`. Registers are current at the
 * event; `pc` and `instret` are as of the start of the translation block running (the
 * instruction's own address is guest_inst_before_exec's `vaddr`). Read only, as QEMU 9's API.
 */
export function qi_vcpu_read_register(cpu: QICPU | number, name: string): bigint {
  const fn = 'qi_vcpu_read_register';
  const state = liveState(fn, cpu);
  const v = readRegister(state, name);
  if (v === undefined) throw new InstrError(`${fn}: no register '${String(name)}' (qi_vcpu_register_names() lists them)`);
  return v;
}

/** Every name qi_vcpu_read_register accepts (QEMU's qemu_plugin_get_registers). */
export function qi_vcpu_register_names(): readonly string[] {
  return REGISTER_NAMES;
}

/**
 * Where the access of a guest_mem_after_exec (or guest_mem_before_exec) callback went: its
 * physical address, through the vCPU's MMU now, and whether that is RAM or a device (QEMU's
 * qemu_plugin_get_hwaddr / qemu_plugin_hwaddr_phys_addr / qemu_plugin_hwaddr_is_io). Computed
 * only when asked.
 */
export function qi_vcpu_mem_info(cpu: QICPU | number, vaddr: bigint): QIMemInfo {
  const fn = 'qi_vcpu_mem_info';
  const rt = runtime(fn);
  const index = cpuIndex(fn, cpu);
  const paddr = rt.hooks.memory.virtToPhys(index, BigInt.asUintN(64, vaddr));
  return { paddr, ram: paddr !== undefined && (rt.hooks.memory.isRam?.(paddr) ?? false) };
}

/**
 * In user mode, from a guest_user_syscall callback: do not run this system call; it returns
 * `ret` (a0 = ret, as QEMU 9.2's syscall filter callback that returns true with `sysret`).
 * guest_user_syscall_ret follows with `ret`; `-strace` does not show the skipped call.
 */
export function qi_vcpu_syscall_skip(cpu: QICPU | number, ret: bigint | number): void {
  const fn = 'qi_vcpu_syscall_skip';
  const rt = runtime(fn);
  rt.caller(fn);
  void cpuIndex(fn, cpu);
  if (rt.currentEventName !== 'guest_user_syscall') throw new InstrError(`${fn}: only valid in a guest_user_syscall callback`);
  if (typeof ret !== 'bigint' && !Number.isInteger(ret)) throw new InstrError(`${fn}: the return value must be an integer`);
  rt.syscallSkip = BigInt.asIntN(64, BigInt(ret));
}

/**
 * End the emulation with process exit status `status` (0-255), as QEMU's stoptrigger does with
 * exit(): the calling vCPU stops at its next block boundary, the machine shuts down as when the guest powers
 * off (every vCPU stops, guest_cpu_exit, every library's qi_fini and qi_merge run), then the
 * process exits with `status`. Valid anywhere a library runs (qi_init excepted); in user mode the
 * program ends with `status`. Returns: the shutdown happens once the callback has returned.
 */
export function qi_exit(status: number): void {
  const fn = 'qi_exit';
  const rt = runtime(fn);
  rt.caller(fn);
  if (!Number.isInteger(status) || status < 0 || status > 255) throw new InstrError(`${fn}: the status must be an integer from 0 to 255`);
  if (rt.currentEventName === 'qi_init') throw new InstrError(`${fn}: not in qi_init (fail the load instead: return non-zero)`);
  rt.hooks.control({ kind: 'exit', status });
}

/**
 * Pause the machine, as the monitor's `stop` (QEMU's vm_stop): every vCPU stops at a block boundary
 * (the calling one at the end of its block), the monitor says `STOP` (QMP event) and `cont`
 * resumes it. `reason` is shown in one line on stderr (`tsemu-system-riscv64: instrumentation: vm stopped: REASON`).
 * System mode only.
 */
export function qi_vm_stop(reason = ''): void {
  const fn = 'qi_vm_stop';
  const rt = runtime(fn);
  rt.caller(fn);
  if (typeof reason !== 'string') throw new InstrError(`${fn}: the reason must be a string`);
  if (rt.currentEventName === 'qi_init') throw new InstrError(`${fn}: not in qi_init`);
  rt.hooks.control({ kind: 'stop', reason });
}

/** guest_vcpu_discon's `type` values (QEMU's enum qemu_plugin_discon_type; TRAP_RETURN is tsemu's: mret/sret). */
export const QI_DISCON = Object.freeze({ INTERRUPT: 1, EXCEPTION: 2, HOSTCALL: 4, TRAP_RETURN: 8 } as const);
