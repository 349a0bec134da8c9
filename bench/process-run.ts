/**
 * Spawn one emulator process, time it from spawn to exit, watch its stdout,
 * and record its peak RSS. Each child gets its own process group so a timeout
 * (or Ctrl-C on the bench) kills it together with any wrapper around it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRssProbe } from './peak-rss.js';

/** Handed to stdout watchers so they can react to what the guest prints. */
export interface RunControl {
  /** Milliseconds since spawn. */
  elapsedMs(): number;
  /** Send bytes to the emulator's stdin (the guest console under -nographic). */
  write(data: string): void;
  /** SIGKILL the emulator (and then anything left in its process group). */
  kill(): void;
  /** CPU time (user + system, all threads) the emulator has used so far, seconds; null if unknown. */
  cpuSeconds(): number | null;
  /** Everything the emulator has printed on stdout so far. */
  stdoutSoFar(): string;
}

/** Linux's USER_HZ: the unit of utime/stime in /proc/PID/stat. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of `pid` from /proc, seconds; null if it is gone or /proc is missing. */
function processCpuSeconds(pid: number): number | null {
  // the threads' run time in nanoseconds (schedstat), summed: /proc/PID/stat counts in 10 ms
  // ticks, too coarse for the idle rows' fractions of a percent (a thread that exits takes its
  // time along; the windows measured here see none exit)
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    if (Number.isFinite(ns)) return ns / 1e9;
  } catch {
    // no schedstat (or the process is gone): the tick counts below
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state is field 3 of stat(5), utime 14 and stime 15
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface RunSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** The process group is killed after this long. */
  readonly timeoutMs: number;
  /** Called with all stdout seen so far, after every chunk. */
  onStdout?(stdoutSoFar: string, control: RunControl): void;
}

export interface RunResult {
  /** Spawn to exit, in milliseconds. */
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** Last few KiB of stderr, for diagnostics. */
  readonly stderrTail: string;
  readonly peakRssKiB: number | null;
  readonly timedOut: boolean;
  /** Set when the process could not be started at all. */
  readonly spawnError?: string;
}

const OUTPUT_CAP = 1 << 20;
const STDERR_TAIL = 4096;

const liveChildren = new Set<ChildProcess>();

/** How long a wrapper gets to reap its killed emulator before its group is killed too. */
const WRAPPER_GRACE_MS = 1000;

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || hasExited(child)) return;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter((t) => t.length > 0).map(Number);
  } catch {
    return [];
  }
}

/**
 * Kill a run. When a wrapper (GNU time) sits in front of the emulator, kill the
 * emulator alone first: the wrapper then reaps it (no orphan left as a zombie,
 * since this sandbox's init does not reap) and still reports its peak RSS.
 */
function killRun(child: ChildProcess): void {
  if (child.pid === undefined || hasExited(child)) return;
  const wrapped = childPids(child.pid);
  if (wrapped.length === 0) {
    killGroup(child);
    return;
  }
  for (const pid of wrapped) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  setTimeout(() => killGroup(child), WRAPPER_GRACE_MS).unref();
}

let cleanupInstalled = false;

/** Never leave emulators behind: kill our children if the bench itself dies. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const killAll = (): void => { for (const c of liveChildren) killGroup(c); };
  process.on('exit', killAll);
  const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const [signal, number] of Object.entries(signalNumbers)) {
    process.on(signal, () => { killAll(); process.exit(128 + number); });
  }
}

export function runMeasured(spec: RunSpec): Promise<RunResult> {
  installCleanup();
  const probe = createRssProbe();
  const wrapped = probe.wrap(spec.command, spec.args);
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(wrapped.command, [...wrapped.args], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    liveChildren.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | undefined;
    const wrappedEmulator = wrapped.command !== spec.command;
    let emulatorPid: number | undefined;
    const control: RunControl = {
      elapsedMs: () => performance.now() - start,
      write: (data) => { if (child.stdin?.writable === true) child.stdin.write(data); },
      kill: () => killRun(child),
      stdoutSoFar: () => stdout,
      cpuSeconds: () => {
        // the RSS probe may wrap the emulator (/usr/bin/time): then the emulator is its child,
        // found once and kept (once it has exited, the wrapper's own few ticks are no answer)
        if (child.pid === undefined) return null;
        if (emulatorPid === undefined) emulatorPid = wrappedEmulator ? childPids(child.pid)[0] : child.pid;
        return emulatorPid === undefined ? null : processCpuSeconds(emulatorPid);
      },
    };
    const timer = setTimeout(() => { timedOut = true; killRun(child); }, spec.timeoutMs);
    if (child.pid !== undefined) probe.attach(child.pid);
    child.stdin?.on('error', () => undefined); // EPIPE once the emulator has quit
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.length < OUTPUT_CAP) stdout += chunk.toString('latin1');
      spec.onStdout?.(stdout, control);
    });
    child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('latin1')).slice(-STDERR_TAIL); });
    let exitedAtMs: number | undefined;
    let settled = false;
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      liveChildren.delete(child);
      const wallMs = exitedAtMs ?? performance.now() - start;
      resolve({
        wallMs, exitCode, signal, stdout, stderrTail: stderr, peakRssKiB: probe.finish(), timedOut,
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    };
    child.on('error', (err) => {
      spawnError = err.message;
      if (child.pid === undefined) settle(null, null); // never started: no 'close' to wait for
    });
    // The clock stops at 'exit'; the result waits for 'close' so all stdout has been seen.
    child.on('exit', () => { exitedAtMs = performance.now() - start; });
    child.on('close', (exitCode, signal) => settle(exitCode, signal));
  });
}

/** One-line description of why a run did not succeed, for warnings. */
export function describeFailure(result: RunResult): string {
  if (result.spawnError !== undefined) return `could not start: ${result.spawnError}`;
  if (result.timedOut) return `timed out after ${(result.wallMs / 1000).toFixed(1)} s`;
  const tail = result.stderrTail.trim().split('\n').slice(-3).join(' | ');
  const how = result.signal !== null ? `killed by ${result.signal}` : `exit code ${String(result.exitCode)}`;
  return tail.length > 0 ? `${how}; stderr: ${tail}` : how;
}

/** The end of what the emulator printed, escaped onto one line, for warnings. */
export function stdoutTail(result: RunResult, chars = 160): string {
  return JSON.stringify(result.stdout.slice(-chars));
}
