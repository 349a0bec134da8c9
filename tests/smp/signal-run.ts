/**
 * Runs an emulator until its console shows a given line, then sends it a
 * signal and measures how long it takes to exit: the check that a guest which
 * never finishes (deadlocked harts, harts asleep with interrupts off) leaves
 * the emulator responsive.
 */
import { spawn } from 'node:child_process';
import { repoRoot } from '../support/run-guest.js';

export interface SignalRunOptions {
  /** Send the signal once stdout matches this. */
  readyPattern: RegExp;
  /**
   * Wait this long after the pattern appeared before signalling (lets every hart reach its loop).
   * Pacing of the signal only: what is measured is the exit after it, whatever the harts did meanwhile.
   */
  settleMs: number;
  signal: NodeJS.Signals;
  /** Give up (SIGKILL) if the pattern has not appeared after this long. */
  readyTimeoutMs: number;
  /** Give up (SIGKILL) if the process has not exited this long after the signal. */
  exitTimeoutMs: number;
}

export interface SignalRunResult {
  stdout: string;
  stderr: string;
  status: number | null;
  /** Signal that ended the process (null if it exited by itself). */
  termSignal: NodeJS.Signals | null;
  /** Whether the ready pattern appeared (and so the signal was sent). */
  signalled: boolean;
  /** Milliseconds from sending the signal to the process exit (NaN if not signalled). */
  exitLatencyMs: number;
  /** Whether we had to SIGKILL it (ready or exit timeout). */
  killed: boolean;
}

/** Never rejects: a spawn failure shows up as status null with the error in stderr. */
export function runUntilReadyThenSignal(command: string, args: readonly string[], opts: SignalRunOptions): Promise<SignalRunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let signalled = false;
    let killed = false;
    let signalledAt = 0;
    let settled = false;
    let exitedAt = Number.NaN;
    const timers: NodeJS.Timeout[] = [];
    const kill = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    timers.push(setTimeout(() => { if (!signalled) kill(); }, opts.readyTimeoutMs));
    const sendSignal = (): void => {
      signalled = true;
      signalledAt = performance.now();
      child.kill(opts.signal);
      timers.push(setTimeout(kill, opts.exitTimeoutMs));
    };
    let readySeen = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (!readySeen && opts.readyPattern.test(Buffer.concat(out).toString('latin1'))) {
        readySeen = true;
        timers.push(setTimeout(sendSignal, opts.settleMs));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const finish = (status: number | null, termSignal: NodeJS.Signals | null, extraErr = ''): void => {
      if (settled) return;
      settled = true;
      if (Number.isNaN(exitedAt)) exitedAt = performance.now();
      for (const t of timers) clearTimeout(t);
      resolve({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8') + extraErr,
        status,
        termSignal,
        signalled,
        exitLatencyMs: signalled ? exitedAt - signalledAt : Number.NaN,
        killed,
      });
    };
    child.on('error', (e: Error) => finish(null, null, `spawn ${command} failed: ${e.message}\n`));
    child.on('exit', () => { exitedAt = performance.now(); });
    child.on('close', (status, termSignal) => finish(status, termSignal));
  });
}
