/**
 * Messages between the main thread and a vCPU worker. Commands name the hart
 * they are for (a thread=single worker runs several) and are drained by the
 * worker between blocks; the main thread also raises that hart's
 * exit-request word so a running or sleeping vCPU looks at once.
 */
import type { GuestMemoryBuffers } from '../memory/guest-memory.js';
import type { StateArea } from '../abi/state-layout.js';
import type { OutputChange, TracingConfig } from '../trace/thread-tracing.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import type { CpuLogFlags, ExecLogInfo } from './cpu-log.js';
import type { DebugStopKind } from './run-loop.js';
import type { TranslatorChannelBuffers } from './translator-channel.js';

export type VcpuCommandType = 'stop' | 'cont' | 'reset' | 'flush' | 'exit' | 'unplug' | 'instr' | 'add-hart' | 'output';

export interface VcpuCommand {
  type: VcpuCommandType;
  hart: number;
  /** When set, the worker answers with an `ack` carrying this id once the command took effect. */
  ack?: number;
  /** For 'instr': the instrumentation command (src/instr/thread-env.ts InstrCommand). */
  instr?: unknown;
  /** For 'add-hart' (thread=single): the new hart (HartSpec below). */
  spec?: unknown;
  /** For 'output' (HMP log / logfile / trace-file): sent once per worker, it changes the worker's writers. */
  output?: OutputChange;
}

export type VcpuReport =
  | { type: 'ready' }
  | { type: 'ack'; id: number; hart: number; pc: number; error?: string }
  | { type: 'exited'; hart: number; pc: number }
  /** A breakpoint or a single step stopped the vCPU (it is paused now). */
  | { type: 'debug'; hart: number; pc: number; kind: DebugStopKind; addr?: number }
  | { type: 'fatal'; message: string }
  /** The vCPU must ask the translator service, which has not been started yet (it waits for it). */
  | { type: 'need-translator' };

export interface HartSpec {
  /** vCPU index (QEMU's cpu_index) and hart id; equal on virt. */
  hartId: number;
  /** Its MMIO channel slot to the main thread. */
  mmio: SharedArrayBuffer;
  startPaused: boolean;
  /**
   * A worker restarted in place of one stuck in a library callback: the hart goes on from its state
   * area (registers, CSRs, privilege; the pc of the instruction whose event never returned:
   * SLOT_EVENT_PC), with no reset and no guest_cpu_enter.
   */
  resume?: boolean;
}

/** What a vCPU worker is started with (workerData, or the start message of an early worker). */
export interface VcpuWorkerData {
  harts: HartSpec[];
  /** 'single': all harts of `harts` (and later additions) share this thread. */
  thread: 'single' | 'multi';
  maxHarts: number;
  /** State buffers of every possible hart (msip writes and code-page flushes reach the others). */
  allStates: StateArea[];
  memory: GuestMemoryBuffers;
  clint: SharedArrayBuffer;
  clintBase: number;
  clintSize: number;
  translator: TranslatorChannelBuffers;
  /**
   * The device regions as QEMU has them (the CLINT's included), which vCPUs check accesses
   * against: src/hw/io-regions.ts IoRegion.
   */
  ioRegions: { name: string; base: number; size: number; validMin: number; validMax: number; readSizes?: readonly number[]; writeSizes?: readonly number[] }[];
  uartShadow: SharedArrayBuffer;
  /** The machine's ring of posted UART bytes, which every vCPU writes into (src/hw/uart-fast-path.ts). */
  uartRing: SharedArrayBuffer;
  uartBase: number;
  resetPc: number;
  log: CpuLogFlags;
  /** -d exec's function symbols and cflags. */
  execLog: ExecLogInfo;
  tracing: TracingConfig;
  /** Instrumentation libraries to load before the vCPUs start. */
  libraries: LibraryLoadMessage[];
  /** Which library callback the worker is in (src/instr/activity.ts). */
  instrActivity: SharedArrayBuffer;
  /** The simple trace backend's buffer, shared so a stuck worker's records are not lost (newTraceSpill). */
  traceSpill: SharedArrayBuffer;
}
