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
import { format } from 'node:util';
import { InstrRuntime, LibraryInstance } from './runtime.js';
import type { LateBoards } from './late-scoreboards.js';

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
  /** Where scoreboards created after qi_init live (src/instr/late-scoreboards.ts). */
  late: LateBoards;
}

export class LibraryError extends Error {
  override readonly name = 'LibraryError';
}

type Writer = (...args: unknown[]) => unknown;

/** One line a library instance printed in qi_init/qi_fini/qi_merge (fd 1 = stdout, 2 = stderr). */
export interface OutputLine {
  fd: 1 | 2;
  text: string;
}

/**
 * Run `fn` with console output and process stdout/stderr writes collected into `sink`, line by
 * line (also when `fn` throws). With `tee` they are written as usual too (the primary instance,
 * whose lines the other instances' identical lines are checked against).
 */
export function withOutputCaptured<T>(fn: () => T, sink: OutputLine[], tee: boolean): T {
  const c = console as unknown as Record<string, Writer>;
  const saved = ['log', 'info', 'warn', 'error', 'debug'].map((k) => [k, c[k]] as const);
  const out = process.stdout.write;
  const err = process.stderr.write;
  const pending: Record<1 | 2, string> = { 1: '', 2: '' };
  const collect = (fd: 1 | 2, text: string): void => {
    const parts = (pending[fd] + text).split('\n');
    pending[fd] = parts.pop() ?? '';
    for (const p of parts) sink.push({ fd, text: p });
  };
  let inConsole = false; // console.log writes through process.stdout.write: collect once
  for (const [k, orig] of saved) {
    const fd = k === 'log' || k === 'info' ? 1 : 2;
    c[k] = (...args: unknown[]): unknown => {
      collect(fd, format(...args) + '\n');
      if (!tee) return undefined;
      inConsole = true;
      try {
        return orig.apply(console, args);
      } finally {
        inConsole = false;
      }
    };
  }
  const writer = (fd: 1 | 2, orig: typeof process.stdout.write, stream: NodeJS.WriteStream): typeof process.stdout.write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      if (!inConsole) collect(fd, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return tee ? (orig as (...a: unknown[]) => boolean).call(stream, chunk, ...rest) : true;
    }) as typeof process.stdout.write;
  process.stdout.write = writer(1, out, process.stdout);
  process.stderr.write = writer(2, err, process.stderr);
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) c[k] = v;
    process.stdout.write = out;
    process.stderr.write = err;
    for (const fd of [1, 2] as const) if (pending[fd] !== '') sink.push({ fd, text: pending[fd] });
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
    throw new LibraryError(`error loading instrumentation library '${displayPath}': ${errorText(e)}`);
  }
  initFunction(module, 'qi_init', displayPath);
  initFunction(module, 'qi_fini', displayPath);
  return module;
}

/**
 * Create this thread's instance of a library and run its qi_init. Its console output goes to
 * `sink`; only the primary instance's is written as well (the manager shows the other instances'
 * lines, prefixed, unless the primary printed the same). Throws LibraryError.
 */
export function startInstance(rt: InstrRuntime, id: string, module: Readonly<Record<string, unknown>>, args: readonly string[], displayPath: string, primary: boolean, sink: OutputLine[]): LibraryInstance {
  const lib = rt.addLibrary(id, module);
  const init = initFunction(module, 'qi_init', displayPath);
  let result: unknown;
  try {
    result = withOutputCaptured(() => underWatchdog(() => rt.runAs(lib, 'qi_init', () => init(args.length, Object.freeze([...args])))), sink, primary);
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

export interface StopOptions {
  primary: boolean;
  /** One-line problems (qi_fini or qi_merge threw or timed out). */
  report(message: string): void;
  /** Where the instance's console output goes (see startInstance). */
  sink: OutputLine[];
  /**
   * Primary only: every instance's qi_fini result, given the primary's own; when the library
   * exports qi_merge it receives them, in the primary, after qi_fini.
   */
  results?(own: unknown): readonly unknown[];
}

/**
 * Run `name` of `lib` in this thread under the watchdog, output to the sink; problems are
 * reported (not thrown). Returns `{ value }` when it returned.
 */
function runFinal(rt: InstrRuntime, lib: LibraryInstance, name: 'qi_fini' | 'qi_merge', fn: () => unknown, o: StopOptions): { value: unknown } | undefined {
  try {
    return { value: withOutputCaptured(() => underWatchdog(() => rt.runAs(lib, name, fn)), o.sink, o.primary) };
  } catch (e) {
    if (e instanceof WatchdogExpired) {
      if (o.primary) o.report(`instrumentation library ${lib.id}: ${name} ${e.message}`); // the other instances run the same code
      if (e.why === 'sigint') redeliverSigint();
    } else {
      o.report(`instrumentation library ${lib.id}: ${name} failed: ${errorText(e)}`);
    }
    return undefined;
  }
}

/**
 * Run qi_fini of this thread's instance (and, in the primary, qi_merge) and forget it (callbacks
 * reset). Returns what qi_fini returned (undefined when it failed). Errors are reported, not thrown.
 */
export function stopInstance(rt: InstrRuntime, id: string, o: StopOptions): { value: unknown } | undefined {
  const lib = rt.library(id);
  if (!lib) return undefined;
  const fini = lib.module.qi_fini;
  const done = typeof fini === 'function' ? runFinal(rt, lib, 'qi_fini', () => (fini as () => unknown)(), o) : undefined;
  const merge = lib.module.qi_merge;
  if (o.primary && o.results && typeof merge === 'function') {
    const results = o.results(done?.value);
    runFinal(rt, lib, 'qi_merge', () => (merge as (r: readonly unknown[]) => unknown)(results), o);
  }
  rt.removeLibrary(id);
  return done;
}
