/**
 * What the main thread of `tsemu-riscv64` sends the process's vCPU worker, and what the worker
 * reports back: the process ended (exit status or signal), or it could not be loaded.
 */
import type { TracingConfig } from '../trace/thread-tracing.js';

export interface UserWorkerData {
  program: string;
  argv: string[];
  envp: string[];
  ldPrefix: string;
  stackSize: number;
  strace: boolean;
  /** -d int / exec / cpu, and where -d output and -strace go (stderr or the -D file). */
  log: { int: boolean; exec: boolean; cpu: boolean; fd: number };
  tracing: TracingConfig;
  unameRelease: string | undefined;
  seed: bigint | undefined;
}

export type UserWorkerReport =
  | { type: 'exit'; status: number }
  | { type: 'signal'; signal: number }
  /** The program could not be loaded: the line to print and the exit status (QEMU: 1 or 255). */
  | { type: 'load-error'; message: string; status: number; stdout: boolean }
  | { type: 'fatal'; message: string };
