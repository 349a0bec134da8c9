/**
 * The machine's worker threads, seen from the main thread: the translator
 * service and the vCPU workers (one per hart, or one for all with
 * -accel tcg,thread=single), started through the WorkerLauncher
 * (worker-launcher.ts). Owns the commands sent to them and their
 * acknowledgements (ack ids; waiting for one vCPU, for every vCPU, or for
 * every thread), and the run state that sequences them: started, paused,
 * shutting down. Each vCPU's MMIO channel and UART ring are served by the
 * board (board.ts). Which harts exist is cpu-slots.ts's business; this file
 * only runs the ones it is given.
 */
import type { Worker } from 'node:worker_threads';
import { createMmioSlot, MmioServer } from '../memory/mmio-channel.js';
import { createTranslatorChannel, markTranslatorStarted, publishTranslateHere, ringTranslator, TranslatorChannelBuffers } from '../vcpu/translator-channel.js';
import type { TranslatorCommand } from '../vcpu/translator-protocol.js';
import type { VcpuCommand, VcpuCommandType, VcpuReport, VcpuWorkerData } from '../vcpu/protocol.js';
import type { DebugStopKind } from '../vcpu/run-loop.js';
import { ExitReason, SLOT_PC, VcpuStateViews, WORD_DEBUG_STEP, WORD_EXIT_REASONS, WORD_EXIT_REQUEST, WORD_HALTED, WORD_WAKE } from '../abi/state-layout.js';
import { createUartRing, UartRingReader } from '../hw/uart-fast-path.js';
import type { ThreadLogSettings, ThreadTracing } from '../trace/thread-tracing.js';
import { newTraceSpill, spillTraceBuffer } from '../trace/backend-simple.js';
import type { InstrReport } from '../instr/thread-env.js';
import { CallbackWatch, newActivityBuffer, type CallbackInProgress } from '../instr/activity.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import type { WorkerLauncher } from './worker-launcher.js';
import type { VirtBoard } from './board.js';
import { VIRT } from './virt-map.js';

export interface VcpuThreadsConfig {
  launcher: WorkerLauncher;
  maxHarts: number;
  /** -accel tcg,thread=single: every vCPU in one worker, round robin. */
  singleThread: boolean;
  startPaused: boolean;
  /** Nothing observes translation (no -d in_asm/op/out_asm, no -trace event, no -instr): vCPUs may translate themselves. */
  translateInVcpus: boolean;
  /** The machine's -d settings; HMP log/logfile change them, and threads started later take them from here. */
  log: ThreadLogSettings;
  symbols: { addr: number; size: number; name: string }[];
  /** The vCPUs' cflags as -d exec shows them (src/vcpu/cpu-log.ts systemCflags). */
  execCflags: number;
  tracing: ThreadTracing;
}

/** What the threads report that is not theirs to handle. */
export interface VcpuThreadsHost {
  /** A worker's internal error, or its death in a library callback (`callback`): the machine shuts down. */
  fatal(message: string, callback?: CallbackInProgress): void;
  /** An instrumentation report from a worker (instr-bridge.ts). */
  instrReport(report: InstrReport): void;
  /** The instrumentation libraries a newly started worker loads first. */
  libraries(): LibraryLoadMessage[];
  /** A vCPU stopped for the debugger (breakpoint, single step, watchpoint at `addr`); it is paused now. */
  debugStop(hart: number, kind: DebugStopKind, addr?: number): void;
}

/** What a vCPU is, as the monitor sees it. */
export interface VcpuStatus {
  index: number;
  pc: number;
  halted: boolean;
  state: VcpuStateViews;
  threadId: number;
}

interface VcpuHandle {
  hartId: number;
  worker: Worker;
  state: VcpuStateViews;
  mmio: MmioServer;
}

/** What the translator service posts to the main thread. */
type TranslatorReport =
  | { type: 'ready' }
  | { type: 'exited' }
  | { type: 'fatal'; message?: string }
  | { type: 'ack'; id: number; error?: string }
  | InstrReport;

/** Instrumentation reports come from every worker kind; their types share a prefix. */
function isInstrReport(m: { type: string }): m is InstrReport {
  return m.type.startsWith('instr-');
}

export class VcpuThreads {
  private readonly translatorChannel: TranslatorChannelBuffers;
  /** Set as soon as the worker exists (before it is ready): messages wait until it drains them. */
  private translator: Worker | undefined;
  /** Running vCPUs by ascending hart id. */
  private readonly vcpus: VcpuHandle[] = [];
  private readonly workers: { worker: Worker; exited: Promise<void>; traceSpill: SharedArrayBuffer; name: string }[] = [];
  private readonly translatorSpill = newTraceSpill();
  /** Which library callback each worker is in (instr-bridge names them; `info instr`, exit). */
  readonly callbacks = new CallbackWatch();
  private started = false;
  private paused: boolean;
  private shuttingDown = false;
  /** One id sequence for every acknowledged command, translator or vCPU. */
  private nextAck = 1;
  private readonly acks = new Map<number, (pc: number, error?: string) => void>();
  private readonly translatorAcks = new Map<number, (error: string | undefined) => void>();
  /** The machine's ring of THR bytes the vCPUs post (src/hw/uart-fast-path.ts), and its reader. */
  private readonly uartRingBuffer = createUartRing();
  private readonly uartRing: UartRingReader;
  private uartRingStarted = false;

  constructor(private readonly board: VirtBoard, private readonly config: VcpuThreadsConfig, private readonly host: VcpuThreadsHost) {
    this.translatorChannel = createTranslatorChannel();
    if (config.translateInVcpus) publishTranslateHere(this.translatorChannel, board.mem.epoch);
    this.paused = config.startPaused;
    this.uartRing = board.uartRingReader(this.uartRingBuffer);
  }

  get isStarted(): boolean { return this.started; }
  get isPaused(): boolean { return this.paused; }
  get isShuttingDown(): boolean { return this.shuttingDown; }

  // ---- start-up ---------------------------------------------------------------------------

  /**
   * Start the workers of harts 0 .. numHarts-1, and with them the translator
   * service if something observes translation from the start (a vCPU's first
   * request simply waits in its channel slot until the service is up). The
   * workers are asked for before this returns its promise, which resolves
   * when all are ready.
   *
   * Otherwise the vCPUs translate by themselves and the service starts when
   * first needed (ensureTranslator): a command for every thread (a library,
   * a log or trace change), or a vCPU that must ask it (after a code epoch
   * it has no permission for, or with translate_block traced). A run that
   * never needs it saves its ~10 MB and the ~0.3 s of CPU its start took
   * beside the vCPU on a 2-core host.
   */
  async start(numHarts: number): Promise<void> {
    const translator = this.config.translateInVcpus ? Promise.resolve() : this.ensureTranslator();
    const harts = Array.from({ length: numHarts }, (_, h) => h);
    const vcpus = this.config.singleThread
      ? this.startVcpuWorker(harts, 'single')
      : Promise.all(harts.map((h) => this.startVcpuWorker([h], 'multi')));
    await translator;
    await vcpus;
    this.started = true;
  }

  private translatorReady: Promise<void> | undefined;

  /** The translator service, started now if it was not (resolves when it is ready). */
  private ensureTranslator(): Promise<void> {
    if (this.translatorReady === undefined) {
      markTranslatorStarted(this.translatorChannel);
      this.translatorReady = this.startTranslator();
      // a failed start is reported through host.fatal; callers waiting on commands see no answer
      this.translatorReady.catch(() => undefined);
    }
    return this.translatorReady;
  }

  private startTranslator(): Promise<void> {
    const { log } = this.config;
    const translatorActivity = newActivityBuffer();
    const worker = this.config.launcher.translator({
      memory: this.board.memBuffers,
      channel: this.translatorChannel,
      log: { inAsm: log.inAsm, op: log.op, outAsm: log.outAsm, fd: log.fd },
      symbols: this.config.symbols,
      tracing: this.config.tracing.config,
      libraries: this.host.libraries(),
      allStates: this.board.hartStates,
      maxHarts: this.config.maxHarts,
      instrActivity: translatorActivity,
      traceSpill: this.translatorSpill,
    });
    this.callbacks.add('translator', translatorActivity);
    this.translator = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (m: TranslatorReport) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'fatal') this.host.fatal(`translator: ${m.message ?? ''}`);
        else if (m.type === 'ack') {
          this.translatorAcks.get(m.id)?.(m.error);
          this.translatorAcks.delete(m.id);
        } else if (isInstrReport(m)) this.host.instrReport(m);
      });
      worker.on('error', (e) => { reject(e); this.host.fatal(`translator: ${e.message}`, this.callbacks.current('translator')); });
    });
  }

  /**
   * Start a worker running `hartIds` (one hart with thread=multi, all with thread=single);
   * `resume`: the harts go on from their state areas (restartStuckIn).
   */
  private startVcpuWorker(hartIds: number[], thread: 'single' | 'multi', resume = false): Promise<void> {
    const slots = hartIds.map(() => createMmioSlot());
    const { log } = this.config;
    const data: VcpuWorkerData = {
      harts: hartIds.map((hartId, i) => ({ hartId, mmio: slots[i], startPaused: this.paused || resume, ...(resume ? { resume } : {}) })),
      uartShadow: this.board.uartShadow,
      uartRing: this.uartRingBuffer,
      uartBase: VIRT.uart0.base,
      thread,
      maxHarts: this.config.maxHarts,
      allStates: this.board.hartStates,
      memory: this.board.memBuffers,
      clint: this.board.clint.buffer,
      clintBase: VIRT.clint.base,
      clintSize: VIRT.clint.size,
      translator: this.translatorChannel,
      ioRegions: this.board.ioRegions(),
      resetPc: VIRT.mrom.base,
      log: { int: log.int, exec: log.exec, cpu: log.cpu, unimp: log.unimp, guestErrors: log.guestErrors, nochain: log.nochain, fd: log.fd },
      execLog: { symbols: this.config.symbols, cflags: this.config.execCflags },
      tracing: this.config.tracing.config,
      libraries: this.host.libraries(),
      instrActivity: newActivityBuffer(),
      traceSpill: newTraceSpill(),
    };
    this.callbacks.add(`vCPU ${hartIds.join(',')}`, data.instrActivity);
    const worker = this.config.launcher.vcpu(data);
    const handles = hartIds.map((hartId, i) => this.serveVcpu(worker, hartId, slots[i]));
    const servers = handles.map((h) => h.mmio);
    const exited = new Promise<void>((resolve) => {
      worker.on('exit', () => { for (const s of servers) s.stop(); resolve(); });
    });
    this.workers.push({ worker, exited, traceSpill: data.traceSpill, name: `vCPU ${hartIds.join(',')}` });
    return new Promise((resolve) => {
      worker.on('message', (m: VcpuReport | InstrReport) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'fatal') this.host.fatal(`vCPU ${hartIds.join(',')}: ${m.message}`);
        else if (m.type === 'ack') this.acks.get(m.id)?.(m.pc, m.error);
        else if (m.type === 'debug') this.host.debugStop(m.hart, m.kind, m.addr);
        else if (m.type === 'need-translator') { if (!this.shuttingDown) void this.ensureTranslator(); }
        else if (isInstrReport(m)) this.host.instrReport(m);
      });
      worker.on('error', (e) => this.host.fatal(`vCPU ${hartIds.join(',')}: ${e.message}`, this.callbacks.current(`vCPU ${hartIds.join(',')}`)));
    });
  }

  /** Serve hart `hartId` of `worker`: its MMIO slot, answered by the board. */
  private serveVcpu(worker: Worker, hartId: number, slot: SharedArrayBuffer): VcpuHandle {
    const handle: VcpuHandle = {
      hartId, worker, state: this.board.hartState(hartId),
      mmio: new MmioServer(slot, (req) => this.board.mmioAccess(this.uartRing, req)),
    };
    handle.mmio.start();
    if (!this.uartRingStarted) this.uartRing.start(); // with the first vCPU (the wait ends in exit())
    this.uartRingStarted = true;
    this.vcpus.push(handle);
    this.vcpus.sort((a, b) => a.hartId - b.hartId);
    return handle;
  }

  // ---- a worker stuck in a library callback ----------------------------------------------

  /**
   * instr-unload of library `library` (index in load order) while vCPU workers are in one of its
   * callbacks: wait up to `patienceMs` for those callbacks to return; the workers whose callback
   * has not are terminated and replaced by workers without the library (its load message is gone
   * from host.libraries() by now), which go on from the harts' state areas at the start of the
   * block the callback ran in. They start stopped: the unload stops every vCPU next, and its
   * resume lets them go (no event of the library reaches the trace backend in between).
   * Returns the threads restarted.
   */
  async restartStuckIn(library: number, patienceMs = 1000): Promise<string[]> {
    const stuckThreads = (): string[] => this.callbacks.inProgress()
      .filter((c) => c.library === library && c.thread !== 'translator').map((c) => c.thread);
    const end = Date.now() + patienceMs;
    while (stuckThreads().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const stuck = stuckThreads();
    for (const thread of stuck) await this.restartWorker(thread);
    return stuck;
  }

  /** Terminate the worker named `thread` ('vCPU N') and start another for its harts. */
  private async restartWorker(thread: string): Promise<void> {
    const entry = this.workers.find((w) => w.name === thread);
    if (entry === undefined) return;
    const handles = this.vcpus.filter((v) => v.worker === entry.worker);
    await entry.worker.terminate();
    this.spillTrace(entry.traceSpill);
    this.uartRing.drain();
    for (const v of handles) {
      v.mmio.stop();
      this.vcpus.splice(this.vcpus.indexOf(v), 1);
    }
    this.workers.splice(this.workers.indexOf(entry), 1);
    this.callbacks.remove(thread);
    const harts = handles.map((v) => v.hartId);
    await this.startVcpuWorker(harts, this.config.singleThread ? 'single' : 'multi', true);
  }

  /** Write out the simple-backend records a terminated thread had buffered. */
  private spillTrace(spill: SharedArrayBuffer): void {
    const trace = this.config.tracing.config;
    if (trace.backend !== 'simple' || !trace.simpleEnabled || trace.simpleFile === undefined) return;
    try {
      spillTraceBuffer(spill, trace.simpleFile);
    } catch {
      // the file went away: nothing to save the records to
    }
  }

  // ---- hot-plug ---------------------------------------------------------------------------

  /**
   * Run hart `hart` (just added): in the thread=single worker if there is one
   * running, else in a worker of its own. Resolves when it runs.
   */
  addVcpu(hart: number): Promise<void> {
    const single = this.config.singleThread ? this.vcpus[0]?.worker : undefined;
    return single ? this.addToWorker(single, hart) : this.startVcpuWorker([hart], 'multi');
  }

  private addToWorker(worker: Worker, hart: number): Promise<void> {
    const slot = createMmioSlot();
    const handle = this.serveVcpu(worker, hart, slot);
    const ackId = this.nextAck++;
    // the worker reads its messages when one of the harts it already runs is kicked
    const running = this.vcpus.find((x) => x.worker === worker && x !== handle) ?? handle;
    return new Promise((resolve) => {
      this.acks.set(ackId, () => { this.acks.delete(ackId); resolve(); });
      worker.postMessage({ type: 'add-hart', hart, ack: ackId, spec: { hartId: hart, mmio: slot, startPaused: this.paused } } satisfies VcpuCommand);
      this.kick(running);
    });
  }

  hasVcpu(hart: number): boolean {
    return this.vcpus.some((x) => x.hartId === hart);
  }

  get vcpuCount(): number {
    return this.vcpus.length;
  }

  /**
   * Stop running hart `hart` (present, and not the last): it stops at a block
   * boundary and raises guest_cpu_exit; a worker left without harts ends
   * (terminated if it has not within 2 s).
   */
  async removeVcpu(hart: number): Promise<void> {
    const v = this.vcpus.find((x) => x.hartId === hart);
    if (!v) return;
    await this.commandAndWait(v, 'unplug');
    this.vcpus.splice(this.vcpus.indexOf(v), 1);
    this.uartRing.drain();
    v.mmio.stop();
    if (!this.vcpus.some((x) => x.worker === v.worker)) {
      const w = this.workers.find((x) => x.worker === v.worker);
      await Promise.race([w?.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      void v.worker.terminate();
      this.workers.splice(this.workers.findIndex((x) => x.worker === v.worker), 1);
    }
  }

  // ---- commands ---------------------------------------------------------------------------

  /** Send a command to a vCPU and make it look at once (also out of WFI or pause). */
  private command(v: VcpuHandle, cmd: VcpuCommand): void {
    v.worker.postMessage(cmd);
    this.kick(v);
  }

  /** Make a vCPU drain its worker's messages at its next block boundary (or now, if it sleeps). */
  private kick(v: VcpuHandle): void {
    Atomics.or(v.state.i32, WORD_EXIT_REASONS, ExitReason.Control);
    Atomics.store(v.state.i32, WORD_EXIT_REQUEST, 1);
    Atomics.add(v.state.i32, WORD_WAKE, 1);
    Atomics.notify(v.state.i32, WORD_WAKE);
  }

  /** Send a command and wait until the vCPU has handled it; resolves with its pc. */
  private commandAndWait(v: VcpuHandle, type: VcpuCommandType): Promise<number> {
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.acks.set(id, (pc) => { this.acks.delete(id); resolve(pc); });
      this.command(v, { type, hart: v.hartId, ack: id });
    });
  }

  /** Send `type` to every running vCPU; resolves when all have handled it. */
  private everyVcpu(type: VcpuCommandType): Promise<number[]> {
    return Promise.all(this.vcpus.map((v) => this.commandAndWait(v, type)));
  }

  /**
   * Send a command to every thread: the translator service (if started) and
   * each vCPU worker once (a thread=single worker runs every hart). One
   * promise per thread, resolving with the error text its acknowledgement
   * carries, if any.
   */
  everyThread(translatorCommand: (ack: number) => TranslatorCommand, vcpuCommand: (hart: number, ack: number) => VcpuCommand): Promise<string | undefined>[] {
    const waits: Promise<string | undefined>[] = [];
    // a library or a log/trace change may make translation observed: the service must have it
    if (!this.shuttingDown) void this.ensureTranslator();
    const translator = this.translator;
    if (translator !== undefined) {
      const id = this.nextAck++;
      waits.push(new Promise((resolve) => {
        this.translatorAcks.set(id, resolve);
        translator.postMessage(translatorCommand(id));
        ringTranslator(this.translatorChannel);
      }));
    }
    const seen = new Set<Worker>();
    for (const v of this.vcpus) {
      if (seen.has(v.worker)) continue;
      seen.add(v.worker);
      const id = this.nextAck++;
      waits.push(new Promise((resolve) => {
        this.acks.set(id, (_pc, error) => { this.acks.delete(id); resolve(error); });
        this.command(v, vcpuCommand(v.hartId, id));
      }));
    }
    return waits;
  }

  // ---- run control ------------------------------------------------------------------------

  /** Pause every vCPU at a block boundary (and guest time with them); resolves when all have stopped. */
  async pause(): Promise<void> {
    this.paused = true;
    this.board.clint.pause();
    await this.everyVcpu('stop');
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.board.clint.resume();
    await this.everyVcpu('cont');
  }

  /**
   * Let only `harts` go on (gdb's vCont with actions for some threads; the others stay stopped,
   * as QEMU's gdb_continue_partial). `step` harts run one instruction and stop again.
   */
  async resumeSome(harts: readonly number[], step: readonly number[]): Promise<void> {
    this.paused = false;
    this.board.clint.resume();
    const go = this.vcpus.filter((v) => harts.includes(v.hartId));
    for (const v of go) Atomics.store(v.state.i32, WORD_DEBUG_STEP, step.includes(v.hartId) ? 1 : 0);
    await Promise.all(go.map((v) => this.commandAndWait(v, 'cont')));
  }

  /** Every vCPU back to the reset vector (the caller has them paused). */
  async reset(): Promise<void> {
    await this.everyVcpu('reset');
  }

  /** Hart `hart` as the monitor sees it (also before its worker has started: then at the reset vector). */
  status(hart: number): VcpuStatus {
    const v = this.vcpus.find((x) => x.hartId === hart);
    const state = v?.state ?? this.board.hartState(hart);
    return {
      index: hart,
      pc: v ? state.f64[SLOT_PC] : VIRT.mrom.base,
      halted: Atomics.load(state.i32, WORD_HALTED) === 1,
      state,
      threadId: v?.worker.threadId ?? 0,
    };
  }

  // ---- shutdown ---------------------------------------------------------------------------

  /** Mark the machine as shutting down; false if it already was (the caller then does nothing). */
  beginShutdown(): boolean {
    if (this.shuttingDown) return false;
    this.shuttingDown = true;
    return true;
  }

  /**
   * End every thread: each vCPU acknowledges its exit after flushing its
   * trace buffers, the translator service is told to exit, and the workers
   * end (each wait gives up after 5 s; whatever is left is terminated).
   */
  /** `waitMs`: how long each step waits for the workers (short when one is known to be stuck). */
  async exit(waitMs = 5000): Promise<void> {
    const acked = this.everyVcpu('exit');
    const ackTimeout = new Promise<void>((r) => setTimeout(r, waitMs).unref());
    await Promise.race([acked, ackTimeout]);
    this.translator?.postMessage({ type: 'exit' } satisfies TranslatorCommand);
    ringTranslator(this.translatorChannel);
    const all = Promise.all(this.workers.map((w) => w.exited));
    const timeout = new Promise<void>((r) => setTimeout(r, waitMs).unref());
    await Promise.race([all, timeout]);
    this.uartRing.drain();
    this.uartRing.stop();
    for (const v of this.vcpus) v.mmio.stop();
    await this.terminateAndSpill();
    this.callbacks.stop();
  }

  /**
   * Terminate the threads that did not end (stuck in a library callback) and write out the trace
   * records they had buffered, so the -trace file holds everything up to the stop.
   */
  private async terminateAndSpill(): Promise<void> {
    const left: { terminated: Promise<unknown>; spill: SharedArrayBuffer }[] = [];
    for (const w of this.workers) left.push({ terminated: w.worker.terminate(), spill: w.traceSpill });
    if (this.translator) left.push({ terminated: this.translator.terminate(), spill: this.translatorSpill });
    for (const l of left) {
      await l.terminated.catch(() => undefined);
      this.spillTrace(l.spill);
    }
  }
}
