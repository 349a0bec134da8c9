/**
 * Entry point of a vCPU worker thread: builds the vCPU context over the
 * shared state and guest memory, then runs the run loop until the machine
 * ends it. Control messages arrive on the parent port and are drained
 * synchronously between blocks (receiveMessageOnPort), so a vCPU never has
 * to return to its event loop while the guest runs.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { GuestMemory, GuestMemoryBuffers } from '../memory/guest-memory.js';
import { MmioClient } from '../memory/mmio-channel.js';
import { Clint, ClintShared } from '../hw/clint.js';
import { TranslatorChannelBuffers, TranslatorClient } from '../tcg/translator-channel.js';
import { MmioPort, VcpuContext } from './context.js';
import { BlockCache } from './block-cache.js';
import { RunLoop } from './run-loop.js';
import { ExitReason, stateViews, VcpuStateViews, WORD_EXIT_REASONS, WORD_EXIT_REQUEST, WORD_RUN_STATE, RunState } from './state-layout.js';
import type { VcpuCommand, VcpuReport } from './protocol.js';
import { CpuLog, CpuLogFlags, formatTrap } from './cpu-log.js';

export interface VcpuWorkerData {
  index: number;
  hartId: number;
  numHarts: number;
  state: SharedArrayBuffer;
  /** State buffers of every hart (msip writes kick other harts). */
  allStates: SharedArrayBuffer[];
  memory: GuestMemoryBuffers;
  clint: SharedArrayBuffer;
  clintBase: number;
  clintSize: number;
  translator: TranslatorChannelBuffers;
  mmio: SharedArrayBuffer;
  /** Physical ranges served by the main thread's devices. */
  deviceRanges: { base: number; size: number }[];
  resetPc: number;
  startPaused: boolean;
  log: CpuLogFlags;
}

const port = parentPort;
if (!port) throw new Error('vcpu worker must run in a worker thread');
const data = workerData as VcpuWorkerData;

function post(report: VcpuReport): void {
  port?.postMessage(report);
}

function buildMmioPort(clint: Clint): MmioPort {
  const remote = new MmioClient(data.mmio);
  const ranges = data.deviceRanges;
  const mapped = (pa: number): boolean => ranges.some((r) => pa >= r.base && pa < r.base + r.size);
  const inClint = (pa: number): boolean => pa >= data.clintBase && pa < data.clintBase + data.clintSize;
  return {
    read(pa, size) {
      if (inClint(pa)) return clint.read(pa - data.clintBase, size as 1 | 2 | 4 | 8);
      return mapped(pa) ? remote.access(pa, size, false, 0n) : undefined;
    },
    write(pa, size, value) {
      if (inClint(pa)) {
        clint.write(pa - data.clintBase, size as 1 | 2 | 4 | 8, value);
        return true;
      }
      return mapped(pa) ? remote.access(pa, size, true, value) !== undefined : false;
    },
  };
}

function main(): void {
  const state = stateViews(data.state);
  const harts: VcpuStateViews[] = data.allStates.map((b) => stateViews(b));
  const mem = new GuestMemory(data.memory);
  const clintShared = new ClintShared(data.clint);
  const clint = new Clint(clintShared, data.numHarts, (h) => harts[h]);
  const ctx = new VcpuContext(state, data.hartId, mem, buildMmioPort(clint), {
    mtime: () => clintShared.mtime(),
    mtimecmp: (h) => clintShared.mtimecmp(h),
  });
  const log = data.log.int || data.log.exec || data.log.cpu ? new CpuLog(data.log) : undefined;
  if (log?.flags.int) {
    ctx.trapObserver = (cause, interrupt, epc, tval) => log.write(formatTrap(data.hartId, cause, interrupt, epc, tval));
  }
  ctx.otherHartsFlushWriteTlb = () => {
    harts.forEach((h, i) => {
      if (i === data.hartId) return;
      Atomics.or(h.i32, WORD_EXIT_REASONS, ExitReason.FlushTlb);
      Atomics.store(h.i32, WORD_EXIT_REQUEST, 1);
    });
  };
  ctx.resetState(data.resetPc);
  const translator = new TranslatorClient(data.translator, data.index);
  const cache = new BlockCache(ctx, mem, translator, {});
  let paused = data.startPaused;
  let running = true;

  const handle = (cmd: VcpuCommand): void => {
    switch (cmd.type) {
      case 'stop': paused = true; break;
      case 'cont': paused = false; break;
      case 'reset':
        ctx.resetState(data.resetPc);
        cache.flush();
        break;
      case 'flush': cache.flush(); break;
      case 'exit': running = false; break;
    }
    if (cmd.ack !== undefined) post({ type: 'ack', id: cmd.ack, pc: ctx.pc });
  };

  const loop = new RunLoop(ctx, cache, {
    handleControl() {
      for (let m = receiveMessageOnPort(port as never); m; m = receiveMessageOnPort(port as never)) {
        handle(m.message as VcpuCommand);
      }
      return running;
    },
    paused: () => paused,
  }, log);
  post({ type: 'ready' });
  loop.run();
  Atomics.store(state.i32, WORD_RUN_STATE, RunState.Exited);
  post({ type: 'exited', pc: ctx.pc });
}

try {
  main();
} catch (e) {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
