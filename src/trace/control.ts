/**
 * Command-line front ends of tracing, as QEMU 7.2's trace/control.c:
 *
 * - `-trace [enable=]PATTERN[,events=FILE][,file=FILE]` (applyTraceOptions):
 *   the pattern first, then the events file; `help` (or `?`) lists the events
 *   and QEMU exits with status 0;
 * - `-d trace:PATTERN` (applyLogTracePatterns), same meaning, no location in
 *   warnings because QEMU handles -d after the command line is parsed.
 *
 * Nothing is printed here: results carry the exact lines QEMU prints (checked
 * against Debian's qemu-system-riscv64 7.2), with tsemu's program name:
 *
 *   qemu-system-riscv64: -trace foo: warning: trace event 'foo' does not exist
 *   qemu-system-riscv64:/tmp/ev:3: warning: trace event 'foo' does not exist
 *   qemu-system-riscv64: warning: trace event 'foo' does not exist        (-d trace:foo)
 *   qemu-system-riscv64:/nonexistent: No such file or directory           (events=, exit 1)
 *   qemu-system-riscv64: Error opening logfile /x/y: No such file or directory  (file= / -D, exit 1)
 *
 * A glob that matches nothing is silent (QEMU warns for plain names only).
 */
import { openSync, readFileSync } from 'node:fs';
import { PROGRAM_NAME } from '../cli/option-error.js';
import type { TraceSpec } from '../cli/trace-opts.js';
import type { EventInfo } from './event-info.js';
import { errnoCode, strerror } from '../util/errno-text.js';
import { applyEventPattern } from './patterns.js';
import type { TraceState } from './state.js';

/** One `-trace` option and its location for messages (`-trace ARG`, as QEMU prints it). */
export interface TraceOptionInput {
  readonly spec: TraceSpec;
  /** `-trace foo,file=x`; without it warnings carry no location. */
  readonly where?: string;
}

export type TraceControlOutcome =
  /** Go on. `file` is the last `-trace`'s `file=` (a later `-trace` without it clears it, as in QEMU). */
  | { readonly kind: 'ok'; readonly warnings: readonly string[]; readonly file: string | undefined }
  /** Print the warnings (stderr), then `listing` on stdout, and exit with status 0. */
  | { readonly kind: 'help'; readonly warnings: readonly string[]; readonly listing: string }
  /** Print the warnings, then `message` (stderr), and exit with status 1. */
  | { readonly kind: 'error'; readonly warnings: readonly string[]; readonly message: string };

/** QEMU's is_help_option(). */
function isHelp(text: string): boolean {
  return text === 'help' || text === '?';
}

/** `-trace help` output: every event name, one per line, in id order (disabled ones too). */
export function traceEventListing(events: readonly EventInfo[]): string {
  return events.map((e) => `${e.name}\n`).join('');
}

/** Applies `-trace` options in command-line order. */
export function applyTraceOptions(state: TraceState, options: readonly TraceOptionInput[]): TraceControlOutcome {
  const warnings: string[] = [];
  let file: string | undefined;
  for (const { spec, where } of options) {
    if (spec.enable !== undefined) {
      if (isHelp(spec.enable)) return { kind: 'help', warnings, listing: traceEventListing(state.events) };
      const warning = applyEventPattern(state, spec.enable);
      if (warning !== undefined) warnings.push(where === undefined ? plainWarning(warning) : `${PROGRAM_NAME}: ${where}: warning: ${warning}`);
    }
    if (spec.events !== undefined) {
      const outcome = applyEventsFile(state, spec.events, warnings);
      if (outcome !== undefined) return outcome;
    }
    file = spec.file;
  }
  return { kind: 'ok', warnings, file };
}

/** Applies the `trace:PATTERN` items of `-d`, in order. */
export function applyLogTracePatterns(state: TraceState, patterns: readonly string[]): TraceControlOutcome {
  const warnings: string[] = [];
  for (const pattern of patterns) {
    if (isHelp(pattern)) return { kind: 'help', warnings, listing: traceEventListing(state.events) };
    const warning = applyEventPattern(state, pattern);
    if (warning !== undefined) warnings.push(plainWarning(warning));
  }
  return { kind: 'ok', warnings, file: undefined };
}

/**
 * QEMU's trace_init_events(): each line (newline removed) is a pattern; lines
 * that are empty or start with `#` are skipped. Read like fgets(): no trimming,
 * and a last line without newline loses its last character, as in QEMU.
 */
function applyEventsFile(state: TraceState, path: string, warnings: string[]): TraceControlOutcome | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    // fopen() of a directory succeeds and the first fgets() fails: QEMU reads no lines.
    if (errnoCode(e) === 'EISDIR') return undefined;
    return { kind: 'error', warnings, message: `${PROGRAM_NAME}:${path}: ${strerror(e)}` };
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const withNewline = i < lines.length - 1 || text.endsWith('\n') ? `${lines[i]}\n` : lines[i];
    if (withNewline.length <= 1) continue; // an empty line
    const line = withNewline.slice(0, -1); // QEMU drops the last character, newline or not
    if (line.startsWith('#')) continue;
    if (isHelp(line)) return { kind: 'help', warnings, listing: traceEventListing(state.events) };
    const warning = applyEventPattern(state, line);
    if (warning !== undefined) warnings.push(`${PROGRAM_NAME}:${path}:${i + 1}: warning: ${warning}`);
  }
  return undefined;
}

/** A warning without location (QEMU's warn_report() outside option parsing). */
function plainWarning(text: string): string {
  return `${PROGRAM_NAME}: warning: ${text}`;
}

export type OpenedTraceFile = { readonly fd: number } | { readonly error: string };

/**
 * Opens the log backend's output (`-D FILE`, or `-trace file=FILE`), truncating
 * it like QEMU; the error is QEMU's one line (then exit with status 1).
 */
export function openTraceLogFile(path: string): OpenedTraceFile {
  try {
    return { fd: openSync(path, 'w') };
  } catch (e) {
    return { error: `${PROGRAM_NAME}: Error opening logfile ${path}: ${strerror(e)}` };
  }
}

/**
 * The simple backend's file name when `-trace` gives none (QEMU's
 * CONFIG_TRACE_FILE, `trace-%u` with the process id).
 */
export function defaultSimpleTraceFile(pid: number = process.pid): string {
  return `trace-${pid}`;
}
