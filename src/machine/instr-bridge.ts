/**
 * Instrumentation libraries (-instr, HMP/QMP instr-load) across the machine's
 * threads. The InstrManager (src/instr/manager.ts) decides what loading and
 * unloading mean; this bridge is the InstrMachine it drives: it creates the
 * main thread's runtime (wired to tracing, guest memory and hart presence),
 * sends load/unload/cpu-event/broadcast commands to the translator service
 * and every vCPU worker and waits for all of them, and handles what the
 * workers report back (a failed callback unloads its library).
 */
import { MAX_VCPUS } from '../vcpu/translator-channel.js';
import type { ThreadTracing } from '../trace/thread-tracing.js';
import { bindThreadTracing } from '../trace/thread-tracing.js';
import { InstrManager, type LibraryCompiler, InstrMachine } from '../instr/manager.js';
import { InstrRuntime, type InstrControl } from '../instr/runtime.js';
import { instrEvents, InstrCommand, InstrReport, traceAccess } from '../instr/thread-env.js';
import { guestMemoryForInstr } from '../instr/memory-access.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import { LibraryError } from '../instr/thread-host.js';
import { errorText } from '../instr/errors.js';
import type { VirtBoard } from './board.js';
import type { VcpuThreads } from './vcpu-threads.js';
import type { OpMutex } from './op-mutex.js';

export interface InstrBridgeConfig {
  tracing: ThreadTracing;
  /** Compiles a library off the main thread (the thread layer's pool). */
  compile: LibraryCompiler;
  /** Is hart `cpu` present (guest memory accesses name a vCPU)? */
  isPresent(cpu: number): boolean;
  /** The machine-wide operation mutex: unloading a failed library queues behind loads and hot-plug. */
  mutex: OpMutex;
  /** A one-line message for the user. */
  report(message: string): void;
  /** A library's qi_exit / qi_vm_stop. */
  control(req: InstrControl): void;
}

export class InstrBridge implements InstrMachine {
  readonly manager: InstrManager;
  /** Lines said since the last load: every instance of a library (main, translator, each worker) reports the same qi_fini failure. */
  private readonly said = new Set<string>();

  constructor(private readonly board: VirtBoard, private readonly threads: VcpuThreads, private readonly config: InstrBridgeConfig) {
    const states = board.hartStates.map((_, hart) => board.hartState(hart));
    const rt = new InstrRuntime('main', instrEvents(config.tracing.state.events), {
      trace: traceAccess(config.tracing, () => board.dropTranslations()),
      memory: guestMemoryForInstr(board.mem, () => states, (c) => config.isPresent(c)),
      broadcast: (msg) => { void this.toWorkers({ kind: 'broadcast', msg }); },
      failed: (lib, event, error) => this.libraryFailed(lib, event, errorText(error)),
      control: (req) => config.control(req),
      scoreboard: (lib, index, counters) => this.manager.allocateScoreboard(lib, index, counters),
    }, MAX_VCPUS);
    const { ram, arenaOffset, arenaBytes } = board.memBuffers;
    const arena = arenaOffset >= 0 ? { buffer: ram, offset: arenaOffset, bytes: arenaBytes } : undefined;
    this.manager = new InstrManager(rt, this, MAX_VCPUS, config.compile, (m) => config.report(m), arena);
    bindThreadTracing(config.tracing, (id, cpu, args) => rt.deliver(id, cpu, args));
  }

  /** A report from the translator service or a vCPU worker. */
  handleReport(m: InstrReport): void {
    switch (m.type) {
      case 'instr-failed': this.libraryFailed(m.lib, m.event, m.message); break;
      case 'instr-log': this.say(m.message); break;
      case 'instr-control': this.config.control(m.req); break;
      case 'instr-output': this.manager.instanceOutput(m); break;
      case 'instr-broadcast':
        if (m.msg.kind === 'set-callback') this.manager.rt.applyBroadcast(m.msg);
        void this.toWorkers({ kind: 'broadcast', msg: m.msg });
        break;
    }
  }

  /** Report a library's line once, however many of its instances say it. */
  say(message: string): void {
    if (this.said.has(message)) return;
    this.said.add(message);
    this.config.report(message);
  }

  private libraryFailed(lib: string, event: string, message: string): void {
    if (!this.manager.has(lib)) return;
    const path = this.manager.list().find((l) => l.id === lib)?.path ?? '';
    this.config.report(`instrumentation library ${lib} ('${path}'): callback for ${event} threw: ${message}; library unloaded`);
    void this.config.mutex.run(() => this.manager.unload(lib, (m) => this.say(m))).catch(() => undefined);
  }

  /** Send an instrumentation command to the translator and every vCPU worker; resolves when all did it. */
  private async toWorkers(cmd: InstrCommand): Promise<void> {
    if (!this.threads.isStarted) return;
    const errors = (await Promise.all(this.threads.everyThread(
      (ack) => ({ type: 'instr', cmd, ack }),
      (hart, ack) => ({ type: 'instr', hart, ack, instr: cmd }),
    ))).filter((e): e is string => e !== undefined);
    if (errors.length > 0) throw new LibraryError(errors[0]);
  }

  // ---- InstrMachine ----------------------------------------------------------------------

  async withVcpusStopped<T>(op: () => Promise<T>): Promise<T> {
    if (!this.threads.isStarted || this.threads.isPaused) return op();
    await this.threads.pause();
    try {
      return await op();
    } finally {
      await this.threads.resume();
    }
  }

  loadInWorkers(msg: LibraryLoadMessage): Promise<void> {
    this.said.clear();
    return this.toWorkers({ kind: 'load', msg });
  }
  cpuEventInWorkers(id: string, kind: 'enter' | 'exit'): Promise<void> { return this.toWorkers({ kind: 'cpu-event', id, event: kind }); }
  unloadInWorkers(id: string): Promise<void> { return this.toWorkers({ kind: 'unload', id }); }
  async flushTranslations(): Promise<void> { this.board.dropTranslations(); }
  restartThreadsStuckIn(library: number): Promise<string[]> {
    return this.threads.isStarted ? this.threads.restartStuckIn(library) : Promise.resolve([]);
  }
}
