/**
 * Start the worker threads before the main thread has loaded its own
 * modules (the translator service only when the vCPUs will need it at once): each worker spends ~100 ms loading and compiling its module graph,
 * which now overlaps with the main thread's. The workers wait for their job
 * (src/util/worker-input.ts); the machine takes them with takeEarlyWorker()
 * and falls back to new workers if there are none (tests, hot-plug).
 *
 * Only a cheap look at argv decides how many: -smp's first number (1 by
 * default), one for -accel tcg,thread=single. Workers nobody takes are
 * ended once the machine has started.
 */
import { Worker } from 'node:worker_threads';
import { DEFERRED_START, type StartMessage } from '../util/worker-input.js';
import type { WorkerLauncher } from '../machine/worker-launcher.js';
import { compileInPool } from './compile-pool.js';

export type EarlyWorkerKind = 'translator' | 'vcpu';

const SCRIPTS: Record<EarlyWorkerKind, URL> = {
  translator: new URL('./translator-worker.js', import.meta.url),
  vcpu: new URL('./vcpu-worker.js', import.meta.url),
};
const MAX_EARLY_VCPUS = 8;
/**
 * A worker's JS heap limit. Guest RAM and WebAssembly code live outside it; what grows inside is
 * translated code and library state. Without a limit a library callback that allocates without
 * bound takes the host's memory and GC time (3 GiB in 16 s, SIGTERM taking 13 s); with it the
 * worker ends with ERR_WORKER_OUT_OF_MEMORY and the machine names the library's callback.
 */
const WORKER_HEAP_MB = 1024;
const WORKER_OPTIONS = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } } as const;

const waiting: Record<EarlyWorkerKind, Worker[]> = { translator: [], vcpu: [] };

function spawn(kind: EarlyWorkerKind): void {
  const w = new Worker(SCRIPTS[kind], { workerData: DEFERRED_START, ...WORKER_OPTIONS });
  w.unref(); // an untaken worker never keeps the process alive
  // a worker that fails before it is taken is dropped: the machine then starts a
  // fresh one, whose failure it reports
  w.on('error', () => undefined);
  w.once('exit', () => {
    const list = waiting[kind];
    if (list.includes(w)) list.splice(list.indexOf(w), 1);
  });
  waiting[kind].push(w);
}

/** How many vCPU workers the command line will want, as far as a glance can tell. */
export function expectedVcpuWorkers(argv: readonly string[]): number {
  let n = 1;
  for (let i = 0; i < argv.length - 1; i++) {
    const opt = argv[i].replace(/^--/, '-');
    const value = argv[i + 1];
    if (opt === '-accel' && /thread=single/.test(value)) return 1;
    if (opt === '-smp') {
      const m = /^(?:cpus=)?(\d+)/.exec(value) ?? /(?:^|,)cpus=(\d+)/.exec(value);
      if (m) n = Number(m[1]);
    }
  }
  return Math.max(1, Math.min(n, MAX_EARLY_VCPUS));
}

/**
 * Should the translator service start now? When something may observe
 * translation from the start (`-d`, `-trace`, `-instr`; see
 * src/vcpu/block-cache.ts), the vCPUs need it from their first block.
 * Otherwise the vCPUs translate by themselves and the machine starts the
 * service only if something later needs it (src/machine/vcpu-threads.ts).
 */
export function translatorNeededAtOnce(argv: readonly string[]): boolean {
  return argv.some((arg) => ['-d', '-trace', '-instr'].includes(arg.replace(/^--/, '-')));
}

/** Does -smp leave room for hot-added vCPUs (maxcpus above the CPU count)? */
export function hotplugRoom(argv: readonly string[]): boolean {
  if (argv.some((arg, i) => arg.replace(/^--/, '-') === '-accel' && /thread=single/.test(argv[i + 1] ?? ''))) return false; // one worker for all
  for (let i = 0; i < argv.length - 1; i++) {
    if (argv[i].replace(/^--/, '-') !== '-smp') continue;
    const max = /(?:^|,)maxcpus=(\d+)/.exec(argv[i + 1]);
    if (max) return Number(max[1]) > expectedVcpuWorkers(argv);
  }
  return false;
}

/**
 * Spawn the expected vCPU workers now (and a spare one when hot-plug has
 * room, see keepSpareVcpuWorker), and the translator service if they will
 * need it at once.
 */
export function spawnEarlyWorkers(argv: readonly string[]): void {
  if (translatorNeededAtOnce(argv)) spawn('translator');
  for (let i = expectedVcpuWorkers(argv) + (hotplugRoom(argv) ? 1 : 0); i > 0; i--) spawn('vcpu');
}

/**
 * Keep one vCPU worker loaded and waiting for a hot-added vCPU (the machine
 * calls this while hot-plug has room): a hot-add then skips the ~80 ms a new
 * worker spends loading and compiling its modules.
 */
export function keepSpareVcpuWorker(): void {
  if (waiting.vcpu.length === 0) spawn('vcpu');
}

/** A worker of `kind` spawned early, now the caller's (it must post the start message), or undefined. */
export function takeEarlyWorker(kind: EarlyWorkerKind): Worker | undefined {
  const w = waiting[kind].shift();
  if (!w) return undefined;
  w.ref();
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  return w;
}

/** End the early workers nobody took, but `keepVcpus` vCPU workers (spares for hot-plug). */
export function endUntakenWorkers(keepVcpus = 0): void {
  for (const w of waiting.translator.splice(0)) void w.terminate();
  for (const w of waiting.vcpu.splice(keepVcpus)) void w.terminate();
}

/** A worker of `kind` running with `data`: one spawned early, or a new one. */
function startWorker<T>(kind: EarlyWorkerKind, data: T): Worker {
  const early = takeEarlyWorker(kind);
  if (!early) return new Worker(SCRIPTS[kind], { workerData: data, ...WORKER_OPTIONS });
  early.postMessage({ type: 'start', data } satisfies StartMessage<T>);
  return early;
}

/** The machine's threads: the entry points of this folder, early ones first. */
export const workerLauncher: WorkerLauncher = {
  translator: (data) => startWorker('translator', data),
  vcpu: (data) => startWorker('vcpu', data),
  keepSpareVcpu: keepSpareVcpuWorker,
  endUntaken: endUntakenWorkers,
  compileLibrary: compileInPool,
};
