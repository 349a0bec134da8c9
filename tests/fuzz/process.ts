/**
 * Running tsemu on fuzzed input with a bound: after `runMs` a still-running emulator gets SIGTERM
 * and must be gone within `graceMs` (a guest that runs for ever is fine; an emulator that ignores
 * SIGTERM is wedged). Output that looks like a host exception is a failure whatever the status.
 */
import { spawn } from 'node:child_process';
import { tsemuScript, repoRoot } from '../support/run-guest.js';

export interface BoundedRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Still running at runMs (then terminated). */
  terminated: boolean;
  /** Did not end within graceMs of SIGTERM (then killed). */
  wedged: boolean;
}

export function runTsemuBounded(args: readonly string[], runMs: number, graceMs = 5_000, env: NodeJS.ProcessEnv = {}): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsemuScript(), ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let terminated = false;
    let wedged = false;
    child.stdout.on('data', (b: Buffer) => { if (out.length < 256) out.push(b); });
    child.stderr.on('data', (b: Buffer) => { if (err.length < 256) err.push(b); });
    let kill: NodeJS.Timeout | undefined;
    const term = setTimeout(() => {
      terminated = true;
      child.kill('SIGTERM');
      kill = setTimeout(() => { wedged = true; child.kill('SIGKILL'); }, graceMs);
    }, runMs);
    child.on('close', (status, signal) => {
      clearTimeout(term);
      if (kill) clearTimeout(kill);
      resolve({ status, signal, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'), terminated, wedged });
    });
  });
}

/** A Node.js stack trace or uncaught error report in `text`. */
export function hostException(text: string): string | undefined {
  const m = /^\s+at .+\(?.*:\d+:\d+\)?$|^(?:Type|Range|Reference|Syntax)?Error: .*$|node:internal|Uncaught|FATAL ERROR/m.exec(text);
  return m ? m[0].trim() : undefined;
}

/**
 * A run that ended by itself with a non-zero status and nothing on stderr: the guest asked the
 * test finisher (sifive_test) for a failure exit, a guest-visible outcome (the caller checks that
 * QEMU exits with the same status).
 */
export function guestFailureExit(r: BoundedRun): boolean {
  return !r.terminated && !r.wedged && r.status !== null && r.status !== 0 && r.stderr.trim() === '';
}

/** What is wrong with a fuzzed run of tsemu, or undefined. */
export function boundedRunProblem(r: BoundedRun): string | undefined {
  if (r.wedged) return 'did not exit within 5 s of SIGTERM';
  const exc = hostException(r.stderr);
  if (exc !== undefined) return `host exception: ${exc}`;
  if (!r.terminated && r.status !== 0 && !guestFailureExit(r)) {
    const lines = r.stderr.trim().split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== 1) return `exit status ${r.status ?? r.signal} with ${lines.length} lines on stderr (want one): ${lines.slice(0, 3).join(' | ')}`;
  }
  return undefined;
}
