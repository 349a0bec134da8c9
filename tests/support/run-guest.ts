/**
 * Runs a guest on QEMU (the reference) or on tsemu with the same command line
 * and captures what a differential test compares: console output (stdout, where
 * -nographic puts the UART), stderr, exit status, and whether it timed out.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GuestRunOptions {
  /** Extra environment variables for the emulator process. */
  env?: Record<string, string>;
  /** Kill the emulator after this many milliseconds (default 20 s). */
  timeoutMs?: number;
  /** Working directory for the emulator process (default: repository root). */
  cwd?: string;
  /** A file to redirect the emulator's stdin from (default: none, stdin closed). */
  stdinFile?: string;
}

export interface GuestRunResult {
  stdout: string;
  stderr: string;
  /** Process exit status, or null when it was killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** The QEMU binary; override with QEMU_SYSTEM_RISCV64 to test another build. */
export const QEMU_BINARY = process.env.QEMU_SYSTEM_RISCV64 ?? 'qemu-system-riscv64';

/** Repository root: the nearest ancestor of this module that has a package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** Path of the tsemu launcher script. */
export function tsemuScript(): string {
  return join(repoRoot(), 'bin', 'tsemu-system-riscv64.js');
}

/** The standard bare-metal command line: `-M virt -bios none -nographic -kernel <elf> ...extra`. */
export function virtKernelArgs(kernel: string, extra: readonly string[] = []): string[] {
  return ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', kernel, ...extra];
}

export function runQemu(args: readonly string[], opts: GuestRunOptions = {}): Promise<GuestRunResult> {
  return runProcess(QEMU_BINARY, args, opts);
}

export function runTsemu(args: readonly string[], opts: GuestRunOptions = {}): Promise<GuestRunResult> {
  return runProcess(process.execPath, [tsemuScript(), ...args], opts);
}

/**
 * Spawns `command args`, never rejects: a spawn failure (e.g. missing binary)
 * is reported as status null with the error text in stderr, so callers can
 * assert on it like any other failed run.
 */
function runProcess(command: string, args: readonly string[], opts: GuestRunOptions): Promise<GuestRunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const stdin = opts.stdinFile === undefined ? 'ignore' : openSync(opts.stdinFile, 'r');
  return new Promise((resolve) => {
    const child = spawn(command, [...args], {
      cwd: opts.cwd ?? repoRoot(),
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      // stdin is not a terminal, so QEMU does not switch it to raw mode.
      stdio: [stdin, 'pipe', 'pipe'],
    });
    if (typeof stdin === 'number') closeSync(stdin); // the child has its own copy
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (status: number | null, signal: NodeJS.Signals | null, extraErr = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8') + extraErr,
        status,
        signal,
        timedOut,
        durationMs: Date.now() - started,
      });
    };
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e: Error) => finish(null, null, `spawn ${command} failed: ${e.message}\n`));
    child.on('close', (status, signal) => finish(status, signal));
  });
}
