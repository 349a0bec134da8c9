/**
 * The QEMU recipes of the -icount and -d exec tests (tests/vcpu): one function per transcript, run
 * on tsemu by icount-qemu.spec.ts against the committed transcript, and on QEMU 7.2 by
 * icount-qemu.oracle.spec.ts, which keeps the transcript current.
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GuestRunResult, repoRoot, runQemu, runTsemu, virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

export type Emulator = 'qemu' | 'tsemu';

const GUESTS = join(repoRoot(), 'tests/vcpu/guest');
export const ICOUNT_TIME = join(GUESTS, 'icount-time.elf');
export const UART_INPUT = join(GUESTS, 'uart-input.elf');
export const UART_INPUT_TEXT = join(GUESTS, 'uart-input.txt');
/** A guest that runs in M, S and U mode with FP off, initial and dirty, and has function symbols. */
export const EXEC_GUEST = join(repoRoot(), 'tests/guest/bin/priv_csr.elf');

async function run(emulator: Emulator, args: readonly string[], stdinFile?: string): Promise<GuestRunResult> {
  const r = emulator === 'qemu' ? await runQemu(args, { stdinFile, timeoutMs: 60_000 }) : await runTsemu(args, { stdinFile, timeoutMs: 60_000 });
  expect(r.status, `${emulator}: ${r.stderr}`).to.equal(0);
  return r;
}

/** icount-time.elf's report at -icount shift=SHIFT,sleep=off (no idle time is added). */
export async function icountTimeReport(emulator: Emulator, shift: string): Promise<string> {
  return (await run(emulator, virtKernelArgs(ICOUNT_TIME, ['-icount', `shift=${shift},sleep=off`]))).stdout;
}

/** icount-time.elf's report at -icount shift=10 and shift=3. */
export async function icountTimeReports(emulator: Emulator): Promise<{ shift10: string; shift3: string }> {
  return { shift10: await icountTimeReport(emulator, '10'), shift3: await icountTimeReport(emulator, '3') };
}

/** uart-input.elf's console with `input` (a file) on stdin, under -icount shift=4,sleep=off. */
export async function uartInputConsole(emulator: Emulator, input = UART_INPUT_TEXT): Promise<string> {
  return (await run(emulator, virtKernelArgs(UART_INPUT, ['-icount', 'shift=4,sleep=off']), input)).stdout;
}

/** The host code address of a Trace line, which no two emulators (or runs of QEMU) share. */
export function maskHostPointers(log: string): string {
  return log.replace(/^(Trace \d+: )(0x[0-9a-f]+|\(nil\))/gm, '$1%p');
}

/** `-d exec` (plus `extraItems`) of EXEC_GUEST into a -D file, host pointers masked. */
export async function execLog(emulator: Emulator, items: string): Promise<string> {
  const dir = makeTempDir('exec-log');
  try {
    const file = join(dir, 'exec.log');
    await run(emulator, virtKernelArgs(EXEC_GUEST, ['-d', items, '-D', file]));
    return maskHostPointers(readFileSync(file, 'latin1'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What uart-input.S prints for `input`, computed here: each byte up to the first '.' is echoed
 * with its letter case swapped, a digit as '~'; then the checksum (sum = sum * 31 + byte, the '.'
 * included, modulo 2^64) and the PASS line.
 */
export function expectedUartInputConsole(input: string): string {
  let out = '';
  let sum = 0n;
  for (const ch of input) {
    const c = ch.charCodeAt(0);
    sum = BigInt.asUintN(64, sum * 31n + BigInt(c));
    if (ch === '.') break;
    if (/[0-9]/.test(ch)) out += '~';
    else if (/[a-zA-Z]/.test(ch)) out += String.fromCharCode(c ^ 0x20);
    else out += ch;
  }
  return `${out}\nsum ${sum.toString(16).padStart(16, '0')}\nPASS uart-input\n`;
}
