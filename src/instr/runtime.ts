/**
 * The per-thread instrumentation runtime: the instances of every loaded
 * library that live in this thread (main thread, translator service, or a
 * vCPU worker), their callback tables, and event dispatch.
 *
 * Semantics (documented in src/instr/README.md):
 * - An event raised in a thread goes to the callbacks that libraries set for
 *   it in that thread's instances, in load order; if none is set, the default
 *   action runs (the event is traced when enabled).
 * - A control call (`qi_ctrl_event_set`, state setters) takes effect at once
 *   in the instance that makes it, and in every other instance of the same
 *   library before that instance handles its next event from a new
 *   translation block (it is relayed through the main thread).
 * - A callback that throws unloads its library (the main thread reports it).
 */
import type { TcgBuilder } from '../tcg/builder.js';
import type { EventArg, EventCond, Temp } from '../tcg/ir.js';
import type { QICPU, QITCGv, QITCGv_cpu } from './api/types.js';
import type { VcpuStateViews } from '../abi/state-layout.js';

export type ThreadRole = 'main' | 'translator' | 'vcpu';

/** What the runtime needs to know about an event (from the generated trace metadata). */
export interface InstrEventInfo {
  id: number;
  name: string;
  vcpu: boolean;
  level: 'trans' | 'exec' | undefined;
  /** For a tcg event: the other level's id. */
  peer: number | undefined;
  instrument: boolean;
  staticEnabled: boolean;
  /** Arguments after the implicit vCPU. `tcg` marks values only known at run time. */
  args: { name: string; tcg: boolean }[];
}

/** Trace state and backend, as seen by this thread. */
export interface TraceAccess {
  enabled(id: number, cpu: number): boolean;
  /** Enabled for at least one vCPU (decides whether execution-level code is generated). */
  anyEnabled(id: number): boolean;
  emit(id: number, cpu: number, args: readonly (number | bigint | string | boolean)[]): void;
  setDynamic(id: number, on: boolean, cpu: number | undefined): void;
  staticEnabled(id: number): boolean;
  dynamicEnabled(id: number): boolean;
  /** Every event's state mask, to restore the ones a library changed when it goes. */
  snapshot(): Int32Array;
  restore(id: number, mask: number): void;
}

/** A library's request to the machine (qi_exit, qi_vm_stop), carried to the main thread. */
export type InstrControl =
  | { kind: 'exit'; status: number }
  | { kind: 'stop'; reason: string };

/** Messages an instance sends to the other instances of its library (through the main thread). */
export type InstrBroadcast =
  | { kind: 'set-callback'; lib: string; event: number; fn: string | null }
  | { kind: 'state-changed'; event: number };

export interface LibraryInstance {
  readonly id: string;
  readonly module: Readonly<Record<string, unknown>>;
  readonly callbacks: Map<number, (...args: unknown[]) => unknown>;
  /** Functions this instance ever registered, by name: how relayed control calls find their callback. */
  readonly functionsByName: Map<string, (...args: unknown[]) => unknown>;
  /** Scoreboards created so far in this instance (matched by creation order across instances). */
  readonly scoreboards: BigInt64Array[];
  /** Global scoreboard ids of this library's scoreboards, in creation order. */
  readonly scoreboardIds: number[];
  /** Events whose trace state this instance changed (restored when the library is unloaded). */
  readonly touchedEvents: Set<number>;
  failed: boolean;
}

/** A translation in progress: what gen_exec helpers emit into. */
export interface TranslationContext {
  builder: TcgBuilder;
  cpu: number;
  /** Inside qi_gen_exec_cond: the condition every execution-level event generated now gets. */
  cond?: EventCond;
}

class TcgValue implements QITCGv {
  declare readonly __brand: 'QITCGv';
  constructor(readonly temp: Temp) {}
}

class TcgCpu implements QITCGv_cpu {
  declare readonly __brand: 'QITCGv_cpu';
}
const TCG_CPU = new TcgCpu();

/** Guest memory as the API's memory functions see it (every thread can reach RAM and the harts' MMU state). */
export interface InstrMemory {
  virtToPhys(cpu: number, vaddr: bigint): bigint | undefined;
  readPhys(paddr: bigint, size: number): Uint8Array | undefined;
  writePhys(paddr: bigint, bytes: Uint8Array): boolean;
  vcpuExists(cpu: number): boolean;
  /** A vCPU's state area (registers), where this thread can read it. */
  state?(cpu: number): VcpuStateViews | undefined;
  /** Is this physical address guest RAM (else a device, ROM, or nothing)? */
  isRam?(paddr: bigint): boolean;
}

export interface RuntimeHooks {
  memory: InstrMemory;
  trace: TraceAccess;
  /** Send a control change to every other instance. */
  broadcast(msg: InstrBroadcast): void;
  /** A callback threw: the library must be unloaded. */
  failed(lib: string, event: string, error: unknown): void;
  /**
   * qi_exit / qi_vm_stop: the machine shuts down or pauses (on the main thread); a vCPU worker also
   * stops running guest code at its next block boundary.
   */
  control(req: InstrControl): void;
  /**
   * Shared scoreboard memory of library `lib`: its n-th scoreboard (allocated by the main thread
   * for qi_init's, in the library's arena for later ones), from word `base` of `data` on.
   */
  scoreboard(lib: string, index: number, counters: number): { id: number; data: BigInt64Array; base: number };
}

export class InstrError extends Error {
  override readonly name = 'InstrError';
}

export class InstrRuntime {
  readonly libraries: LibraryInstance[] = [];
  private current: LibraryInstance | undefined;
  private currentEvent = '';
  translation: TranslationContext | undefined;
  /** Shared words saying which callback runs now (src/instr/activity.ts); a worker thread sets them. */
  activity: Int32Array | undefined;
  private readonly cpus = new Map<number, QICPU>();
  /** Event ids some library of this thread handles, for the zero-cost checks. */
  private readonly handled = new Set<number>();

  constructor(
    readonly role: ThreadRole,
    readonly events: readonly InstrEventInfo[],
    readonly hooks: RuntimeHooks,
    readonly maxVcpus: number,
  ) {
    setThreadRuntime(this); // one runtime per thread: the API functions find it here
  }

  cpu(index: number): QICPU {
    let c = this.cpus.get(index);
    if (!c) {
      c = Object.freeze({ index });
      this.cpus.set(index, c);
    }
    return c;
  }

  /** The library whose code is running now; API calls outside any are refused. */
  caller(fn: string): LibraryInstance {
    if (!this.current) throw new InstrError(`${fn}: called outside instrumentation (no library is running)`);
    return this.current;
  }

  event(id: number, fn: string): InstrEventInfo {
    const ev = this.events[id];
    if (!ev) throw new InstrError(`${fn}: no event with id ${id}`);
    return ev;
  }

  /** True when some library in this thread set a callback for `id`. */
  isHandled(id: number): boolean {
    return this.handled.has(id);
  }

  /** Per event id: the (library, callback) pairs to call, in load order (the execution-level fast path). */
  private handlers: { lib: LibraryInstance; cb: (...args: unknown[]) => unknown; slot: number }[][] = [];

  private recomputeHandled(): void {
    this.handled.clear();
    this.handlers = this.events.map(() => []);
    // a failed library's callbacks stay registered (but are skipped) until it is unloaded,
    // so its events do not fall back to default tracing in the meantime
    for (const lib of this.libraries) {
      for (const [id, cb] of lib.callbacks) {
        this.handled.add(id);
        // slot: the library's activity-word value (its index in load order + 1)
        this.handlers[id]?.push({ lib, cb, slot: this.libraries.indexOf(lib) + 1 });
      }
    }
  }

  /**
   * The function translated code calls to raise execution-level event `id`
   * on vCPU `cpu` (the `ev[id]` of generated code): one bit test when the
   * event is disabled for this vCPU, then the callbacks, or the trace backend.
   * Events of up to four arguments (all of QEMU's) get a dispatcher of fixed
   * arity that calls a lone callback directly: no rest array, no spread, so a
   * block that raises an event on every instruction does not allocate, and V8
   * can inline the library's callback into the block.
   */
  execDispatcher(id: number, cpu: number, dstate: Int32Array): (...args: unknown[]) => void {
    const ev = this.events[id];
    const mask = 1 << cpu;
    const cpuObj = this.cpu(cpu);
    const n = ev.args.length;
    // after the event's own arguments, code a library generated carries that library's id (genExec)
    if (n > 4) {
      return (...args: unknown[]): void => {
        if ((dstate[id] & mask) !== 0) this.dispatchAll(ev, cpu, cpuObj, args.slice(0, n), args[n]);
      };
    }
    return (a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown, a4?: unknown): void => {
      if ((dstate[id] & mask) === 0) return;
      const list = this.handlers[id];
      const target = n === 0 ? a0 : n === 1 ? a1 : n === 2 ? a2 : n === 3 ? a3 : a4;
      if (list === undefined || list.length !== 1 || (target !== undefined && list[0].lib.id !== target)) {
        this.dispatchAll(ev, cpu, cpuObj, [a0, a1, a2, a3].slice(0, n), target);
        return;
      }
      const h = list[0];
      if (h.lib.failed) return;
      const prevLib = this.current;
      const prevEvent = this.currentEvent;
      const a = this.activity;
      this.current = h.lib;
      this.currentEvent = ev.name;
      if (a !== undefined) { a[1] = h.slot; a[2] = id; a[3] = cpu; }
      try {
        if (n === 0) h.cb(cpuObj);
        else if (n === 1) h.cb(cpuObj, a0);
        else if (n === 2) h.cb(cpuObj, a0, a1);
        else if (n === 3) h.cb(cpuObj, a0, a1, a2);
        else h.cb(cpuObj, a0, a1, a2, a3);
      } catch (e) {
        this.failLibrary(h.lib, ev.name, e);
      } finally {
        this.current = prevLib;
        this.currentEvent = prevEvent;
        if (a !== undefined) { a[1] = 0; a[0] = (a[0] ?? 0) + 1; }
      }
    };
  }

  /**
   * An execution-level event to its callbacks, or else to the trace backend: generated by library
   * `target` (its id), to that library's callback only (so two libraries that each generate and
   * handle the event each see it once, as QEMU's per-plugin callbacks); generated by the default
   * (`target` undefined), to every callback set for it, in load order.
   */
  private dispatchAll(ev: InstrEventInfo, cpu: number, cpuObj: QICPU, args: unknown[], target?: unknown): void {
    const all = this.handlers[ev.id];
    const list = target === undefined || all === undefined ? all : all.filter((h) => h.lib.id === target);
    if (list === undefined || list.length === 0) {
      this.hooks.trace.emit(ev.id, cpu, args as (number | bigint | string)[]);
      return;
    }
    const prevLib = this.current;
    const prevEvent = this.currentEvent;
    const a = this.activity;
    for (let i = 0; i < list.length; i++) {
      const h = list[i];
      if (h.lib.failed) continue;
      this.current = h.lib;
      this.currentEvent = ev.name;
      if (a !== undefined) { a[1] = h.slot; a[2] = ev.id; a[3] = cpu; }
      try {
        h.cb(cpuObj, ...args);
      } catch (e) {
        this.failLibrary(h.lib, ev.name, e);
      } finally {
        this.current = prevLib;
        this.currentEvent = prevEvent;
        if (a !== undefined) { a[1] = 0; a[0] = (a[0] ?? 0) + 1; }
      }
    }
  }

  // ---- running library code ---------------------------------------------------

  /** Run `fn` as library `lib` (API calls inside know who calls); errors propagate. */
  runAs<T>(lib: LibraryInstance, eventName: string, fn: () => T): T {
    const prevLib = this.current;
    const prevEvent = this.currentEvent;
    this.current = lib;
    this.currentEvent = eventName;
    try {
      return fn();
    } finally {
      this.current = prevLib;
      this.currentEvent = prevEvent;
    }
  }

  /** Call a library callback; a throw marks the library failed and reports it. */
  private invoke(lib: LibraryInstance, ev: InstrEventInfo, cb: (...args: unknown[]) => unknown, args: unknown[], cpu = -1): void {
    const a = this.activity;
    if (a !== undefined) { a[1] = this.libraries.indexOf(lib) + 1; a[2] = ev.id; a[3] = cpu; }
    try {
      this.runAs(lib, ev.name, () => cb(...args));
    } catch (e) {
      this.failLibrary(lib, ev.name, e);
    } finally {
      if (a !== undefined) { a[1] = 0; a[0] = (a[0] ?? 0) + 1; }
    }
  }

  failLibrary(lib: LibraryInstance, eventName: string, error: unknown): void {
    if (lib.failed) return;
    lib.failed = true;
    this.recomputeHandled();
    this.hooks.failed(lib.id, eventName, error);
  }

  // ---- library registry ---------------------------------------------------------

  addLibrary(id: string, module: Readonly<Record<string, unknown>>): LibraryInstance {
    const lib: LibraryInstance = {
      id, module, callbacks: new Map(), functionsByName: new Map(), scoreboards: [], scoreboardIds: [], touchedEvents: new Set(), failed: false,
    };
    this.libraries.push(lib);
    return lib;
  }

  removeLibrary(id: string): void {
    const i = this.libraries.findIndex((l) => l.id === id);
    if (i >= 0) this.libraries.splice(i, 1);
    this.recomputeHandled();
  }

  library(id: string): LibraryInstance | undefined {
    return this.libraries.find((l) => l.id === id);
  }

  // ---- control ------------------------------------------------------------------

  /** qi_ctrl_event_set in this instance; relays to the others unless `relayed`. */
  setCallback(lib: LibraryInstance, ev: InstrEventInfo, fn: ((...args: unknown[]) => unknown) | null, relayed = false): void {
    if (fn === null) lib.callbacks.delete(ev.id);
    else {
      lib.callbacks.set(ev.id, fn);
      if (fn.name) lib.functionsByName.set(fn.name, fn);
    }
    this.recomputeHandled();
    // every instance runs qi_init itself: what it sets there needs no relay (and an anonymous
    // function could not be relayed by name)
    if (!relayed && this.currentEvent !== 'qi_init') this.hooks.broadcast({ kind: 'set-callback', lib: lib.id, event: ev.id, fn: fn === null ? null : fn.name });
  }

  /** Can `fn` be set outside qi_init? The other instances find it by name only. */
  relayable(fn: (...args: unknown[]) => unknown): boolean {
    return this.currentEvent === 'qi_init' || fn.name !== '';
  }

  /** Apply a control change made by another instance of the same library. */
  applyBroadcast(msg: InstrBroadcast): void {
    if (msg.kind !== 'set-callback') return;
    const lib = this.library(msg.lib);
    const ev = this.events[msg.event];
    if (!lib || !ev) return;
    if (msg.fn === null) {
      this.setCallback(lib, ev, null, true);
      return;
    }
    const fn = lib.functionsByName.get(msg.fn) ?? exportedFunction(lib.module, msg.fn);
    if (!fn) {
      this.failLibrary(lib, ev.name, new InstrError(
        `qi_ctrl_event_set: callback '${msg.fn}' for ${ev.name} is not known to every instance (export it, or set it in qi_init)`));
      return;
    }
    this.setCallback(lib, ev, fn, true);
  }

  // ---- raising events in this thread -------------------------------------------------

  /**
   * Raise a non-tcg or execution-level event in this thread. Like every
   * event, it is delivered only when enabled for `cpu` (static and dynamic
   * state); then to the callbacks libraries set, or else to the trace backend.
   */
  raise(id: number, cpu: number, args: unknown[]): void {
    if (!this.hooks.trace.enabled(id, cpu)) return;
    this.deliver(id, cpu, args);
  }

  /** Deliver an enabled event: callbacks, or the default (the trace backend). */
  deliver(id: number, cpu: number, args: unknown[]): void {
    const ev = this.events[id];
    if (!ev) return;
    if (this.handled.has(id)) {
      const cpuArg = ev.vcpu ? [this.cpu(cpu)] : [];
      for (const lib of this.libraries) {
        const cb = lib.callbacks.get(id);
        if (cb && !lib.failed) this.invoke(lib, ev, cb, [...cpuArg, ...args], cpu);
      }
      return;
    }
    this.hooks.trace.emit(id, cpu, args as (number | bigint | string)[]);
  }

  /**
   * The same for one library's callback only (guest_cpu_enter after that
   * library was loaded, guest_cpu_exit when it is unloaded): nothing is traced
   * by default, the vCPU did not come or go.
   */
  raiseFor(lib: LibraryInstance, id: number, cpu: number, args: unknown[]): void {
    const ev = this.events[id];
    if (!ev || lib.failed || !this.hooks.trace.enabled(id, cpu)) return;
    const cb = lib.callbacks.get(id);
    if (cb) this.invoke(lib, ev, cb, [...(ev.vcpu ? [this.cpu(cpu)] : []), ...args], cpu);
  }

  /**
   * Does translating an occurrence of tcg event `transId` need any work?
   * (Zero cost when unused: nothing is called and no code is generated.)
   */
  transWanted(transId: number, cpu: number): boolean {
    const ev = this.events[transId];
    if (!ev) return false;
    const trace = this.hooks.trace;
    if (trace.enabled(transId, cpu)) return true;
    return ev.peer !== undefined && trace.anyEnabled(ev.peer);
  }

  /**
   * Translation level of tcg event `transId`, raised by the translator for
   * vCPU `cpu`. `args` are the event's arguments in declaration order with
   * temps for run-time values. Returns nothing: callbacks (or the default)
   * emit execution-level code through the gen_exec helpers.
   */
  raiseTrans(transId: number, cpu: number, builder: TcgBuilder, args: ({ temp: Temp } | { value: number | bigint })[]): void {
    const ev = this.events[transId];
    if (!ev) return;
    const prev = this.translation;
    this.translation = { builder, cpu };
    try {
      if (this.handled.has(transId) && this.hooks.trace.enabled(transId, cpu)) {
        const cbArgs: unknown[] = [this.cpu(cpu), TCG_CPU, ...args.map((a) => ('temp' in a ? new TcgValue(a.temp) : a.value))];
        for (const lib of this.libraries) {
          const cb = lib.callbacks.get(transId);
          if (cb && !lib.failed) this.invoke(lib, ev, cb, cbArgs, cpu);
        }
      } else {
        this.defaultTrans(ev, cpu, args);
      }
    } finally {
      this.translation = prev;
    }
  }

  /**
   * The default of a translation-level event (no callback set, or the event
   * disabled for this vCPU): trace it if enabled, and generate the execution
   * level if that is enabled for some vCPU (each vCPU checks its own state
   * when the code runs).
   */
  private defaultTrans(ev: InstrEventInfo, cpu: number, args: ({ temp: Temp } | { value: number | bigint })[]): void {
    this.traceTrans(ev, cpu, args);
    if (ev.peer !== undefined && this.hooks.trace.anyEnabled(ev.peer)) this.genExec(ev, args);
  }

  /** `_trace` at translation level: the non-run-time arguments only. */
  traceTrans(ev: InstrEventInfo, cpu: number, args: ({ temp: Temp } | { value: number | bigint })[]): void {
    if (!this.hooks.trace.enabled(ev.id, cpu)) return;
    const values = args.flatMap((a) => ('temp' in a ? [] : [a.value]));
    this.hooks.trace.emit(ev.id, cpu, values);
  }

  /**
   * `_gen_exec`: emit code raising the execution level with the same arguments; from a library's
   * callback, followed by that library's id (the dispatcher delivers it to that library only).
   */
  genExec(ev: InstrEventInfo, args: ({ temp: Temp } | { value: number | bigint })[]): void {
    const t = this.translation;
    if (!t || ev.peer === undefined) return;
    const eventArgs: EventArg[] = args.map((a) => ('temp' in a ? { temp: a.temp } : { literal: a.value }));
    if (this.current !== undefined) eventArgs.push({ literal: this.current.id });
    t.builder.callEvent(ev.peer, eventArgs, t.cond);
  }

  /** Convert the public-API arguments of a trans-level helper back to IR arguments. */
  irArgs(fn: string, ev: InstrEventInfo, given: readonly unknown[]): ({ temp: Temp } | { value: number | bigint })[] {
    return ev.args.map((spec, i) => {
      const v = given[i];
      if (spec.tcg) {
        if (!(v instanceof TcgValue)) throw new InstrError(`${fn}: argument '${spec.name}' must be the QITCGv the callback received`);
        return { temp: v.temp };
      }
      if (typeof v === 'number' || typeof v === 'bigint') return { value: v };
      if (typeof v === 'boolean') return { value: v ? 1 : 0 };
      throw new InstrError(`${fn}: argument '${spec.name}' must be a number or bigint`);
    });
  }

  /** Inside a translation callback? (gen_exec helpers refuse to run elsewhere) */
  requireTranslation(fn: string): TranslationContext {
    if (this.role !== 'translator' || !this.translation) {
      throw new InstrError(`${fn}: only valid inside a translation-level callback`);
    }
    return this.translation;
  }

  get currentEventName(): string {
    return this.currentEvent;
  }

  /** The current event's level ('trans', 'exec', or undefined for a vCPU or other event, or outside events). */
  get currentEventInfo(): InstrEventInfo | undefined {
    return this.events.find((e) => e.name === this.currentEvent);
  }

  /** Set by qi_vcpu_syscall_skip during a guest_user_syscall callback: the value the call returns instead of running. */
  syscallSkip: bigint | undefined;

  /** The skip a library asked for in this system call's guest_user_syscall callbacks (cleared for the next). */
  takeSyscallSkip(): bigint | undefined {
    const v = this.syscallSkip;
    this.syscallSkip = undefined;
    return v;
  }
}

function exportedFunction(module: Readonly<Record<string, unknown>>, name: string): ((...args: unknown[]) => unknown) | undefined {
  const v = module[name];
  return typeof v === 'function' ? (v as (...args: unknown[]) => unknown) : undefined;
}

/** This thread's runtime (set once by the thread's start-up code). */
let threadRuntime: InstrRuntime | undefined;

export function setThreadRuntime(rt: InstrRuntime): void {
  threadRuntime = rt;
}

export function runtime(fn: string): InstrRuntime {
  if (!threadRuntime) throw new InstrError(`${fn}: called outside instrumentation (no instrumentation runtime in this thread)`);
  return threadRuntime;
}

export function optionalRuntime(): InstrRuntime | undefined {
  return threadRuntime;
}
