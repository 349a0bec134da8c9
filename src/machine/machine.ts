/**
 * The `virt` machine on the main thread: guest memory, the devices that live
 * here, one translator service worker and one worker per vCPU, and the
 * machine-wide operations the CLI and monitor use (pause, resume, reset,
 * shutdown). Guest-visible layout comes from virt-map.ts.
 */
import { Worker } from 'node:worker_threads';
import { closeSync } from 'node:fs';
import { writeAll } from '../util/write-all.js';
import { createGuestMemoryBuffers, GuestMemory, GuestMemoryBuffers } from '../memory/guest-memory.js';
import { createMmioSlot, MmioRequest, MmioServer } from '../memory/mmio-channel.js';
import { createTranslatorChannel, publishTranslateHere, MAX_VCPUS, TranslatorChannelBuffers } from '../vcpu/translator-channel.js';
import type { TranslatorWorkerData, TranslatorCommand } from '../vcpu/translator-protocol.js';
import type { WorkerLauncher } from './worker-launcher.js';

import type { VcpuCommand, VcpuCommandType, VcpuReport, VcpuWorkerData } from '../vcpu/protocol.js';
import {
  createStateBuffer, ExitReason, RunState, SLOT_PC, stateViews, VcpuStateViews, WORD_EXIT_REASONS,
  WORD_EXIT_REQUEST, WORD_HALTED, WORD_IRQ_LINES, WORD_RUN_STATE, WORD_WAKE,
} from '../abi/state-layout.js';
import { AccessSize, HartIrqSink, IrqLine, MachineControl, MmioDevice } from '../hw/device.js';
import { ClintShared, kickHart } from '../hw/clint.js';
import { Plic } from '../hw/plic.js';
import { Ns16550a } from '../hw/uart-ns16550a.js';
import { GoldfishRtc } from '../hw/goldfish-rtc.js';
import { SifiveTest } from '../hw/sifive-test.js';
import { VirtioMmio } from '../hw/virtio-mmio.js';
import { createUartRing, createUartShadow, publishUartShadow, UartRingReader } from '../hw/uart-fast-path.js';
import { CpuHotplugController } from '../hw/cpu-hotplug.js';
import { PLIC_NUM_SOURCES, TIMEBASE_FREQ, VIRT, VIRT_IRQ } from './virt-map.js';
import type { VirtioDevice } from '../hw/virtio.js';
import type { OutputChange, ThreadLogSettings, ThreadTracing } from '../trace/thread-tracing.js';
import { applyTraceOutputChange, bindThreadTracing } from '../trace/thread-tracing.js';
import { InstrManager, InstrMachine } from '../instr/manager.js';
import { InstrRuntime } from '../instr/runtime.js';
import { instrEvents, InstrCommand, InstrReport, traceAccess } from '../instr/thread-env.js';
import { guestMemoryForInstr, hartPresent } from '../instr/memory-access.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import { LibraryError } from '../instr/thread-host.js';

/** `-d` items and their file descriptor (stderr by default, -D FILE otherwise); HMP log/logfile change them. */
export type MachineLog = ThreadLogSettings;

export interface MachineConfig {
  /** Starts the translator service and vCPU worker threads (src/threads). */
  launcher: WorkerLauncher;
  numHarts: number;
  maxHarts: number;
  ramSize: number;
  /** Bytes to place in guest memory before start: [physical address, bytes]. */
  images: { addr: number; bytes: Uint8Array }[];
  /** Boot ROM contents (placed at VIRT.mrom.base). */
  rom: Uint8Array;
  /** virtio devices by transport slot (index 0 = 0x10001000). */
  virtio: (VirtioDevice | null)[];
  serialOut: (bytes: Uint8Array) => void;
  startPaused: boolean;
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

interface VcpuHandle {
  index: number;
  hartId: number;
  worker: Worker;
  state: VcpuStateViews;
  mmio: MmioServer;
  uartRing: UartRingReader;
}

export class Machine implements HartIrqSink, MachineControl, InstrMachine {
  readonly mem: GuestMemory;
  readonly memBuffers: GuestMemoryBuffers;
  readonly clint: ClintShared;
  readonly plic: Plic;
  readonly uart: Ns16550a;
  readonly devices: MmioDevice[] = [];
  readonly hotplug: CpuHotplugController | undefined;
  /** QOM-style id of each present hart added with device_add (cold-plugged harts have none). */
  private readonly cpuIds = new Map<number, string | undefined>();
  private readonly listeners: ((event: string, data: Record<string, unknown> | undefined) => void)[] = [];
  private readonly translatorChannel: TranslatorChannelBuffers;
  private translator!: Worker;
  private readonly vcpus: VcpuHandle[] = [];
  private readonly workers: { worker: Worker; exited: Promise<void> }[] = [];
  private readonly stateBuffers: SharedArrayBuffer[] = [];
  private shuttingDown = false;
  private paused: boolean;
  private started = false;
  readonly instr: InstrManager;
  private readonly translatorAcks = new Map<number, (error: string | undefined) => void>();
  /** LSR/LCR/MCR shadow for the UART fast path, republished after every device access. */
  private readonly uartShadow = createUartShadow();
  private readonly uartShadowView = new Int32Array(this.uartShadow);

  constructor(readonly config: MachineConfig) {
    this.memBuffers = createGuestMemoryBuffers(VIRT.dram.base, config.ramSize, VIRT.mrom.base, VIRT.mrom.size);
    this.mem = new GuestMemory(this.memBuffers);
    this.clint = ClintShared.create(TIMEBASE_FREQ);
    this.translatorChannel = createTranslatorChannel();
    const { inAsm, op, outAsm } = config.log;
    if (!inAsm && !op && !outAsm && config.instruments.length === 0 && config.tracing.state.dstate.every((d) => d === 0)) {
      publishTranslateHere(this.translatorChannel, this.mem.epoch); // nothing observes translation yet
    }
    this.paused = config.startPaused;
    for (let h = 0; h < config.maxHarts; h++) this.stateBuffers.push(createStateBuffer());
    this.plic = new Plic(this, config.maxHarts, { ...VIRT.plic, numSources: PLIC_NUM_SOURCES });
    this.uart = new Ns16550a(this.plic.irqLine(VIRT_IRQ.uart0), config.serialOut, VIRT.uart0);
    publishUartShadow(this.uartShadowView, this.uart.fastPathState());
    this.devices.push(this.uart, this.plic, new GoldfishRtc(this.plic.irqLine(VIRT_IRQ.rtc), VIRT.rtc), new SifiveTest(this, VIRT.test));
    if (config.maxHarts > config.numHarts) {
      this.hotplug = new CpuHotplugController(this.plic.irqLine(VIRT_IRQ.cpuHotplug), config.maxHarts, config.numHarts, VIRT.cpuHotplug);
      this.devices.push(this.hotplug);
    }
    const ram = { base: this.mem.ramBase, size: this.mem.ramSize, bytes: this.mem.mu8 };
    for (let i = 0; i < VIRT.virtio.count; i++) {
      const irq: IrqLine = this.plic.irqLine(VIRT_IRQ.virtioBase + i);
      this.devices.push(new VirtioMmio(irq, ram, config.virtio[i] ?? null, {
        name: `virtio-mmio@${(VIRT.virtio.base + i * VIRT.virtio.size).toString(16)}`,
        base: VIRT.virtio.base + i * VIRT.virtio.size,
        size: VIRT.virtio.size,
        onError: (msg) => this.guestError(msg),
      }));
    }
    for (let h = 0; h < config.numHarts; h++) this.cpuIds.set(h, undefined); // present from the start
    this.instr = this.createInstrManager();
    this.mem.load(VIRT.mrom.base, config.rom);
    for (const img of config.images) {
      if (!this.mem.load(img.addr, img.bytes)) throw new Error(`image at 0x${img.addr.toString(16)} does not fit guest memory`);
    }
  }

  private createInstrManager(): InstrManager {
    const states = this.stateBuffers.map((b) => stateViews(b));
    let manager: InstrManager | undefined;
    const rt = new InstrRuntime('main', instrEvents(this.config.tracing.state.events), {
      trace: traceAccess(this.config.tracing, () => this.codeChanged()),
      memory: guestMemoryForInstr(this.mem, () => states, (c) => this.cpuIds.has(c)),
      broadcast: (msg) => { void this.instrToWorkers({ kind: 'broadcast', msg }); },
      failed: (lib, event, error) => this.libraryFailed(lib, event, error instanceof Error ? error.message : String(error)),
      scoreboard: (_lib, _index, counters) => (manager as InstrManager).allocateScoreboard(counters),
    }, MAX_VCPUS);
    manager = new InstrManager(rt, this, MAX_VCPUS);
    bindThreadTracing(this.config.tracing, (id, cpu, args) => rt.deliver(id, cpu, args));
    return manager;
  }

  /** Trace state or instrumentation changed what code must be generated: drop every translation. */
  private codeChanged(): void {
    this.mem.bumpEpoch();
    for (const buf of this.stateBuffers) {
      const st = stateViews(buf);
      Atomics.store(st.i32, WORD_EXIT_REQUEST, 1);
      Atomics.add(st.i32, WORD_WAKE, 1);
      Atomics.notify(st.i32, WORD_WAKE);
    }
  }

  private libraryFailed(lib: string, event: string, message: string): void {
    if (!this.instr.has(lib)) return;
    const path = this.instr.list().find((l) => l.id === lib)?.path ?? '';
    this.config.report(`instrumentation library ${lib} ('${path}'): callback for ${event} threw: ${message}; library unloaded`);
    void this.serialize(() => this.instr.unload(lib, (m) => this.config.report(m))).catch(() => undefined);
  }

  private handleInstrReport(m: InstrReport): void {
    switch (m.type) {
      case 'instr-failed': this.libraryFailed(m.lib, m.event, m.message); break;
      case 'instr-log': this.config.report(m.message); break;
      case 'instr-broadcast':
        if (m.msg.kind === 'set-callback') this.instr.rt.applyBroadcast(m.msg);
        void this.instrToWorkers({ kind: 'broadcast', msg: m.msg });
        break;
    }
  }

  // ---- InstrMachine ----------------------------------------------------------------------

  async withVcpusStopped<T>(op: () => Promise<T>): Promise<T> {
    if (!this.started || this.paused) return op();
    await this.pause();
    try {
      return await op();
    } finally {
      await this.resume();
    }
  }

  /** Send an instrumentation command to the translator and every vCPU worker; resolves when all did it. */
  private async instrToWorkers(cmd: InstrCommand): Promise<void> {
    if (!this.started) return;
    const waits: Promise<string | undefined>[] = [];
    const id = this.nextAck++;
    waits.push(new Promise((resolve) => {
      this.translatorAcks.set(id, resolve);
      this.translator.postMessage({ type: 'instr', cmd, ack: id } satisfies TranslatorCommand);
    }));
    const seen = new Set<Worker>();
    for (const v of this.vcpus) {
      if (seen.has(v.worker)) continue; // one instance per worker (thread=single runs all harts in one)
      seen.add(v.worker);
      waits.push(this.commandWithResult(v, 'instr', cmd));
    }
    const errors = (await Promise.all(waits)).filter((e): e is string => e !== undefined);
    if (errors.length > 0) throw new LibraryError(errors[0]);
  }

  loadInWorkers(msg: LibraryLoadMessage): Promise<void> { return this.instrToWorkers({ kind: 'load', msg }); }
  cpuEventInWorkers(id: string, kind: 'enter' | 'exit'): Promise<void> { return this.instrToWorkers({ kind: 'cpu-event', id, event: kind }); }
  unloadInWorkers(id: string): Promise<void> { return this.instrToWorkers({ kind: 'unload', id }); }
  async flushTranslations(): Promise<void> { this.codeChanged(); }

  // ---- HartIrqSink / MachineControl -----------------------------------------------------

  setHartIrq(hartId: number, mipBit: number, level: boolean): void {
    const buf = this.stateBuffers[hartId];
    if (!buf) return;
    const state = stateViews(buf);
    const bit = 1 << mipBit;
    const old = level ? Atomics.or(state.i32, WORD_IRQ_LINES, bit) : Atomics.and(state.i32, WORD_IRQ_LINES, ~bit);
    if (((old & bit) !== 0) !== level) kickHart(state);
  }

  shutdown(exitStatus: number): void {
    void this.terminate(exitStatus);
  }

  /**
   * A guest reset request (finisher 0x7777, SBI reset). Like QEMU's it is
   * handled after the access that asked for it completes: vCPUs stop, devices
   * reset, the boot images (firmware, kernel, FDT, ROM) are copied in again
   * (QEMU's rom_reset), every translation is dropped, and every vCPU restarts
   * at the reset vector.
   */
  reset(): void {
    if (this.config.noReboot) {
      void this.terminate(0);
      return;
    }
    setImmediate(() => { void this.systemReset(); });
  }

  async systemReset(): Promise<void> {
    if (this.shuttingDown) return;
    const wasPaused = this.paused;
    if (!wasPaused) await this.pause();
    for (const d of this.devices) d.reset?.();
    this.mem.load(VIRT.mrom.base, this.config.rom);
    for (const img of this.config.images) this.mem.load(img.addr, img.bytes);
    this.codeChanged();
    await Promise.all(this.vcpus.map((v) => this.commandAndWait(v, 'reset')));
    if (!wasPaused) await this.resume();
  }

  // ---- start-up ---------------------------------------------------------------------------

  private deviceAt(pa: number): MmioDevice | undefined {
    for (const d of this.devices) if (pa >= d.base && pa < d.base + d.size) return d;
    return undefined;
  }

  private handleMmio(v: VcpuHandle | undefined, req: MmioRequest): bigint | undefined {
    v?.uartRing.drain(); // this vCPU's posted UART bytes come first (program order)
    const dev = this.deviceAt(req.pa);
    if (!dev) return undefined;
    const offset = req.pa - dev.base;
    let result = 0n;
    if (req.write) dev.write(offset, req.size as AccessSize, req.value);
    else result = dev.read(offset, req.size as AccessSize);
    if (dev === this.uart) this.publishUart();
    return result;
  }

  private publishUart(): void {
    publishUartShadow(this.uartShadowView, this.uart.fastPathState());
  }

  /** Host console input for the guest's UART. */
  consoleInput(bytes: Uint8Array): void {
    this.uart.receive(bytes);
    this.publishUart();
  }

  private guestError(message: string): void {
    if (this.config.log.guestErrors) writeAll(this.config.log.fd, `${message}\n`);
  }

  async start(): Promise<void> {
    for (const lib of this.config.instruments) await this.instr.load(lib.file, lib.args);
    // the translator service and the vCPU workers start together (a vCPU's first
    // request simply waits in its channel slot until the service is up)
    const translator = this.startTranslator();
    const harts = Array.from({ length: this.config.numHarts }, (_, h) => h);
    const vcpus = this.config.singleThread
      ? this.startVcpuWorker(harts, 'single')
      : Promise.all(harts.map((h) => this.startVcpuWorker([h], 'multi')));
    this.config.launcher.endUntaken(this.hotplugRoom() ? 1 : 0);
    this.keepSpareWorker();
    this.translator = await translator;
    await vcpus;
    this.started = true;
  }

  /** Can another vCPU be hot-added into a worker of its own? */
  private hotplugRoom(): boolean {
    return !this.config.singleThread && this.cpuIds.size < this.config.maxHarts && !this.shuttingDown;
  }

  /** While hot-plug has room, have a vCPU worker ready for it (early-workers.ts). */
  private keepSpareWorker(): void {
    if (this.hotplugRoom()) this.config.launcher.keepSpareVcpu();
  }

  private startTranslator(): Promise<Worker> {
    const data: TranslatorWorkerData = {
      memory: this.memBuffers,
      channel: this.translatorChannel,
      log: { inAsm: this.config.log.inAsm, op: this.config.log.op, outAsm: this.config.log.outAsm, fd: this.config.log.fd },
      symbols: this.config.symbols,
      tracing: this.config.tracing.config,
      libraries: this.instr.loadMessages(),
      allStates: this.stateBuffers,
      maxHarts: this.config.maxHarts,
    };
    const worker = this.config.launcher.translator(data);
    this.translator = worker; // reachable before it is ready (changeOutput): messages wait until it drains them
    return new Promise((resolve, reject) => {
      worker.on('message', (m: { type: string; message?: string; id?: number; error?: string } | InstrReport) => {
        if (m.type === 'ready') resolve(worker);
        else if (m.type === 'fatal') this.fatal(`translator: ${(m as { message?: string }).message ?? ''}`);
        else if (m.type === 'ack') {
          const a = m as { id: number; error?: string };
          this.translatorAcks.get(a.id)?.(a.error);
          this.translatorAcks.delete(a.id);
        } else if (m.type.startsWith('instr-')) this.handleInstrReport(m as InstrReport);
      });
      worker.on('error', (e) => { reject(e); this.fatal(`translator: ${e.message}`); });
    });
  }

  /** Start a worker running `hartIds` (one hart with thread=multi, all with thread=single). */
  private startVcpuWorker(hartIds: number[], thread: 'single' | 'multi'): Promise<void> {
    const slots = hartIds.map(() => createMmioSlot());
    const rings = hartIds.map(() => createUartRing());
    const data: VcpuWorkerData = {
      harts: hartIds.map((hartId, i) => ({ hartId, mmio: slots[i], uartRing: rings[i], startPaused: this.paused })),
      uartShadow: this.uartShadow,
      uartBase: VIRT.uart0.base,
      thread,
      maxHarts: this.config.maxHarts,
      allStates: this.stateBuffers,
      memory: this.memBuffers,
      clint: this.clint.buffer,
      clintBase: VIRT.clint.base,
      clintSize: VIRT.clint.size,
      translator: this.translatorChannel,
      deviceRanges: this.devices.map((d) => ({ base: d.base, size: d.size })),
      resetPc: VIRT.mrom.base,
      log: { int: this.config.log.int, exec: this.config.log.exec, cpu: this.config.log.cpu, guestErrors: this.config.log.guestErrors, fd: this.config.log.fd },
      tracing: this.config.tracing.config,
      libraries: this.instr.loadMessages(),
    };
    const worker = this.config.launcher.vcpu(data);
    const handles: VcpuHandle[] = hartIds.map((hartId, i) => {
      const uartRing = new UartRingReader(rings[i], (byte) => {
        this.uart.write(0, 1, BigInt(byte));
        this.publishUart();
      });
      const handle: VcpuHandle = {
        index: hartId, hartId, worker, state: stateViews(this.stateBuffers[hartId]), uartRing,
        mmio: new MmioServer(slots[i], (req) => this.handleMmio(handle, req)),
      };
      return handle;
    });
    for (const h of handles) { h.mmio.start(); h.uartRing.start(); }
    const servers = handles.map((h) => h.mmio);
    this.vcpus.push(...handles);
    this.vcpus.sort((a, b) => a.index - b.index);
    const exited = new Promise<void>((resolve) => {
      worker.on('exit', () => { for (const s of servers) s.stop(); resolve(); });
    });
    this.workers.push({ worker, exited });
    return new Promise((resolve) => {
      worker.on('message', (m: VcpuReport | InstrReport) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'fatal') this.fatal(`vCPU ${hartIds.join(',')}: ${m.message}`);
        else if (m.type === 'ack') this.acks.get(m.id)?.(m.pc, m.error);
        else if (m.type.startsWith('instr-')) this.handleInstrReport(m as InstrReport);
      });
      worker.on('error', (e) => this.fatal(`vCPU ${hartIds.join(',')}: ${e.message}`));
    });
  }

  /** Machine-level operations (hot-plug, library load/unload) run one at a time, in order. */
  private opChain: Promise<unknown> = Promise.resolve();

  serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.opChain.then(op, op);
    this.opChain = run.catch(() => undefined);
    return run;
  }

  // ---- CPU hot-plug --------------------------------------------------------------------

  /** Present harts, ascending. */
  presentHarts(): number[] {
    return [...this.cpuIds.keys()].sort((a, b) => a - b);
  }

  cpuId(hart: number): string | undefined {
    return this.cpuIds.get(hart);
  }

  /** The hart a device id names, if any. */
  hartOfId(id: string): number | undefined {
    for (const [hart, cid] of this.cpuIds) if (cid === id) return hart;
    return undefined;
  }

  onEvent(listener: (event: string, data: Record<string, unknown> | undefined) => void): void {
    this.listeners.push(listener);
  }

  emit(event: string, data?: Record<string, unknown>): void {
    for (const l of this.listeners) l(event, data);
  }

  /**
   * Hot-add hart `hart`: a fresh vCPU (its own worker with thread=multi) that
   * starts at the reset vector with a0 = hart id and a1 = the device tree;
   * its instrumentation instances run qi_init, then guest_cpu_enter, then its
   * first instruction. The hot-plug controller tells the guest. Errors are
   * QEMU-style texts (returned, nothing changes).
   */
  addHart(hart: number, id: string | undefined): Promise<string | undefined> {
    return this.serialize(() => this.addHartNow(hart, id));
  }

  private async addHartNow(hart: number, id: string | undefined): Promise<string | undefined> {
    // QEMU checks the id before anything else
    if (id !== undefined && this.hartOfId(id) !== undefined) return `Duplicate device ID '${id}'`;
    if (!Number.isInteger(hart) || hart < 0 || hart >= this.config.maxHarts) {
      return `Invalid CPU core-id: ${hart} must be in range 0:${this.config.maxHarts - 1}`;
    }
    if (this.cpuIds.has(hart)) return `CPU[${hart}] with core-id ${hart} exists`;
    this.cpuIds.set(hart, id);
    const state = stateViews(this.stateBuffers[hart]);
    Atomics.store(state.i32, WORD_IRQ_LINES, 0);
    this.config.tracing.state.vcpuInit(hart);
    const single = this.config.singleThread ? this.vcpus[0]?.worker : undefined;
    if (single) await this.addHartToWorker(single, hart);
    else {
      await this.startVcpuWorker([hart], 'multi');
      this.keepSpareWorker();
    }
    this.hotplug?.hartAdded(hart);
    return undefined;
  }

  private addHartToWorker(worker: Worker, hart: number): Promise<void> {
    const slot = createMmioSlot();
    const ring = createUartRing();
    const uartRing = new UartRingReader(ring, (byte) => { this.uart.write(0, 1, BigInt(byte)); this.publishUart(); });
    const handle: VcpuHandle = {
      index: hart, hartId: hart, worker, state: stateViews(this.stateBuffers[hart]), uartRing,
      mmio: new MmioServer(slot, (req) => this.handleMmio(handle, req)),
    };
    handle.mmio.start();
    uartRing.start();
    this.vcpus.push(handle);
    this.vcpus.sort((a, b) => a.index - b.index);
    const ackId = this.nextAck++;
    // the worker reads its messages when one of the harts it already runs is kicked
    const running = this.vcpus.find((x) => x.worker === worker && x !== handle) ?? handle;
    return new Promise((resolve) => {
      this.acks.set(ackId, () => { this.acks.delete(ackId); resolve(); });
      worker.postMessage({ type: 'add-hart', hart, ack: ackId, spec: { hartId: hart, mmio: slot, uartRing: ring, startPaused: this.paused } } satisfies VcpuCommand);
      this.kick(running);
    });
  }

  /** Hot-remove hart `hart`: it stops at a block boundary, raises guest_cpu_exit, and its worker ends. */
  removeHart(hart: number): Promise<string | undefined> {
    return this.serialize(() => this.removeHartNow(hart));
  }

  private async removeHartNow(hart: number): Promise<string | undefined> {
    const v = this.vcpus.find((x) => x.hartId === hart);
    if (!v) return `CPU ${hart} is not present`;
    if (this.vcpus.length === 1) return 'Removing the last CPU is not supported';
    await this.commandAndWait(v, 'unplug');
    this.vcpus.splice(this.vcpus.indexOf(v), 1);
    v.uartRing.drain();
    v.uartRing.stop();
    v.mmio.stop();
    if (!this.vcpus.some((x) => x.worker === v.worker)) {
      const w = this.workers.find((x) => x.worker === v.worker);
      await Promise.race([w?.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      void v.worker.terminate();
      this.workers.splice(this.workers.findIndex((x) => x.worker === v.worker), 1);
    }
    const id = this.cpuIds.get(hart);
    this.cpuIds.delete(hart);
    this.config.tracing.state.vcpuFini(hart);
    Atomics.store(v.state.i32, WORD_RUN_STATE, RunState.Exited);
    this.hotplug?.hartRemoved(hart);
    this.keepSpareWorker();
    this.emit('DEVICE_DELETED', id !== undefined ? { device: id, path: `/machine/peripheral/${id}` } : { path: `/machine/soc0/harts[${hart}]` });
    return undefined;
  }

  // ---- control --------------------------------------------------------------------------

  private nextAck = 1;
  private readonly acks = new Map<number, (pc: number, error?: string) => void>();

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

  /** A command whose ack carries an error text (instrumentation). */
  private commandWithResult(v: VcpuHandle, type: VcpuCommandType, instr: InstrCommand): Promise<string | undefined> {
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.acks.set(id, (_pc, error) => { this.acks.delete(id); resolve(error); });
      this.command(v, { type, hart: v.hartId, ack: id, instr });
    });
  }

  /** Pause every vCPU at a block boundary; resolves when all have stopped. */
  async pause(): Promise<void> {
    this.paused = true;
    this.clint.pause();
    await Promise.all(this.vcpus.map((v) => this.commandAndWait(v, 'stop')));
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.clint.resume();
    await Promise.all(this.vcpus.map((v) => this.commandAndWait(v, 'cont')));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * HMP log / logfile / trace-file: the main thread, the translator service
   * and every vCPU worker (once per worker) apply `change` to their writers.
   * Resolves true once all have, so the caller may close a file no thread
   * uses any more; false if some worker did not answer within 5 s. Workers
   * started later take the new settings from the config.
   */
  changeOutput(change: OutputChange): Promise<boolean> {
    return this.serialize(async () => {
      if (change.kind === 'log') Object.assign(this.config.log, change.log);
      applyTraceOutputChange(this.config.tracing, change);
      if (this.shuttingDown) return true;
      const waits: Promise<void>[] = [];
      const translator = this.translator as Worker | undefined;
      if (translator !== undefined) {
        const id = this.nextAck++;
        waits.push(new Promise((resolve) => {
          this.translatorAcks.set(id, () => resolve());
          translator.postMessage({ type: 'output', change, ack: id } satisfies TranslatorCommand);
        }));
      }
      const seen = new Set<Worker>();
      for (const v of this.vcpus) {
        if (seen.has(v.worker)) continue;
        seen.add(v.worker);
        const id = this.nextAck++;
        waits.push(new Promise((resolve) => {
          this.acks.set(id, () => { this.acks.delete(id); resolve(); });
          this.command(v, { type: 'output', hart: v.hartId, ack: id, output: change });
        }));
      }
      const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref());
      return Promise.race([Promise.all(waits).then(() => true), timeout]);
    });
  }

  /** Trace state changed from outside a worker (monitor): drop translations so the next block sees it. */
  translationsChanged(): void {
    this.codeChanged();
  }

  /** Every present vCPU (also before its worker has started: then at the reset vector). */
  vcpuStates(): { index: number; pc: number; halted: boolean; state: VcpuStateViews; threadId: number }[] {
    return this.presentHarts().map((hart) => {
      const v = this.vcpus.find((x) => x.hartId === hart);
      const state = v?.state ?? stateViews(this.stateBuffers[hart]);
      return {
        index: hart,
        pc: v ? state.f64[SLOT_PC] : VIRT.mrom.base,
        halted: Atomics.load(state.i32, WORD_HALTED) === 1,
        state,
        threadId: v?.worker.threadId ?? 0,
      };
    });
  }

  private fatal(message: string): void {
    if (this.shuttingDown) return;
    this.config.onFatal(message);
    void this.terminate(1);
  }

  /** End every worker, flush devices and logs, then report the exit status. */
  async terminate(status: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.config.launcher.endUntaken(); // a spare vCPU worker (hot-plug) has nothing to do now
    if (this.started && this.instr.list().length > 0) {
      // libraries see the end: vCPUs stopped (and kept stopped), translations flushed, guest_cpu_exit, qi_fini
      const done = (async (): Promise<void> => {
        if (!this.paused) await this.pause();
        await this.instr.unloadAll((m) => this.config.report(m));
      })();
      await Promise.race([done, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
    }
    // every vCPU acknowledges its exit after flushing its trace buffers; then the workers end
    const acked = Promise.all(this.vcpus.map((v) => this.commandAndWait(v, 'exit')));
    const ackTimeout = new Promise<void>((r) => setTimeout(r, 5000).unref());
    await Promise.race([acked, ackTimeout]);
    this.translator?.postMessage({ type: 'exit' } satisfies TranslatorCommand);
    const all = Promise.all(this.workers.map((w) => w.exited));
    const timeout = new Promise<void>((r) => setTimeout(r, 5000).unref());
    await Promise.race([all, timeout]);
    for (const v of this.vcpus) { v.uartRing.drain(); v.uartRing.stop(); v.mmio.stop(); }
    for (const w of this.workers) void w.worker.terminate();
    if (this.translator) void this.translator.terminate();
    for (const d of this.devices) {
      try { d.flush?.(); } catch { /* keep flushing the others */ }
    }
    try { this.config.tracing.backend.close(); } catch { /* nothing more to save */ }
    if (this.config.log.fd > 2) {
      try { closeSync(this.config.log.fd); } catch { /* already closed */ }
    }
    this.config.onExit(status);
  }
}
