/**
 * Loading and unloading library instances in one thread. The main thread's
 * instance is the primary one (its qi_init/qi_fini output is what the user
 * sees); the instances in the translator service and the vCPU workers run the
 * same qi_init/qi_fini with their console output discarded, so a library
 * prints its banner and its summary once.
 */
import { errorText } from './errors.js';
import { underWatchdog, WatchdogExpired } from './watchdog.js';
import { writeAll } from '../util/write-all.js';
import { pathToFileURL } from 'node:url';
import { InstrRuntime, LibraryInstance } from './runtime.js';

/**
 * A scoreboard as the workers receive it: `length` BigInt64 counters (a row of `counters` per
 * possible vCPU) at `byteOffset` in `buffer` (a buffer of its own, or the counter arena in the
 * machine's WebAssembly memory).
 */
export interface ScoreboardSpec {
  id: number;
  counters: number;
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** What the main thread sends a worker to load one library. */
export interface LibraryLoadMessage {
  id: string;
  /** Compiled module (absolute path). */
  file: string;
  args: string[];
  /** The library's scoreboards, created by the primary instance's qi_init, in creation order. */
  scoreboards: ScoreboardSpec[];
}

export class LibraryError extends Error {
  override readonly name = 'LibraryError';
}

type Writer = (...args: unknown[]) => unknown;

/** Run `fn` with console output and process stdout/stderr writes discarded. */
export function muted<T>(fn: () => T): T {
  const c = console as unknown as Record<string, Writer>;
  const saved = ['log', 'info', 'warn', 'error', 'debug'].map((k) => [k, c[k]] as const);
  const out = process.stdout.write;
  const err = process.stderr.write;
  for (const [k] of saved) c[k] = () => undefined;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) c[k] = v;
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/**
 * Worker threads send console output to the main thread asynchronously (and
 * may lose it at exit); libraries in workers print synchronously instead.
 */
export function makeConsoleSynchronous(): void {
  const c = console as unknown as Record<string, Writer>;
  const toFd = (fd: number): Writer => (...args: unknown[]) => {
    writeAll(fd, args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ') + '\n');
  };
  c.log = toFd(1);
  c.info = toFd(1);
  c.warn = toFd(2);
  c.error = toFd(2);
  c.debug = toFd(2);
}

/** The watchdog took a Ctrl-C to stop a library call: the user still meant to stop the emulator. */
function redeliverSigint(): void {
  setImmediate(() => process.kill(process.pid, 'SIGINT'));
}

function initFunction(module: Readonly<Record<string, unknown>>, name: 'qi_init' | 'qi_fini', path: string): (...a: unknown[]) => unknown {
  const fn = module[name];
  if (typeof fn !== 'function') throw new LibraryError(`instrumentation library '${path}' does not export ${name}()`);
  return fn as (...a: unknown[]) => unknown;
}

export async function importLibrary(file: string, displayPath: string): Promise<Readonly<Record<string, unknown>>> {
  let module: Readonly<Record<string, unknown>>;
  try {
    module = (await import(pathToFileURL(file).href)) as Readonly<Record<string, unknown>>;
  } catch (e) {
    throw new LibraryError(`error loading instrumentation library '${displayPath}': ${e instanceof Error ? e.message : String(e)}`);
  }
  initFunction(module, 'qi_init', displayPath);
  initFunction(module, 'qi_fini', displayPath);
  return module;
}

/**
 * Create this thread's instance of a library and run its qi_init. `quiet`
 * discards its console output (non-primary instances). Throws LibraryError.
 */
export function startInstance(rt: InstrRuntime, id: string, module: Readonly<Record<string, unknown>>, args: readonly string[], displayPath: string, quiet: boolean): LibraryInstance {
  const lib = rt.addLibrary(id, module);
  const init = initFunction(module, 'qi_init', displayPath);
  let result: unknown;
  try {
    const run = (): unknown => underWatchdog(() => rt.runAs(lib, 'qi_init', () => init(args.length, Object.freeze([...args]))));
    result = quiet ? muted(run) : run();
  } catch (e) {
    rt.removeLibrary(id);
    if (e instanceof WatchdogExpired) {
      if (e.why === 'sigint') redeliverSigint();
      throw new LibraryError(`instrumentation library '${displayPath}': qi_init ${e.message}`);
    }
    throw new LibraryError(`instrumentation library '${displayPath}': qi_init failed: ${errorText(e)}`);
  }
  if (typeof result === 'number' && result !== 0) {
    rt.removeLibrary(id);
    throw new LibraryError(`instrumentation library '${displayPath}': initialization returned non-zero (${result})`);
  }
  return lib;
}

/** Run qi_fini of this thread's instance and forget it (callbacks reset). Errors are reported, not thrown. */
export function stopInstance(rt: InstrRuntime, id: string, quiet: boolean, report: (message: string) => void): void {
  const lib = rt.library(id);
  if (!lib) return;
  const fini = lib.module.qi_fini;
  if (typeof fini === 'function') {
    try {
      const run = (): unknown => underWatchdog(() => rt.runAs(lib, 'qi_fini', () => (fini as () => unknown)()));
      if (quiet) muted(run); else run();
    } catch (e) {
      if (e instanceof WatchdogExpired) {
        if (!quiet) report(`instrumentation library ${id}: qi_fini ${e.message}`); // the other instances run the same code
        if (e.why === 'sigint') redeliverSigint();
      } else {
        report(`instrumentation library ${id}: qi_fini failed: ${errorText(e)}`);
      }
    }
  }
  rt.removeLibrary(id);
}
