/**
 * tsemu/qemu-instr/control — the document's "qemu-instr/control.h": set
 * instrumentation callbacks, control trace-event state, and (from the later
 * revision) look events up, access guest memory, and share per-vCPU
 * counters across instances.
 *
 * Every function refuses misuse with an Error whose message starts with the
 * function's name.
 */
import { InstrError, InstrEventInfo, runtime } from '../runtime.js';
import type { QICPU, QIEvent, QIScoreboard, QITCGv_cpu } from './types.js';

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
export function qi_gen_scoreboard_add(tcg_cpu: QITCGv_cpu, scoreboard: QIScoreboard, counter: number, n: number): void {
  const name = 'qi_gen_scoreboard_add';
  const rt = runtime(name);
  rt.caller(name);
  const t = rt.requireTranslation(name);
  const sb = boards.get(scoreboard);
  if (!sb) throw new InstrError(`${name}: not a scoreboard made by qi_scoreboard_new`);
  if (!(counter >= 0 && counter < sb.counters)) throw new InstrError(`${name}: counter ${counter} out of range`);
  void tcg_cpu;
  // row `hartId` of a scoreboard at `base`: base + hartId * counters + counter
  t.builder.scoreboardAdd(sb.id, sb.base + counter, sb.counters, n);
}
