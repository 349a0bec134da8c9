/**
 * What the process service (main thread of `tsemu-riscv64`) sends each guest thread's vCPU worker,
 * and what the worker reports back: a trap for the service (syscall, fault, signal check, with the
 * details in the thread's channel), the end of the thread, or an internal error.
 */
import type { FunctionSymbol } from './elf-symbols.js';
import type { StateArea } from '../abi/state-layout.js';
import type { FlatLayout } from '../abi/tlb.js';
import type { TracingConfig } from '../trace/thread-tracing.js';
import type { GuestMemoryBuffers } from '../memory/guest-memory.js';
import type { InstrReport } from '../instr/thread-env.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';

export interface UserWorkerData {
  /** The process's guest memory. */
  mem: GuestMemoryBuffers;
  /**
   * The thread's vCPU state, with the registers it starts with (pc, x, f, fcsr) already set: an area
   * of the process's WebAssembly memory (so hot blocks can go to the wasm tier), or a buffer of its
   * own when the process has more threads than areas.
   */
  state: StateArea;
  /** The thread's call channel (channel.ts). */
  channel: SharedArrayBuffer;
  /** satp of the process's page tables. */
  satp: bigint;
  /** With -R: the process's flat memory (guest address = offset; src/abi/tlb.ts), else the TLB. */
  flat?: FlatLayout;
  tid: number;
  pid: number;
  /** vCPU index (the `cpu=` of trace events): the thread's number in the process, from 0. */
  cpu: number;
  strace: boolean;
  /** -d items, and where -d output and -strace go (stderr or the -D file). */
  log: UserLog;
  /** The process's function symbols (`-d in_asm`'s `IN: name`), QEMU's lookup order; empty without in_asm. */
  symbols: readonly (readonly FunctionSymbol[])[];
  tracing: TracingConfig;
  /** The process already has (had) a second thread: QEMU's CF_PARALLEL in `-d exec`'s cflags. */
  parallel?: boolean;
  /** vCPU rows of instrumentation scoreboards (user-main adds it with the libraries). */
  maxVcpus?: number;
  /** -instr libraries the thread's worker loads before its first instruction (user-main adds them). */
  instr?: LibraryLoadMessage[];
}

/** The `-d` items user mode logs, and the descriptor -d output and -strace go to. */
export interface UserLog {
  int: boolean;
  exec: boolean;
  cpu: boolean;
  inAsm: boolean;
  op: boolean;
  outAsm: boolean;
  fd: number;
}

export type UserWorkerReport =
  | { type: 'trap'; tid: number }
  | { type: 'done'; tid: number }
  | { type: 'fatal'; message: string }
  /** From the worker's instrumentation instances (a callback threw, a message for the user). */
  | { type: 'instr'; report: InstrReport };
