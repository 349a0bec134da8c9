/**
 * Tracing across the machine's threads: the event state lives in one
 * SharedArrayBuffer (TraceState), and every thread (main, translator service,
 * vCPU workers) attaches to it and opens its own writer for the backend.
 *
 * Backend choice (QEMU picks one at build time; tsemu at run time):
 * `-trace file=FILE` selects the `simple` backend writing FILE (read it with
 * tsemu-simpletrace); otherwise the `log` backend prints one line per event
 * to stderr, or to the `-D` file.
 */
import { strerror } from '../util/errno-text.js';
import type { MachineOptions } from '../cli/options.js';
import { TraceState } from './state.js';
import type { TraceBackend } from './backend.js';
import { LogBackend } from './backend-log.js';
import { SimpleBackend } from './backend-simple.js';
import { NopBackend } from './backend-nop.js';
import { createSimpleTraceFile } from './simpletrace-format.js';
import { applyLogTracePatterns, applyTraceOptions } from './control.js';
import { bindTraceRuntime } from './runtime.js';
import type { TraceArg } from './event-info.js';
import { BootError } from '../util/boot-error.js';

/**
 * Sent to every worker: enough to attach to the same state and backend. The
 * main thread keeps its copy current (HMP logfile, trace-file), so a worker
 * started later (CPU hot-plug) writes where the others do.
 */
export interface TracingConfig {
  state: SharedArrayBuffer;
  backend: 'log' | 'simple' | 'nop';
  /** log backend: the descriptor (stderr or the -D file), shared by number across threads. */
  logFd: number;
  /** simple backend: the file's name (QEMU's trace_file_name). */
  simpleFile: string | undefined;
  /** simple backend: records go to simpleFile, whose header the main thread wrote (trace-file on), or nowhere (off). */
  simpleEnabled: boolean;
}

/** `-d` items and their destination, as each thread applies them (HMP log / logfile). */
export interface ThreadLogSettings {
  inAsm: boolean;
  op: boolean;
  outAsm: boolean;
  int: boolean;
  exec: boolean;
  cpu: boolean;
  /** -d unimp: unimplemented functionality (QEMU LOG_UNIMP). */
  unimp: boolean;
  guestErrors: boolean;
  /** -d nochain: blocks are not chained; -d exec shows it in the cflags (CF_NO_GOTO_TB). */
  nochain: boolean;
  /** stderr, the -D / logfile file, or /dev/null while the logfile could not be opened. */
  fd: number;
}

/**
 * A run-time change of where a thread's logs and trace records go. The main
 * thread sends it to every worker (translator service, each vCPU worker) and
 * applies it itself; each thread changes its own writers.
 *
 * - `log`: new -d items and log descriptor (the log trace backend follows the descriptor);
 * - `trace-flush`: simple backend, write out buffered records (trace-file flush);
 * - `trace-file`: simple backend, close the current file and append to `file`
 *   (its header already written), or drop records for undefined (trace-file off).
 */
export type OutputChange =
  | { kind: 'log'; log: ThreadLogSettings }
  | { kind: 'trace-flush' }
  | { kind: 'trace-file'; file: string | undefined };

/** This thread's trace backend (and its config copy) follows `change`; the -d part is the caller's. */
export function applyTraceOutputChange(t: ThreadTracing, change: OutputChange): void {
  const backend = t.backend;
  switch (change.kind) {
    case 'log':
      t.config.logFd = change.log.fd;
      if (backend instanceof LogBackend) backend.setFd(change.log.fd);
      break;
    case 'trace-flush':
      backend.flush();
      break;
    case 'trace-file':
      if (change.file !== undefined) t.config.simpleFile = change.file;
      t.config.simpleEnabled = change.file !== undefined;
      if (!(backend instanceof SimpleBackend)) break;
      try {
        backend.retarget(change.file);
      } catch {
        // the main thread has just created the file; if this thread cannot open it, it traces nothing
      }
      break;
  }
}

export interface ThreadTracing {
  state: TraceState;
  backend: TraceBackend;
  config: TracingConfig;
}

/**
 * In any thread: attach to the shared state and open this thread's backend writer. `spill`: the
 * simple backend buffers its records there, where the main thread can write them out should this
 * thread be terminated in a library callback that never returns (spillTraceBuffer).
 */
export function attachTracing(config: TracingConfig, spill?: SharedArrayBuffer): ThreadTracing {
  const state = TraceState.attach(config.state);
  let backend: TraceBackend;
  if (config.backend === 'simple' && config.simpleFile !== undefined) {
    const options = spill === undefined ? {} : { spill };
    backend = config.simpleEnabled ? SimpleBackend.open(config.simpleFile, options) : SimpleBackend.stopped(options);
  } else if (config.backend === 'nop') {
    backend = new NopBackend();
  } else {
    backend = new LogBackend({ fd: config.logFd });
  }
  return { state, backend, config };
}

/** Route this thread's generated trace_*() calls through `dispatch` (default: straight to the backend). */
export function bindThreadTracing(t: ThreadTracing, dispatch?: (id: number, cpu: number, args: TraceArg[]) => void): void {
  bindTraceRuntime(t.state, dispatch ?? ((id, cpu, args) => t.backend.emit(id, cpu, args)));
}

export type TracingSetup =
  | { kind: 'run'; tracing: ThreadTracing; warnings: string[] }
  | { kind: 'exit'; stdout: string; warnings: string[]; status: 0 | 1; message?: string };

/** Main thread: create the state, apply -trace and -d trace:, and pick the backend. */
export function setupTracing(opts: Pick<MachineOptions, 'traces' | 'logTracePatterns'>, logFd: number): TracingSetup {
  const state = TraceState.create();
  const warnings: string[] = [];
  const fromTrace = applyTraceOptions(state, opts.traces.map((spec) => ({ spec, where: `-trace ${traceWhere(spec)}` })));
  warnings.push(...fromTrace.warnings);
  if (fromTrace.kind === 'help') return { kind: 'exit', stdout: fromTrace.listing, warnings, status: 0 };
  if (fromTrace.kind === 'error') return { kind: 'exit', stdout: '', warnings, status: 1, message: fromTrace.message };
  const fromLog = applyLogTracePatterns(state, opts.logTracePatterns);
  warnings.push(...fromLog.warnings);
  if (fromLog.kind === 'help') return { kind: 'exit', stdout: fromLog.listing, warnings, status: 0 };
  if (fromLog.kind === 'error') return { kind: 'exit', stdout: '', warnings, status: 1, message: fromLog.message };
  let config: TracingConfig = { state: state.buffer, backend: 'log', logFd, simpleFile: undefined, simpleEnabled: false };
  if (fromTrace.file !== undefined) {
    try {
      createSimpleTraceFile(fromTrace.file);
    } catch (e) {
      throw new BootError(`Error opening logfile ${fromTrace.file}: ${strerror(e)}`);
    }
    config = { ...config, backend: 'simple', simpleFile: fromTrace.file, simpleEnabled: true };
  }
  return { kind: 'run', tracing: attachTracing(config), warnings };
}

function traceWhere(spec: { enable: string | undefined; events: string | undefined; file: string | undefined }): string {
  const parts: string[] = [];
  if (spec.enable !== undefined) parts.push(spec.enable);
  if (spec.events !== undefined) parts.push(`events=${spec.events}`);
  if (spec.file !== undefined) parts.push(`file=${spec.file}`);
  return parts.join(',');
}
