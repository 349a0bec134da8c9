/**
 * The monitor's output commands, as QEMU's HMP has them: `log` (the -d items,
 * trace:PATTERN included), `logfile` (where -d output and the log trace
 * backend go) and `trace-file` (the simple trace backend's file). Each builds
 * the change QEMU would make, has every thread apply it through
 * Machine.changeOutput, and only then closes what no thread writes any more.
 * Split from monitor-target.ts because it keeps state of its own: where the
 * log goes now (QEMU's util/log.c view of it).
 */
import { closeSync, openSync } from 'node:fs';
import type { TraceFileOp } from '../monitor/target.js';
import { applyEventPattern } from '../trace/patterns.js';
import { traceEventListing } from '../trace/control.js';
import { createSimpleTraceFile } from '../trace/simpletrace-format.js';
import type { ThreadLogSettings } from '../trace/thread-tracing.js';
import { strerror } from '../util/errno-text.js';
import { parseLogItems } from '../cli/log-items.js';
import type { Machine } from './machine.js';
import { OpMutex } from './op-mutex.js';

/** The -d items without their destination. */
type LogFlags = Omit<ThreadLogSettings, 'fd'>;

/**
 * Where -d output goes, as QEMU's util/log.c sees it: stderr (no file name),
 * an open file (-D or logfile), or a logfile that could not be opened. In the
 * last case output goes nowhere (/dev/null here), and since QEMU's log
 * backend keeps a log level set at all times, every later `log` tries to open
 * that file again and prints the error again.
 */
type LogOutput = { kind: 'stderr' } | { kind: 'file' } | { kind: 'unopened'; name: string };

export class MonitorOutputCommands {
  private logOutput: LogOutput;
  /** log / logfile / trace-file run one at a time (each waits for every thread to follow). */
  private readonly outputOps = new OpMutex();

  constructor(private readonly m: Machine) {
    this.logOutput = m.config.log.fd === 2 ? { kind: 'stderr' } : { kind: 'file' };
  }

  /** QEMU's hmp_trace_file() over trace/simple.c. */
  traceFile(op: TraceFileOp, file?: string): Promise<string | undefined> {
    return this.outputOps.run(async () => {
      const cfg = this.m.config.tracing.config;
      switch (op) {
        case 'status':
          return `Trace file "${cfg.simpleFile ?? ''}" ${cfg.simpleEnabled ? 'on' : 'off'}.`;
        case 'flush':
          await this.m.changeOutput({ kind: 'trace-flush' });
          return undefined;
        case 'on':
        case 'off':
          await this.setTraceFileEnabled(op === 'on');
          return undefined;
        case 'set':
          if (file === undefined) return undefined;
          await this.setTraceFileEnabled(false);
          cfg.simpleFile = file;
          await this.setTraceFileEnabled(true);
          return undefined;
      }
    });
  }

  /**
   * st_set_trace_file_enabled(): off writes out what every thread buffered
   * and closes the file; on creates the file anew (truncated, header and
   * event mappings) and every thread appends to it. A file that cannot be
   * created leaves tracing off, silently, as in QEMU.
   */
  private async setTraceFileEnabled(on: boolean): Promise<void> {
    const cfg = this.m.config.tracing.config;
    if (cfg.backend !== 'simple' || on === cfg.simpleEnabled) return;
    if (!on) {
      await this.m.changeOutput({ kind: 'trace-file', file: undefined });
      return;
    }
    const name = cfg.simpleFile;
    if (name === undefined) return;
    try {
      createSimpleTraceFile(name);
    } catch {
      return;
    }
    await this.m.changeOutput({ kind: 'trace-file', file: name });
  }

  /**
   * hmp_log(): qemu_str_to_log_mask() (trace:PATTERN items enable events as
   * they come), then qemu_set_log(): the items replace the current ones.
   */
  log(items: string): Promise<string | undefined> {
    return this.outputOps.run(async () => {
      const lines: string[] = [];
      const selection = items === 'none' ? undefined : parseLogItems(items);
      if (selection !== undefined) lines.push(...this.enableTracePatterns(selection.tracePatterns));
      // QEMU's `all` includes `tid`, which wants a file name with %d: refused while logging to stderr
      if (items.split(',').includes('all') && this.logOutput.kind === 'stderr') {
        lines.push("Filename template with '%d' required for 'tid'");
        return lines.join('\n');
      }
      const on = new Set<string>(selection?.items ?? []);
      const flags: LogFlags = {
        inAsm: on.has('in_asm'), op: on.has('op'), outAsm: on.has('out_asm'), int: on.has('int'),
        exec: on.has('exec'), cpu: on.has('cpu'), unimp: on.has('unimp'), guestErrors: on.has('guest_errors'), nochain: on.has('nochain'),
      };
      let fd = this.m.config.log.fd;
      if (this.logOutput.kind === 'unopened') {
        const opened = this.openLogFile(this.logOutput.name);
        if ('error' in opened) lines.push(opened.error);
        else fd = opened.fd;
      }
      await this.applyLog(flags, fd);
      return lines.length > 0 ? lines.join('\n') : undefined;
    });
  }

  /**
   * hmp_logfile() / qemu_set_log_filename(): -d output and the log trace
   * backend go to PATH (truncated) from now on; the old file is closed once
   * every thread has switched. If PATH cannot be opened, output goes nowhere.
   */
  logfile(path: string): Promise<string | undefined> {
    return this.outputOps.run(async () => {
      const name = logFileName(path);
      if (name === undefined) return `Bad logfile template: ${path}`;
      const opened = this.openLogFile(name);
      await this.applyLog(this.logFlags(), 'fd' in opened ? opened.fd : openSync('/dev/null', 'w'));
      return 'error' in opened ? opened.error : undefined;
    });
  }

  private logFlags(): LogFlags {
    const { inAsm, op, outAsm, int, exec, cpu, unimp, guestErrors, nochain } = this.m.config.log;
    return { inAsm, op, outAsm, int, exec, cpu, unimp, guestErrors, nochain };
  }

  /** fopen(name, "w"); the log output state follows. */
  private openLogFile(name: string): { fd: number } | { error: string } {
    try {
      const fd = openSync(name, 'w');
      this.logOutput = { kind: 'file' };
      return { fd };
    } catch (e) {
      this.logOutput = { kind: 'unopened', name };
      return { error: `Error opening logfile ${name}: ${strerror(e)}` };
    }
  }

  /** Every thread takes the items and descriptor; then the old descriptor, if a file, is closed. */
  private async applyLog(flags: LogFlags, fd: number): Promise<void> {
    const old = this.m.config.log.fd;
    const everyThread = await this.m.changeOutput({ kind: 'log', log: { ...flags, fd } });
    // a worker that did not answer may still write to the old file: leave it open then
    if (old !== fd && old > 2 && everyThread) {
      try { closeSync(old); } catch { /* already closed */ }
    }
  }

  /**
   * `trace:PATTERN` items, as -d trace: (QEMU's trace_enable_events): events
   * stay enabled after `log none`; `trace:help` lists the events on stdout.
   * Returns the warnings as the monitor prints them.
   */
  private enableTracePatterns(patterns: readonly string[]): string[] {
    const state = this.m.config.tracing.state;
    const before = state.generation();
    const warnings: string[] = [];
    for (const pattern of patterns) {
      if (pattern === 'help' || pattern === '?') {
        process.stdout.write(traceEventListing(state.events));
        continue;
      }
      const warning = applyEventPattern(state, pattern);
      if (warning !== undefined) warnings.push(`warning: ${warning}`);
    }
    if (state.generation() !== before) this.m.translationsChanged();
    return warnings;
  }
}

/**
 * valid_filename_template() for a log file name: at most one `%`, which must
 * be `%d` and becomes the process id. Undefined for a bad template.
 */
function logFileName(path: string): string | undefined {
  const at = path.indexOf('%');
  if (at < 0) return path;
  if (path[at + 1] !== 'd' || path.includes('%', at + 2)) return undefined;
  return `${path.slice(0, at)}${process.pid}${path.slice(at + 2)}`;
}
