/**
 * The `virt` machine as the rest of the program sees it (src/threads/main.ts,
 * monitor-target.ts): one object built from a MachineConfig. It puts the
 * parts together and runs the machine-wide operations that span them:
 * start-up, pause/resume, guest and monitor resets, CPU hot-plug, output
 * changes and shutdown. The parts, each in its own file:
 *   board.ts          guest memory, devices, the MMIO bus, IRQ wiring
 *   vcpu-threads.ts   the translator service and vCPU workers, their commands and acks
 *   cpu-slots.ts      which harts are present, hot-add/remove, the spare worker
 *   instr-bridge.ts   instrumentation libraries across every thread
 *   output-fanout.ts  -d log and trace output changes reaching every thread
 *   op-mutex.ts       machine-wide operations one at a time
 */
import type { CallbackInProgress } from '../instr/activity.js';
import type { MachineControl, MmioDevice } from '../hw/device.js';
import type { ClintShared } from '../hw/clint.js';
import type { Plic } from '../hw/plic.js';
import type { Ns16550a } from '../hw/uart-ns16550a.js';
import type { CpuHotplugController } from '../hw/cpu-hotplug.js';
import type { GuestMemory, GuestMemoryBuffers, Watchpoint } from '../memory/guest-memory.js';
import type { DebugStopKind } from '../vcpu/run-loop.js';
import type { OutputChange, ThreadLogSettings, ThreadTracing } from '../trace/thread-tracing.js';
import type { InstrManager } from '../instr/manager.js';
import type { InstrControl } from '../instr/runtime.js';
import type { WorkerLauncher } from './worker-launcher.js';
import { trace_vcpu_created } from '../trace/generated/events.js';
import { BoardConfig, VirtBoard } from './board.js';
import { VcpuStatus, VcpuThreads } from './vcpu-threads.js';
import { CpuSlots } from './cpu-slots.js';
import { InstrBridge } from './instr-bridge.js';
import { OutputFanout } from './output-fanout.js';
import { OpMutex } from './op-mutex.js';
import { systemCflags } from '../vcpu/cpu-log.js';

/** `-d` items and their file descriptor (stderr by default, -D FILE otherwise); HMP log/logfile change them. */
export type MachineLog = ThreadLogSettings;

export interface MachineConfig extends BoardConfig {
  /** Starts the translator service and vCPU worker threads (src/threads). */
  launcher: WorkerLauncher;
  startPaused: boolean;
  /** `-singlestep`: every block holds one instruction, debugger or not. */
  singlestep?: boolean;
  noReboot: boolean;
  log: MachineLog;
  symbols: { addr: number; size: number; name: string }[];
  /** Called once with the exit status when the machine has shut down. */
  onExit(status: number): void;
  /** Called when a worker reports an internal error. */
  onFatal(message: string): void;
  /** -accel tcg,thread=single: every vCPU in one worker, round robin. */
  singleThread?: boolean;
  /** The main thread's tracing (state created by setupTracing). */
  tracing: ThreadTracing;
  /** -instr libraries to load before the vCPUs start. */
  instruments: { file: string; args: readonly string[] }[];
  /** A one-line message for the user (instrumentation failures and the like). */
  report(message: string): void;
}

type MachineEventListener = (event: string, data: Record<string, unknown> | undefined) => void;

/** How long the libraries' unload at exit may take before their threads are taken as stuck. */
const UNLOAD_AT_EXIT_MS = 3000;

export class Machine implements MachineControl {
  readonly board: VirtBoard;
  readonly mem: GuestMemory;
  readonly memBuffers: GuestMemoryBuffers;
  readonly clint: ClintShared;
  readonly plic: Plic;
  readonly uart: Ns16550a;
  readonly devices: MmioDevice[];
  readonly hotplug: CpuHotplugController | undefined;
  readonly instr: InstrManager;
  private readonly threads: VcpuThreads;
  private readonly cpus: CpuSlots;
  private readonly instrBridge: InstrBridge;
  private readonly output: OutputFanout;
  private readonly machineOps = new OpMutex();
  private readonly listeners: MachineEventListener[] = [];
  private readonly debugListeners: ((hart: number, kind: DebugStopKind, addr?: number) => void)[] = [];

  constructor(readonly config: MachineConfig) {
    const singleThread = config.singleThread ?? false;
    this.board = new VirtBoard(config, this, {
      guestError: (text) => this.output.deviceLog('guestErrors', text),
      unimp: (text) => this.output.deviceLog('unimp', text),
    });
    this.mem = this.board.mem;
    if (config.singlestep === true) this.mem.setOneInsnPerBlock(true);
    if (config.log.nochain) this.mem.setBasicBlocks(true);
    this.memBuffers = this.board.memBuffers;
    this.clint = this.board.clint;
    this.plic = this.board.plic;
    this.uart = this.board.uart;
    this.devices = this.board.devices;
    this.hotplug = this.board.hotplug;
    const { inAsm, op, outAsm } = config.log;
    const unobserved = !inAsm && !op && !outAsm && config.instruments.length === 0 && config.tracing.state.dstate.every((d) => d === 0);
    this.threads = new VcpuThreads(this.board, {
      launcher: config.launcher, maxHarts: config.maxHarts, singleThread, startPaused: config.startPaused,
      translateInVcpus: unobserved, log: config.log, symbols: config.symbols, tracing: config.tracing,
      execCflags: systemCflags({ parallel: !singleThread && config.maxHarts > 1, icount: config.icount !== undefined, singlestep: config.singlestep === true }),
    }, {
      fatal: (message, callback) => this.fatal(message, callback),
      instrReport: (report) => this.instrBridge.handleReport(report),
      libraries: () => this.instr.loadMessages(),
      debugStop: (hart, kind, addr) => { for (const l of this.debugListeners) l(hart, kind, addr); },
    });
    this.cpus = new CpuSlots(this.board, this.threads, {
      launcher: config.launcher, numHarts: config.numHarts, maxHarts: config.maxHarts, singleThread, tracing: config.tracing,
      emit: (event, data) => this.emit(event, data),
    });
    this.instrBridge = new InstrBridge(this.board, this.threads, {
      tracing: config.tracing, compile: (path) => config.launcher.compileLibrary(path),
      isPresent: (cpu) => this.cpus.isPresent(cpu), mutex: this.machineOps, report: (m) => config.report(m),
      control: (req) => this.instrControl(req),
    });
    this.instr = this.instrBridge.manager;
    this.output = new OutputFanout(config.log, config.tracing, this.threads);
  }

  /**
   * The mutex over machine-wide operations (CPU hot-plug, library
   * load/unload, output changes): `op` runs once every operation queued before
   * it has settled, in call order; its rejection reaches only this caller. Not
   * reentrant: an `op` that waits for another runExclusive never finishes.
   */
  runExclusive<T>(op: () => Promise<T>): Promise<T> {
    return this.machineOps.run(op);
  }

  // ---- start-up and run control -------------------------------------------------------------

  async start(): Promise<void> {
    for (const lib of this.config.instruments) await this.instr.load(lib.file, lib.args);
    const running = this.threads.start(this.config.numHarts); // asks for every worker before it returns
    for (let hart = 0; hart < this.config.numHarts; hart++) trace_vcpu_created(hart);
    this.cpus.releaseEarlyWorkers();
    await running;
  }

  /** Pause every vCPU at a block boundary; resolves when all have stopped. */
  pause(): Promise<void> {
    return this.threads.pause();
  }

  resume(): Promise<void> {
    return this.threads.resume();
  }

  get isPaused(): boolean {
    return this.threads.isPaused;
  }

  get isShuttingDown(): boolean {
    return this.threads.isShuttingDown;
  }

  /** Host console input for the guest's UART. */
  consoleInput(bytes: Uint8Array): void {
    this.board.consoleInput(bytes);
  }

  /** A library's qi_exit (shut down as a guest poweroff does, with its status) or qi_vm_stop (the monitor's stop). */
  private instrControl(req: InstrControl): void {
    if (this.threads.isShuttingDown) return;
    if (req.kind === 'exit') {
      this.shutdown(req.status);
      return;
    }
    this.config.report(`instrumentation: vm stopped${req.reason === '' ? '' : `: ${req.reason}`}`);
    if (this.threads.isPaused) return;
    void this.pause().then(() => this.emit('STOP'));
  }

  // ---- MachineControl (the guest's requests) ------------------------------------------------

  shutdown(exitStatus: number): void {
    void this.terminate(exitStatus);
  }

  /**
   * A guest reset request (finisher 0x7777, SBI reset). Like QEMU's it is
   * handled after the access that asked for it completes (or, with
   * -no-reboot, the machine shuts down instead).
   */
  reset(): void {
    if (this.config.noReboot) {
      void this.terminate(0);
      return;
    }
    // QEMU's qemu_system_reset_request stops the requesting vCPU right after the store: no guest
    // instruction after it runs. The stop commands go out now, inside the device access, so every
    // vCPU finds them at its next block boundary (the store ends its block).
    const stopping = this.threads.isPaused || this.threads.isShuttingDown ? undefined : this.threads.pause();
    setImmediate(() => { void this.systemReset(stopping); });
  }

  /**
   * vCPUs stop, devices reset, the boot images (firmware, kernel, FDT, ROM)
   * are copied in again (QEMU's rom_reset), every translation is dropped, and
   * every vCPU restarts at the reset vector; a paused machine stays paused.
   * `stopping`: the pause reset() began (the machine was running then).
   */
  async systemReset(stopping?: Promise<void>): Promise<void> {
    if (this.threads.isShuttingDown) return;
    const wasPaused = stopping === undefined && this.threads.isPaused;
    if (stopping !== undefined) await stopping;
    else if (!wasPaused) await this.threads.pause();
    this.board.resetDevices();
    this.board.loadBootImages();
    this.board.dropTranslations();
    await this.threads.reset();
    if (!wasPaused) await this.threads.resume();
  }

  // ---- CPU hot-plug and the monitor's view of the vCPUs --------------------------------------

  /** Present harts, ascending. */
  presentHarts(): number[] {
    return this.cpus.presentHarts();
  }

  cpuId(hart: number): string | undefined {
    return this.cpus.cpuId(hart);
  }

  /** The hart a device id names, if any. */
  hartOfId(id: string): number | undefined {
    return this.cpus.hartOfId(id);
  }

  /**
   * Hot-add hart `hart`: a fresh vCPU (its own worker with thread=multi) that
   * starts at the reset vector with a0 = hart id and a1 = the device tree;
   * its instrumentation instances run qi_init, then guest_cpu_enter, then its
   * first instruction. The hot-plug controller tells the guest. Errors are
   * QEMU-style texts (returned, nothing changes).
   */
  addHart(hart: number, id: string | undefined): Promise<string | undefined> {
    return this.runExclusive(() => this.cpus.add(hart, id));
  }

  /** Hot-remove hart `hart`: it stops at a block boundary, raises guest_cpu_exit, and its worker ends. */
  removeHart(hart: number): Promise<string | undefined> {
    return this.runExclusive(() => this.cpus.remove(hart));
  }

  /** Every present vCPU (also before its worker has started: then at the reset vector). */
  vcpuStates(): VcpuStatus[] {
    return this.cpus.presentHarts().map((hart) => this.threads.status(hart));
  }

  // ---- the debugger (src/gdbstub through src/machine/gdb-target.ts) -------------------------

  /** A vCPU stopped at a breakpoint, after a single step or before a watched access (it alone is paused). */
  onDebugStop(listener: (hart: number, kind: DebugStopKind, addr?: number) => void): void {
    this.debugListeners.push(listener);
  }

  /** Let some vCPUs go on (the others stay paused); `step` ones stop after one instruction. */
  resumeSome(harts: readonly number[], step: readonly number[]): Promise<void> {
    this.debugStopped = false;
    this.resumedByDebugger = true;
    return this.threads.resumeSome(harts, step);
  }

  /** Stopped by a breakpoint or a step (QEMU's RUN_STATE_DEBUG, `info status` says "debug"). */
  debugStopped = false;
  /** The debugger let the machine run once (it is no longer in prelaunch). */
  resumedByDebugger = false;

  /** New breakpoint table or block size: every translation goes, every vCPU looks at once. */
  setDebugTranslation(breakpoints: readonly number[], oneInsnPerBlock: boolean): void {
    this.mem.setBreakpoints(breakpoints);
    this.mem.setOneInsnPerBlock(oneInsnPerBlock || this.config.singlestep === true);
    this.board.dropTranslations();
  }

  /** New watchpoint table: every vCPU empties its soft TLB before its next block (translations stay). */
  setWatchpoints(list: readonly Watchpoint[]): void {
    this.mem.setWatchpoints(list);
    this.board.kickAll();
  }

  // ---- monitor events ------------------------------------------------------------------------

  onEvent(listener: MachineEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: string, data?: Record<string, unknown>): void {
    for (const l of this.listeners) l(event, data);
  }

  // ---- log and trace output ------------------------------------------------------------------

  /**
   * HMP log / logfile / trace-file: the main thread, the translator service
   * and every vCPU worker (once per worker) apply `change` to their writers.
   * Resolves true once all have, so the caller may close a file no thread
   * uses any more; false if some worker did not answer within 5 s. Workers
   * started later take the new settings from the config.
   */
  changeOutput(change: OutputChange): Promise<boolean> {
    if (change.kind === 'log' && change.log.nochain !== this.mem.basicBlocks) {
      // HMP `log ...nochain`: QEMU-shaped blocks from the next translation on (nothing keeps the old ones)
      this.mem.setBasicBlocks(change.log.nochain);
      this.board.dropTranslations();
    }
    return this.runExclusive(() => this.output.change(change));
  }

  /** Trace state changed from outside a worker (monitor): drop translations so the next block sees it. */
  translationsChanged(): void {
    this.board.dropTranslations();
  }

  // ---- shutdown ------------------------------------------------------------------------------

  private fatal(message: string, callback?: CallbackInProgress): void {
    if (this.threads.isShuttingDown) return;
    // a worker that died in a library's callback (out of memory) is the library's failure, not tsemu's
    if (callback) this.config.report(`${this.describeCallback(callback)}: ${message.split('\n')[0] ?? ''}`);
    else this.config.onFatal(message);
    void this.terminate(1);
  }

  /** A library's line, once however many of its instances report it. */
  reportInstr(message: string): void {
    this.instrBridge.say(message);
  }

  /** "instrumentation library ID: EVENT callback on vCPU N": which library callback a thread is in. */
  describeCallback(c: CallbackInProgress): string {
    const lib = this.instr.list()[c.library];
    const event = this.config.tracing.state.events[c.event]?.name ?? `event ${c.event}`;
    return `instrumentation library ${lib?.id ?? '?'} (${lib?.path ?? 'unloaded'}): ${event} callback${c.cpu >= 0 ? ` on vCPU ${c.cpu}` : ''}`;
  }

  /** Library callbacks that have been running for `minSeconds` or more, one phrase each (`info instr`). */
  slowCallbacks(minSeconds: number): string[] {
    return this.threads.callbacks.inProgress().filter((c) => c.seconds >= minSeconds)
      .map((c) => `${this.describeCallback(c)} in the ${c.thread === 'translator' ? 'translator' : `worker of ${c.thread}`}, running for ${c.seconds.toFixed(1)} s`);
  }

  /** End every worker, flush devices and logs, then report the exit status. */
  async terminate(status: number): Promise<void> {
    if (!this.threads.beginShutdown()) return;
    // workers started ahead of the machine and not taken (a hot-plug spare; all of them before start) have nothing to do now
    this.config.launcher.endUntaken();
    let stuck = false;
    if (this.threads.isStarted && this.instr.list().length > 0) {
      // libraries see the end: vCPUs stopped (and kept stopped), translations flushed, guest_cpu_exit, qi_fini
      const libraries = this.instr.list().map((l) => l.id);
      const done = (async (): Promise<boolean> => {
        if (!this.threads.isPaused) await this.threads.pause();
        await this.instr.unloadAll((m) => this.instrBridge.say(m));
        return true;
      })();
      const finished = await Promise.race([done, new Promise<boolean>((r) => setTimeout(() => r(false), UNLOAD_AT_EXIT_MS).unref())]);
      if (!finished) {
        // a callback that never returns (a vCPU worker or the translator in a library's loop):
        // that thread answers nothing any more, so it is terminated without waiting for it
        stuck = true;
        const running = this.threads.callbacks.inProgress();
        for (const c of running) this.config.report(`${this.describeCallback(c)} did not return (running for ${c.seconds.toFixed(1)} s); its thread is terminated`);
        if (running.length === 0) this.config.report(`instrumentation ${libraries.length === 1 ? `library ${libraries[0] ?? ''}` : `libraries ${libraries.join(', ')}`}: unloading did not end within ${UNLOAD_AT_EXIT_MS / 1000} s of the exit; the threads are terminated`);
      }
    }
    await this.threads.exit(stuck ? 200 : 5000);
    this.board.flushDevices();
    this.output.close();
    this.config.onExit(status);
  }
}
