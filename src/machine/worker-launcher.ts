/**
 * How the machine gets its worker threads (and a thread to compile instrumentation libraries on). The thread layer (src/threads/early-workers.ts)
 * implements it: it knows the entry-point scripts and may have started workers before the
 * machine existed, which the machine then takes instead of spawning new ones.
 */
import type { Worker } from 'node:worker_threads';
import type { VcpuWorkerData } from '../vcpu/protocol.js';
import type { TranslatorWorkerData } from '../vcpu/translator-protocol.js';

export interface WorkerLauncher {
  /** The translator service, running with `data`. */
  translator(data: TranslatorWorkerData): Worker;
  /** A vCPU worker, running with `data`. */
  vcpu(data: VcpuWorkerData): Worker;
  /** While CPU hot-plug has room: keep one vCPU worker loaded and waiting (a hot-add then starts faster). */
  keepSpareVcpu(): void;
  /** End the workers started ahead of the machine that nobody took, but `spareVcpus` vCPU workers. */
  endUntaken(spareVcpus?: number): void;
  /** Type-check and bundle an instrumentation library on a thread of its own (src/instr LibraryCompiler). */
  compileLibrary(path: string): Promise<string>;
}
