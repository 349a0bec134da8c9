/**
 * Entry point of a vCPU worker thread. With thread=multi (the default) a
 * worker runs exactly one vCPU; with thread=single one worker runs every vCPU
 * in turn. Control messages arrive on the parent port and are drained
 * synchronously between blocks (receiveMessageOnPort), so a vCPU never has to
 * return to its event loop while the guest runs.
 */
import { startDeferred, workerInput } from '../util/worker-input.js';
import { primeInterpreter } from '../vcpu/interpreter-primer.js';
import { parentPort, receiveMessageOnPort, MessagePort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { GuestMemory, GuestMemoryBuffers } from '../memory/guest-memory.js';
import { MmioClient } from '../memory/mmio-channel.js';
import { UartFastPath } from '../hw/uart-fast-path.js';
import { Clint, ClintShared } from '../hw/clint.js';
import type { AccessSize } from '../hw/device.js';
import type { GuestLog } from '../hw/guest-log.js';
import { IoAddressSpace, type IoPiece } from '../hw/io-regions.js';
import { MAX_VCPUS, TranslatorChannelBuffers, TranslatorClient } from '../vcpu/translator-channel.js';
import { MmioPort, VcpuContext } from '../vcpu/context.js';
import { BlockCache, BlockSource } from '../vcpu/block-cache.js';
import { asyncAfterMsSetting, asyncWasmCompile, hotThresholdSetting, tierSetting, wasmLinksSetting } from './tier-setting.js';
import { startWasmCompiler } from './wasm-compiler.js';
import { RunLoop, runOneVcpu, runRoundRobin } from '../vcpu/run-loop.js';
import { applyTraceOutputChange, attachTracing, bindThreadTracing, OutputChange, TracingConfig } from '../trace/thread-tracing.js';
import { EVENT_CPU_ENTER, EVENT_CPU_EXIT, EVENT_CPU_RESET, InstrCommand, InstrThread } from '../instr/thread-env.js';
import { guestMemoryForInstr, hartPresent } from '../instr/memory-access.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import { EventId, trace_guest_vcpu_discon, trace_guest_vcpu_idle, trace_guest_vcpu_resume, trace_riscv_trap, trace_riscv_interrupt } from '../trace/generated/events.js';
import { ExitReason, SLOT_INSTRET, stateViews, VcpuStateViews, WORD_EXIT_REASONS, WORD_EXIT_REQUEST } from '../abi/state-layout.js';
import type { HartSpec, VcpuCommand, VcpuReport, VcpuWorkerData } from '../vcpu/protocol.js';
import { CpuLog, CpuLogFlags, formatTrap } from '../vcpu/cpu-log.js';



const port = parentPort as MessagePort;
if (!port) throw new Error('vcpu worker must run in a worker thread');
/** Set first thing in main() (workerData, or the start message of an early worker). */
let data: VcpuWorkerData;

function post(report: VcpuReport): void {
  port.postMessage(report);
}

/** State shared by every vCPU this worker runs. */
class WorkerShared {
  readonly mem = new GuestMemory(data.memory);
  readonly clintShared = new ClintShared(data.clint);
  readonly harts: VcpuStateViews[] = data.allStates.map((b) => stateViews(b));
  /** Always there so that HMP `log` can switch items on later; with every flag off the run loop keeps its fast path. */
  readonly log = new CpuLog(data.log, data.execLog);
  /** -d guest_errors / unimp lines of this worker's devices (the CLINT) and of its vCPUs' accesses. */
  readonly guestLog = guestLogOf(this.log);
  readonly clint = new Clint(this.clintShared, data.maxHarts, (h) => this.harts[h], { base: data.clintBase, size: data.clintSize, log: this.guestLog });
  readonly io = new IoAddressSpace(data.ioRegions);
  readonly tracing = attachTracing(data.tracing, data.traceSpill);
  readonly instr = new InstrThread({
    role: 'vcpu',
    tracing: this.tracing,
    memory: guestMemoryForInstr(this.mem, () => this.harts, (c) => hartPresent(this.harts[c])),
    maxVcpus: MAX_VCPUS, // scoreboards have a row for every possible vCPU
    report: (msg) => port.postMessage(msg),
    stateChanged: () => this.flushEverywhere(),
    activity: data.instrActivity,
    stopHere: () => this.stopHere?.(),
  });
  /** Pause this worker's vCPUs now (set in main: qi_exit / qi_vm_stop from one of their callbacks). */
  stopHere: (() => void) | undefined;
  /** Async work (library loads) waiting for the event loop; acks are sent when each is done. */
  readonly asyncQueue: (() => Promise<void>)[] = [];

  constructor() {
    bindThreadTracing(this.tracing, (id, cpu, args) => this.instr.rt.deliver(id, cpu, args));
    // -icount: the main thread's virtual clock, every hart's retired instructions (board.ts)
    this.clintShared.useInstructionClock(() => {
      let n = 0;
      for (const s of this.harts) n += s.f64[SLOT_INSTRET];
      return n;
    });
  }

  /** HMP log / logfile / trace-file: this worker's -d output and trace writer follow. */
  applyOutput(change: OutputChange): void {
    if (change.kind === 'log') {
      const { int, exec, cpu, unimp, guestErrors, nochain, fd } = change.log;
      this.log.setFlags({ int, exec, cpu, unimp, guestErrors, nochain, fd });
    }
    applyTraceOutputChange(this.tracing, change);
  }

  /** Trace state or callbacks changed: every translation is stale; make every vCPU notice now. */
  flushEverywhere(): void {
    this.mem.bumpEpoch();
    for (const h of this.harts) Atomics.store(h.i32, WORD_EXIT_REQUEST, 1);
  }

  async runAsyncWork(): Promise<void> {
    for (let work = this.asyncQueue.shift(); work; work = this.asyncQueue.shift()) await work();
  }
}

/** One vCPU in this worker. */
class HartRuntime {
  readonly ctx: VcpuContext;
  readonly cache: BlockCache;
  readonly loop: RunLoop;
  readonly translatorClient: TranslatorClient;
  readonly pending: VcpuCommand[] = [];
  paused: boolean;
  running = true;
  exitRaised = false;

  constructor(readonly spec: HartSpec, private readonly shared: WorkerShared, drain: () => void, private readonly workerHarts: () => number[]) {
    const hartId = spec.hartId;
    this.paused = spec.startPaused;
    const mmio = mmioPort(shared, spec.mmio);
    this.ctx = new VcpuContext(shared.harts[hartId], hartId, shared.mem, mmio, shared.clintShared);
    this.ctx.log = shared.guestLog;
    const log = shared.log;
    this.ctx.trapObserver = (cause, interrupt, epc, tval) => {
      if (log.flags.int) log.write(formatTrap(hartId, cause, interrupt, epc, tval));
      if (interrupt) trace_riscv_interrupt(hartId, BigInt(cause), BigInt.asUintN(64, BigInt(epc)));
      else trace_riscv_trap(hartId, BigInt(cause), BigInt.asUintN(64, BigInt(epc)), BigInt.asUintN(64, tval));
    };
    this.ctx.disconObserver = (type, from, to, cause) => {
      trace_guest_vcpu_discon(hartId, type, BigInt.asUintN(64, BigInt(from)), BigInt.asUintN(64, BigInt(to)), BigInt(cause));
    };
    this.ctx.otherHartsFlushWriteTlb = () => {
      shared.harts.forEach((h, i) => {
        if (i === hartId) return;
        Atomics.or(h.i32, WORD_EXIT_REASONS, ExitReason.FlushTlb);
        Atomics.store(h.i32, WORD_EXIT_REQUEST, 1);
      });
    };
    if (spec.resume === true) this.ctx.resumeFromState();
    else this.ctx.resetState(data.resetPc);
    const rt = shared.instr.rt;
    this.translatorClient = new TranslatorClient(data.translator, hartId, () => post({ type: 'need-translator' }));
    const dispatchers = rt.events.map((_, id) => rt.execDispatcher(id, hartId, shared.tracing.state.dstate));
    const client = this.translatorClient;
    const dstate = shared.tracing.state.dstate;
    const source: BlockSource = {
      fetch: (pc, pa, pa2, priv) => client.fetch(pc, pa, pa2, priv),
      refetch: (pc, pa, pa2, priv) => client.refetch(pc, pa, pa2, priv),
      // translate_block is raised by the service: its state is checked here too, as enabling it moves no epoch
      mayTranslateHere: (epoch) => client.mayTranslateHere(epoch) && (Atomics.load(dstate, EventId.translate_block) & 1) === 0,
    };
    // with one possible vCPU, or every vCPU in this thread, no other thread runs guest code
    const soleAccessor = data.maxHarts === 1 || data.thread === 'single';
    const tier = tierSetting();
    const hot = hotThresholdSetting();
    const vcpuThreads = data.thread === 'single' ? 1 : data.maxHarts;
    // a spinning vCPU may hold the host CPU another vCPU's thread needs (in thread=single the
    // others wait for its turn to end anyway)
    this.ctx.spinYield = vcpuThreads > 1;
    const compiler = asyncWasmCompile(tier, hot, this.ctx.timer.icount !== undefined, vcpuThreads) ? startWasmCompiler() : undefined;
    this.cache = new BlockCache(this.ctx, shared.mem, source, dispatchers, shared.instr.boards, hot, soleAccessor, tier, compiler);
    this.cache.chainLinks = wasmLinksSetting();
    this.cache.asyncAfterMs = asyncAfterMsSetting();
    this.loop = new RunLoop(this.ctx, this.cache, {
      handleControl: () => {
        drain();
        for (let cmd = this.pending.shift(); cmd; cmd = this.pending.shift()) this.handle(cmd);
        return this.running;
      },
      paused: () => this.paused,
      yieldRequested: () => shared.asyncQueue.length > 0,
      ringDevices: () => mmio.uart.ringReader(),
      debugStop: (kind, addr) => {
        this.paused = true; // stays stopped until the debugger lets it go (a 'cont')
        post({ type: 'debug', hart: this.spec.hartId, pc: this.ctx.pc, kind, addr });
      },
      idleChanged: (idle) => {
        if (idle) trace_guest_vcpu_idle(hartId);
        else trace_guest_vcpu_resume(hartId);
      },
    }, log);
  }

  /** Raise a vCPU event (guest_cpu_enter/exit/reset) for this vCPU in this worker. */
  raise(id: number): void {
    this.shared.instr.rt.raise(id, this.spec.hartId, []);
  }

  private handle(cmd: VcpuCommand): void {
    switch (cmd.type) {
      case 'stop': this.paused = true; break;
      case 'cont': this.paused = false; break;
      case 'reset':
        this.ctx.resetState(data.resetPc);
        this.cache.flush();
        this.raise(EVENT_CPU_RESET);
        break;
      case 'instr': {
        const instr = cmd.instr as InstrCommand;
        const ack = cmd.ack;
        this.shared.asyncQueue.push(async () => {
          let error: string | undefined;
          try {
            await this.shared.instr.handle(instr, this.workerHarts());
          } catch (e) {
            error = e instanceof Error ? e.message : String(e);
          }
          if (ack !== undefined) post({ type: 'ack', id: ack, hart: this.spec.hartId, pc: this.ctx.pc, error });
        });
        return; // acked when the work is done
      }
      case 'flush': this.cache.flush(); break;
      case 'output': {
        if (cmd.output !== undefined) this.shared.applyOutput(cmd.output);
        if (cmd.output?.kind !== 'log') break;
        // The run loop picks its logged (-d exec/cpu) or fast loop when step() starts, and with
        // thread=multi one step() lasts until the vCPU stops: queued work makes it leave step()
        // (Yield) and come back in the right loop. The ack follows, so the monitor's `log` returns
        // once the switch is done.
        const ack = cmd.ack;
        this.shared.asyncQueue.push(async () => {
          if (ack !== undefined) post({ type: 'ack', id: ack, hart: this.spec.hartId, pc: this.ctx.pc });
        });
        return;
      }
      case 'unplug':
        // hot-unplug: guest_cpu_exit before the vCPU goes
        this.raise(EVENT_CPU_EXIT);
        this.running = false;
        this.exitRaised = true;
        this.shared.tracing.backend.flush();
        break;
      case 'exit':
        // the machine ends: like QEMU, no guest_cpu_exit for vCPUs that are not unplugged
        // (libraries got theirs when they were unloaded)
        this.running = false;
        this.exitRaised = true;
        this.shared.tracing.backend.flush(); // trace records are complete before the ack
        break;
    }
    if (cmd.ack !== undefined) post({ type: 'ack', id: cmd.ack, hart: this.spec.hartId, pc: this.ctx.pc });
  }
}

/** QEMU's qemu_log_mask() in a vCPU worker: the worker's -d flags, read at each line. */
function guestLogOf(log: CpuLog): GuestLog {
  return {
    guestError(text) { if (log.flags.guestErrors) log.write(text); },
    unimp(text) { if (log.flags.unimp) log.write(text); },
  };
}

/**
 * A vCPU's device accesses: checked against QEMU's regions first (guest-error lines, access
 * faults), then served piece by piece: the CLINT here, the UART's LSR reads and THR writes
 * on the fast path, everything else by the main thread's devices.
 */
function mmioPort(shared: WorkerShared, slot: SharedArrayBuffer): MmioPort & { remote: MmioClient; uart: UartFastPath } {
  const remote = new MmioClient(slot);
  const uart = new UartFastPath(data.uartShadow, data.uartRing, data.uartBase);
  const { clint, io, guestLog } = shared;
  const inClint = (pa: number): boolean => pa >= data.clintBase && pa < data.clintBase + data.clintSize;
  const readPiece = (p: IoPiece): bigint | undefined => {
    if (inClint(p.pa)) return clint.read(p.pa - data.clintBase, p.size as AccessSize);
    return uart.read(p.pa, p.size) ?? remote.access(p.pa, p.size, false, 0n);
  };
  const writePiece = (p: IoPiece, value: bigint): boolean => {
    if (inClint(p.pa)) {
      clint.write(p.pa - data.clintBase, p.size as AccessSize, value);
      return true;
    }
    return uart.write(p.pa, p.size, value) || remote.access(p.pa, p.size, true, value) !== undefined;
  };
  return {
    remote,
    uart,
    read(pa, size) {
      const pieces = io.check(pa, size, false, guestLog);
      if (pieces === undefined) return undefined;
      let value = 0n;
      for (const p of pieces) {
        const v = readPiece(p);
        if (v === undefined) return undefined;
        value |= BigInt.asUintN(p.size * 8, v) << BigInt(8 * (p.pa - pa));
      }
      return value;
    },
    write(pa, size, value) {
      const pieces = io.check(pa, size, true, guestLog);
      if (pieces === undefined) return false;
      for (const p of pieces) {
        if (!writePiece(p, BigInt.asUintN(p.size * 8, value >> BigInt(8 * (p.pa - pa))))) return false;
      }
      return true;
    },
    fetchFault(pa) {
      // QEMU reads code outside RAM/ROM through the memory core, 2 bytes first (the RVC parcel)
      io.check(pa, 2, false, guestLog);
    },
  };
}

async function main(): Promise<void> {
  mark('loaded');
  // an early worker waits for the main thread: warm the interpreter up meanwhile
  if (startDeferred()) primeInterpreter();
  mark('primed');
  data = await workerInput<VcpuWorkerData>();
  mark('job');
  const shared = new WorkerShared();
  const runtimes = new Map<number, HartRuntime>();
  const drain = (): void => {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const cmd = m.message as VcpuCommand;
      if (cmd.type === 'add-hart') addHart(cmd);
      else runtimes.get(cmd.hart)?.pending.push(cmd);
    }
  };
  /** thread=single hot-plug: the new hart joins this worker's round robin, guest_cpu_enter first. */
  const addHart = (cmd: VcpuCommand): void => {
    const spec = cmd.spec as HartSpec;
    const r = new HartRuntime(spec, shared, drain, hartIds);
    runtimes.set(spec.hartId, r);
    r.raise(EVENT_CPU_ENTER);
    if (cmd.ack !== undefined) post({ type: 'ack', id: cmd.ack, hart: spec.hartId, pc: r.ctx.pc });
  };
  const hartIds = (): number[] => [...runtimes.keys()];
  // a library's qi_exit / qi_vm_stop: no guest code after the current block (the main thread then stops or ends the machine)
  shared.stopHere = () => {
    for (const r of runtimes.values()) {
      r.paused = true;
      Atomics.store(shared.harts[r.spec.hartId].i32, WORD_EXIT_REQUEST, 1);
    }
  };
  for (const lib of data.libraries) await shared.instr.load(lib, data.harts.map((h) => h.hartId));
  for (const spec of data.harts) runtimes.set(spec.hartId, new HartRuntime(spec, shared, drain, hartIds));
  // QEMU raises guest_cpu_enter when a vCPU is created, before its first instruction
  for (const r of runtimes.values()) if (r.spec.resume !== true) r.raise(EVENT_CPU_ENTER);
  post({ type: 'ready' });
  mark('ready');
  const work = (): Promise<void> => shared.runAsyncWork();
  if (data.thread === 'multi') {
    const only = [...runtimes.values()][0];
    await runOneVcpu(only.loop, work);
  } else {
    await runRoundRobin(() => [...runtimes.values()].filter((r) => !r.exitRaised || r.running).map((r) => r.loop), work);
  }
  if (process.env.TSEMU_STATS) {
    mark('guest done');
    process.stderr.write(`[stats] vCPU thread ${[...runtimes.keys()].join(',')}: ${threadCpuSeconds()} s of CPU; ${marks.join(', ')} ms after the process started\n`);
    for (const r of runtimes.values()) {
      const t = r.translatorClient;
      const { remote: m, uart } = r.ctx.mmio as ReturnType<typeof mmioPort>;
      process.stderr.write(`[stats] hart ${r.spec.hartId}: ${r.ctx.instret} instructions; ${r.loop.sleeps} sleeps, ${r.ctx.spinYields} spin yields; ${t.requests} translations requested, ${t.waitMs.toFixed(0)} ms waiting; ` +
        `${r.cache.translatedHere} translated here, ${r.cache.fromServiceIr} from the service as IR (${r.cache.promoted} hot); ${r.cache.compiled} compiled in ${r.cache.compileMs.toFixed(0)} ms; ` +
        `${r.cache.wasm ? `${r.cache.wasm.blocks} to wasm in ${r.cache.wasm.modules} modules (${r.cache.wasm.slotsMade} link table entries), ${r.cache.wasm.compileMs.toFixed(0)} ms here` +
          `${r.cache.wasm.batchesElsewhere ? ` (${r.cache.wasm.batchesElsewhere} compiled in its compiler thread in ${r.cache.wasm.compileMsElsewhere.toFixed(0)} ms)` : ''}; ` : ''}${m.accesses} MMIO accesses, ${m.waitMs.toFixed(0)} ms; ` +
        `UART fast path: ${uart.shadowReads} LSR reads, ${uart.posted} bytes posted, reader rung ${uart.rings} times\n`);
    }
  }
  for (const r of runtimes.values()) post({ type: 'exited', hart: r.spec.hartId, pc: r.ctx.pc });
  shared.tracing.backend.flush();
}

const marks: string[] = [];
/** Note when this thread reached a start-up step (TSEMU_STATS), in ms from the process's start (TSEMU_T0, set by bin/). */
function mark(step: string): void {
  const t0 = Number(process.env.TSEMU_T0);
  if (process.env.TSEMU_STATS && t0 > 0) marks.push(`${step} ${(performance.timeOrigin + performance.now() - t0).toFixed(0)}`);
}

/**
 * This thread's CPU time (user + system, from /proc/thread-self/stat; TSEMU_STATS): on a busy
 * host it tells a change to the run loop from the host's noise better than wall time does.
 */
function threadCpuSeconds(): string {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'latin1').split(') ')[1].split(' ');
    return `${((Number(fields[11]) + Number(fields[12])) / 100).toFixed(2)} (user ${(Number(fields[11]) / 100).toFixed(2)})`; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return '?';
  }
}

main().catch((e: unknown) => {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});
