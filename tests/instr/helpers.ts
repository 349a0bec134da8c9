/**
 * Shared by the end-to-end instrumentation and tracing tests (tests/instr,
 * tests/trace-e2e): paths of the guests and libraries, parsing of log-backend
 * lines, running several emulator processes two at a time, and the checks
 * every "clean failure" must pass. ELF symbols (tests/support/elf-symbols.ts),
 * temporary directories and tool checks (tests/support/tools.ts) are imported
 * from tests/support directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, tsemuScript, type GuestRunResult } from '../support/run-guest.js';
import { waitFor } from '../support/tools.js';

export const REPO = repoRoot();
export const DEMO_ELF = join(REPO, 'examples/guest/demo.elf');
export const EXAMPLES = join(REPO, 'examples/instr');
export const INSTR_GUESTS = join(REPO, 'tests/instr/guests/bin');
export const INSTR_LIBS = join(REPO, 'tests/instr/libs');
export const TRACE_GUESTS = join(REPO, 'tests/trace-e2e/guests/bin');
export const TRACE_LIBS = join(REPO, 'tests/trace-e2e/libs');
export const SIMPLETRACE = join(REPO, 'bin/tsemu-simpletrace.js');
export const PROGRAM = 'tsemu-system-riscv64';

/** What the bundled guests' sifive_test finisher and reset vector look like (QEMU's virt). */
export const FINISHER_ADDR = 0x100000n;
export const CLINT_MSIP0 = 0x2000000n;
/** QEMU's reset vector loads the FDT address (0x1020) then the kernel entry (0x1018), both with `ld`. */
export const RESET_VECTOR_LOADS: readonly bigint[] = [0x1020n, 0x1018n];

export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** Non-empty lines of a text. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** One log-backend line: `name [cpu=0xN ]key=value ...`. */
export interface TraceRecord {
  readonly name: string;
  /** The vCPU of a `vcpu` event, undefined otherwise. */
  readonly cpu: number | undefined;
  readonly fields: Readonly<Record<string, string>>;
  readonly line: string;
}

export function parseTraceLine(line: string): TraceRecord | undefined {
  const m = /^([a-z_0-9]+) (.*)$/.exec(line);
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const part of m[2].split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const cpu = fields.cpu === undefined ? undefined : Number(fields.cpu);
  return { name: m[1], cpu, fields, line };
}

/** Every line of `text` that is event `name`, parsed. */
export function traceRecords(text: string, name: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  const prefix = `${name} `;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue; // cheap filter first: some runs print a million lines
    const r = parseTraceLine(line);
    if (r) out.push(r);
  }
  return out;
}

/** A guest memory access as guest_mem_before_exec reports it. */
export interface MemAccess {
  readonly cpu: number;
  readonly vaddr: bigint;
  readonly info: number;
}

export function memExecAccesses(text: string): MemAccess[] {
  return traceRecords(text, 'guest_mem_before_exec').map((r) => ({
    cpu: r.cpu ?? -1,
    vaddr: BigInt(r.fields.vaddr),
    info: Number(r.fields.info),
  }));
}

/** Accesses of one vCPU, in order. */
export function ofCpu(accesses: readonly MemAccess[], cpu: number): MemAccess[] {
  return accesses.filter((a) => a.cpu === cpu);
}

/**
 * `"<vaddr> info=<n>"` strings: readable diffs when a sequence differs.
 * Accesses at `addressOnly` addresses show their vaddr alone (used for the
 * reset vector's loads when a test is not about their info byte).
 */
export function describeAccesses(accesses: readonly { vaddr: bigint; info: number }[], addressOnly: readonly bigint[] = []): string[] {
  return accesses.map((a) => (addressOnly.includes(a.vaddr) ? hex(a.vaddr) : `${hex(a.vaddr)} info=${a.info}`));
}

/**
 * The `info` byte of guest_mem_before, as trace-events documents it:
 * bits 0-1 size shift, bit 2 sign extension, bit 3 endianness (0: little),
 * bit 4 store.
 */
export function memInfo(size: 1 | 2 | 4 | 8, access: { signExtend: boolean; store: boolean }): number {
  const shift = { 1: 0, 2: 1, 4: 2, 8: 3 }[size];
  return shift | (access.signExtend ? 4 : 0) | (access.store ? 16 : 0);
}

/**
 * Run `jobs` at most `width` at a time (the test machine has two cores;
 * emulator processes are the expensive part of these suites).
 */
export async function runPooled<T>(jobs: readonly (() => Promise<T>)[], width = 2): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

/** Text of a run for assertion messages. */
export function describeRun(r: GuestRunResult): string {
  const clip = (s: string): string => (s.length > 3000 ? `${s.slice(0, 1500)}\n...\n${s.slice(-1500)}` : s);
  return `status ${String(r.status)}${r.timedOut ? ' (timed out)' : ''}\n--- stdout\n${clip(r.stdout)}\n--- stderr\n${clip(r.stderr)}`;
}

/**
 * A refused start-up: exit status 1, exactly one line on stderr that starts
 * with the program name and matches `pattern`, and nothing that looks like a
 * JavaScript stack trace, an internal error or a raw Node.js error code.
 */
export function expectCleanFailure(r: GuestRunResult, pattern: RegExp): string {
  expect(r.timedOut, describeRun(r)).to.equal(false);
  expect(r.status, describeRun(r)).to.equal(1);
  const lines = linesOf(r.stderr);
  expect(lines, describeRun(r)).to.have.lengthOf(1);
  const line = lines[0];
  // `PROGRAM: ...`, or QEMU's `PROGRAM:FILE: strerror` for an events file it cannot open
  expect(line.startsWith(`${PROGRAM}:`), line).to.equal(true);
  expect(line, line).to.match(pattern);
  expect(line).to.not.match(/^\s+at |internal error|Error: |\bE[A-Z]{3,}\b:/);
  return line;
}

/** A tsemu process whose output is being collected. */
export interface WatchedRun { child: ChildProcess; stdout: () => string; stderr: () => string }

/** Start tsemu with `args` and wait until its stdout holds `marker`; the process must still be running then. */
export async function startUntil(args: readonly string[], marker: string): Promise<WatchedRun> {
  const child = spawn(process.execPath, [tsemuScript(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
  await waitFor(`"${marker}"`, () => out.includes(marker) || child.exitCode !== null, 60_000, 20);
  expect(child.exitCode, err).to.equal(null);
  return { child, stdout: () => out, stderr: () => err };
}
