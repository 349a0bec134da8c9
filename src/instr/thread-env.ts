/**
 * Instrumentation in a worker thread (translator service or vCPU worker):
 * the thread's runtime wired to tracing, guest memory and the main thread,
 * plus the handling of load/unload/relay messages from the main thread.
 */
import { errorText } from './errors.js';
import { InstrBroadcast, InstrControl, InstrEventInfo, InstrMemory, InstrRuntime, ThreadRole, TraceAccess } from './runtime.js';
import { importLibrary, LibraryLoadMessage, makeConsoleSynchronous, OutputLine, startInstance, stopInstance } from './thread-host.js';
import type { ThreadTracing } from '../trace/thread-tracing.js';
import { EVENTS } from '../trace/generated/events.js';
import type { EventInfo } from '../trace/event-info.js';
import { lateBoard, type LateBoards } from './late-scoreboards.js';

/** Worker -> main. */
export type InstrReport =
  | { type: 'instr-failed'; lib: string; event: string; message: string }
  | { type: 'instr-broadcast'; msg: InstrBroadcast }
  | { type: 'instr-log'; message: string }
  | { type: 'instr-control'; req: InstrControl }
  | InstanceOutput;

/**
 * What a non-primary instance printed in qi_init or qi_fini, and at qi_fini what it returned
 * (structured-cloned) and which events' trace state it changed: the main thread shows the lines
 * (prefixed with the instance), hands the values to the primary's qi_merge and restores the states.
 */
export interface InstanceOutput {
  type: 'instr-output';
  lib: string;
  phase: 'qi_init' | 'qi_fini';
  role: ThreadRole;
  /** The vCPUs this instance serves (vCPU workers). */
  vcpus: number[];
  lines: OutputLine[];
  result?: { value: unknown };
  touched?: number[];
  /** The value could not be copied to the main thread. */
  cloneError?: string;
}

/** Main -> worker (a vCPU worker also gets them as commands). */
export type InstrCommand =
  | { kind: 'load'; msg: LibraryLoadMessage }
  | { kind: 'unload'; id: string }
  | { kind: 'broadcast'; msg: InstrBroadcast }
  | { kind: 'cpu-event'; id: string; event: 'enter' | 'exit' };

/** The instrumentation view of the generated event table. */
export function instrEvents(events: readonly EventInfo[] = EVENTS): InstrEventInfo[] {
  return events.map((e) => ({
    id: e.id,
    name: e.name,
    vcpu: e.vcpu,
    level: e.level,
    peer: e.peer,
    instrument: e.instrument,
    staticEnabled: e.staticEnabled,
    // a translation-level callback receives every argument, run-time values as handles
    args: (e.level === 'trans' && e.peer !== undefined ? events[e.peer].args : e.args).map((a) => ({ name: a.name, tcg: a.isTcgValue })),
  }));
}

/** Trace state and backend as the runtime sees them. `changed` runs after every state change. */
export function traceAccess(t: ThreadTracing, changed: (id: number) => void): TraceAccess {
  const { state, backend } = t;
  return {
    enabled: (id, cpu) => state.isEnabled(id, cpu),
    anyEnabled: (id) => state.dstate[id] !== 0,
    emit: (id, cpu, args) => backend.emit(id, cpu, args as (number | bigint | string)[]),
    setDynamic: (id, on, cpu) => {
      const before = state.dstate[id];
      if (cpu === undefined) state.setDynamic(id, on);
      else state.setVcpuDynamic(id, cpu, on);
      if (state.dstate[id] !== before) changed(id); // no flush when nothing changed
    },
    staticEnabled: (id) => state.staticState(id),
    dynamicEnabled: (id) => state.dynamicState(id),
    snapshot: () => Int32Array.from(state.events, (e) => state.mask(e.id)),
    restore: (id, mask) => {
      if (state.mask(id) === mask) return;
      state.restoreMask(id, mask);
      changed(id);
    },
  };
}

export interface InstrThreadOptions {
  role: ThreadRole;
  tracing: ThreadTracing;
  memory: InstrMemory;
  maxVcpus: number;
  report(msg: InstrReport): void;
  /** Trace state changed (here or in another thread's instance): translations may be stale. */
  stateChanged(id: number): void;
  /** Where this thread says which callback it is in (src/instr/activity.ts). */
  activity?: SharedArrayBuffer;
  /** A library asked the machine to exit or stop (qi_exit, qi_vm_stop): stop running guest code here (vCPU workers). */
  stopHere?(): void;
}

export class InstrThread {
  readonly rt: InstrRuntime;
  /** Scoreboards by global id; the vCPU's generated code indexes this array (`sb`). */
  readonly boards: BigInt64Array[] = [];
  private loading: LibraryLoadMessage | undefined;
  /** Each loaded library's arena for scoreboards created after qi_init. */
  private readonly lates = new Map<string, LateBoards>();

  constructor(private readonly opts: InstrThreadOptions) {
    if (opts.role !== 'main') makeConsoleSynchronous();
    this.rt = new InstrRuntime(opts.role, instrEvents(opts.tracing.state.events), {
      trace: traceAccess(opts.tracing, (id) => {
        opts.stateChanged(id);
        opts.report({ type: 'instr-broadcast', msg: { kind: 'state-changed', event: id } });
      }),
      memory: opts.memory,
      broadcast: (msg) => opts.report({ type: 'instr-broadcast', msg }),
      failed: (lib, event, error) => opts.report({
        type: 'instr-failed', lib, event, message: errorText(error),
      }),
      control: (req) => {
        opts.report({ type: 'instr-control', req });
        opts.stopHere?.();
      },
      scoreboard: (lib, index, counters) => {
        const late = this.lates.get(lib);
        if (this.loading?.id !== lib && late) return { id: late.boardId, data: this.boards[late.boardId], base: lateBoard(late, index, counters, opts.maxVcpus) };
        const spec = this.loading?.id === lib ? this.loading.scoreboards[index] : undefined;
        if (!spec || spec.counters !== counters) {
          throw new Error(`qi_scoreboard_new: scoreboard #${index} differs from the one the main instance created (create scoreboards in qi_init, in the same order)`);
        }
        return { id: spec.id, data: this.boards[spec.id], base: 0 };
      },
    }, opts.maxVcpus);
    if (opts.activity) this.rt.activity = new Int32Array(opts.activity);
  }

  /** Handle one command; `cpus` are the vCPUs this worker runs (for cpu-event). */
  async handle(cmd: InstrCommand, cpus: readonly number[]): Promise<void> {
    switch (cmd.kind) {
      case 'load': await this.load(cmd.msg, cpus); return;
      case 'unload': this.unload(cmd.id, cpus); return;
      case 'broadcast':
        if (cmd.msg.kind === 'set-callback') this.rt.applyBroadcast(cmd.msg);
        else this.opts.stateChanged(cmd.msg.event);
        return;
      case 'cpu-event': {
        const lib = this.rt.library(cmd.id);
        if (!lib) return;
        const id = cmd.event === 'enter' ? EVENT_CPU_ENTER : EVENT_CPU_EXIT;
        for (const cpu of cpus) this.rt.raiseFor(lib, id, cpu, []);
        return;
      }
    }
  }

  /** Load a library in this thread (`cpus`: the vCPUs this worker runs, for the output prefix). */
  async load(msg: LibraryLoadMessage, cpus: readonly number[]): Promise<void> {
    for (const b of msg.scoreboards) this.boards[b.id] = new BigInt64Array(b.buffer, b.byteOffset, b.length);
    this.boards[msg.late.boardId] = new BigInt64Array(msg.late.buffer); // tracks the arena's growth
    this.lates.set(msg.id, msg.late);
    const module = await importLibrary(msg.file, msg.file);
    this.loading = msg;
    const lines: OutputLine[] = [];
    try {
      startInstance(this.rt, msg.id, module, msg.args, msg.file, false, lines);
    } finally {
      this.loading = undefined;
      if (lines.length > 0) this.opts.report(this.output(msg.id, 'qi_init', cpus, lines));
    }
  }

  /** qi_fini of this thread's instance; its lines, result and touched events go to the main thread. */
  private unload(id: string, cpus: readonly number[]): void {
    const lib = this.rt.library(id);
    if (!lib) return;
    const touched = [...lib.touchedEvents];
    this.lates.delete(id);
    const lines: OutputLine[] = [];
    const result = stopInstance(this.rt, id, { primary: false, sink: lines, report: (m) => this.opts.report({ type: 'instr-log', message: m }) });
    const out: InstanceOutput = { ...this.output(id, 'qi_fini', cpus, lines), result, touched };
    try {
      this.opts.report(out);
    } catch (e) {
      // not structured-cloneable (a function, a class instance with private state...)
      this.opts.report({ ...out, result: undefined, cloneError: errorText(e) });
    }
  }

  private output(lib: string, phase: 'qi_init' | 'qi_fini', cpus: readonly number[], lines: OutputLine[]): InstanceOutput {
    return { type: 'instr-output', lib, phase, role: this.opts.role, vcpus: [...cpus], lines };
  }
}

export const EVENT_CPU_ENTER = EVENTS.findIndex((e) => e.name === 'guest_cpu_enter');
export const EVENT_CPU_EXIT = EVENTS.findIndex((e) => e.name === 'guest_cpu_exit');
export const EVENT_CPU_RESET = EVENTS.findIndex((e) => e.name === 'guest_cpu_reset');

