/**
 * The recipe both tiers of the SMP suite share: which guests run at which -smp, their command
 * lines, what a passing run prints, and what of a QEMU run is kept in the committed transcripts
 * (tests/transcripts/smp/GUEST-smpN.json for the guests that finish,
 * tests/transcripts/smp/HANG-smp8-sigint.json for the guests that never finish and are stopped
 * with SIGINT).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, virtKernelArgs } from '../support/run-guest.js';
import type { SignalRunOptions, SignalRunResult } from './signal-run.js';

/** Guests that finish, in the order bin/all.elf runs them (SUITE in the Makefile). */
export const SUITE = ['atomic_counter', 'lock_amoswap', 'lock_lrsc', 'lock_ticket', 'ipi', 'timer', 'ring', 'code_patch'] as const;
/** Guests that never finish, with the line they print once every hart is stuck. */
export const HANG_GUESTS = [
  { name: 'hang_spin', ready: /^HANG hang_spin: \d+ harts spin on a lock nobody releases$/m },
  { name: 'hang_wfi', ready: /^HANG hang_wfi: \d+ harts in WFI with interrupts off$/m },
] as const;
/** The -smp count the hanging guests run at. */
export const HANG_SMP = 8;

export const SMP_COUNTS = [2, 4, 8] as const;

export const QEMU_TIMEOUT_MS = 30_000;
/** A guest waits at most 20 s for another hart before it reports FAIL; a run must get that far. */
export const TSEMU_TIMEOUT_MS = 60_000;

/** QEMU 7.2 (os-posix.c): "<prog>: terminating on signal N from pid P (<name of P>)". */
export const QEMU_SIGNAL_MESSAGE = /^qemu-system-riscv64: terminating on signal 2 from pid \d+ \(.*\)\n$/;
/** The same message as the transcript keeps it: the sender (pid and process name) replaced. */
export const STORED_SIGNAL_MESSAGE = /^qemu-system-riscv64: terminating on signal 2 from pid PID \(NAME\)\n$/;

/** What a transcript keeps of a QEMU run. */
export type RunOutcome = {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
};

/** Guest name and -smp count of every transcript of a finishing run (`all` included). */
export function finishingRuns(): { guest: string; smp: number; tests: readonly string[] }[] {
  return SMP_COUNTS.flatMap((smp) => [
    ...SUITE.map((guest) => ({ guest, smp, tests: [guest] })),
    { guest: 'all', smp, tests: SUITE },
  ]);
}

export const runKey = (guest: string, smp: number): string => `smp/${guest}-smp${smp}`;
export const hangKey = (guest: string): string => `smp/${guest}-smp${HANG_SMP}-sigint`;

export function elfPath(guest: string): string {
  return join(repoRoot(), 'tests', 'smp', 'bin', `${guest}.elf`);
}

export function expectGuestsBuilt(): void {
  for (const guest of [...SUITE, 'all', ...HANG_GUESTS.map((g) => g.name)]) {
    if (!existsSync(elfPath(guest))) throw new Error(`${elfPath(guest)} missing: run make -C tests/smp`);
  }
}

export function guestArgs(guest: string, smp: number, extra: readonly string[] = []): string[] {
  return virtKernelArgs(elfPath(guest), ['-smp', String(smp), ...extra]);
}

export function outcome(r: RunOutcome): RunOutcome {
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function describeRun(r: RunOutcome & { signal?: unknown; timedOut?: boolean; durationMs?: number }, what: string): string {
  const extra = r.timedOut === undefined ? '' : ` signal=${String(r.signal)} timedOut=${String(r.timedOut)} (${String(r.durationMs)} ms)`;
  return `${what}: status=${String(r.status)}${extra}\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;
}

/** The console output a passing guest prints: the hart count, then one PASS line per test. */
export function expectPassingOutput(r: RunOutcome, tests: readonly string[], smp: number, what: string): void {
  const lines = r.stdout.split('\n');
  expect(r.stdout, describeRun(r, what)).not.to.match(/FAIL/);
  expect(lines[0], describeRun(r, what)).to.equal(`smp: ${smp} harts`);
  expect(lines.slice(1, -1).map((l) => l.replace(/ \(\d+ checks\)$/, '')), describeRun(r, what))
    .to.deep.equal(tests.map((t) => `PASS ${t}`));
  expect(lines[lines.length - 1], describeRun(r, what)).to.equal('');
  expect(r.status, describeRun(r, what)).to.equal(0);
}

/** How a hanging guest is run: SIGINT 300 ms after its HANG line. */
export function signalOptions(ready: RegExp): SignalRunOptions {
  return { readyPattern: ready, settleMs: 300, signal: 'SIGINT', readyTimeoutMs: TSEMU_TIMEOUT_MS, exitTimeoutMs: 10_000 };
}

/** What a transcript keeps of QEMU stopped by SIGINT: stdout, status, and stderr without the sender's pid and name. */
export function signalOutcome(r: SignalRunResult): RunOutcome {
  return { stdout: r.stdout, stderr: r.stderr.replace(/ from pid \d+ \(.*\)$/m, ' from pid PID (NAME)'), status: r.status };
}

/** QEMU's (stored) message as tsemu prints it: its own program name, and no sender (Node cannot know it). */
export function tsemuSignalMessage(qemuStderr: string): string {
  return qemuStderr.replace(/^qemu-system-riscv64: /, 'tsemu-system-riscv64: ').replace(/ from pid \S+ \(.*\)$/m, '');
}

export function describeSignalRun(r: SignalRunResult, what: string): string {
  return `${what}: status=${String(r.status)} signal=${String(r.termSignal)} signalled=${String(r.signalled)} killed=${String(r.killed)} ` +
    `exit ${r.exitLatencyMs.toFixed(0)} ms after SIGINT\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;
}
