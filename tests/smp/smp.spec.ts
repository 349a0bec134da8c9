/**
 * SMP guest suite (tests/smp/bin, built from tests/smp/src by its Makefile).
 *
 * - QEMU (the reference): every guest passes at -smp 2, 4 and 8.
 * - tsemu: every guest once per configuration (-smp 2, 4, 8, and -smp 8 with
 *   -accel tcg,thread=single), then bin/all.elf (every guest in one boot)
 *   STRESS_RUNS times per configuration. Each run must print exactly what QEMU
 *   printed for the same -smp (the guests' output is deterministic: only hart
 *   0 prints, and only facts that do not depend on the interleaving) and exit
 *   with the same status.
 * - Responsiveness: guests that never finish (every hart spinning on a lock
 *   nobody releases; every hart in WFI with interrupts off) must leave tsemu
 *   responsive: SIGINT ends it within a second, with status 0 and the message
 *   QEMU prints (QEMU adds " from pid N (name)", which Node cannot know).
 *
 * Environment: SMP_SPEC_JOBS (tsemu processes run at once, default 2),
 * SMP_SPEC_RUNS (stress runs per configuration, default 20).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QEMU_BINARY, repoRoot, runQemu, runTsemu, tsemuScript, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { runUntilReadyThenSignal, type SignalRunResult } from './signal-run.js';

/** Guests that finish, in the order bin/all.elf runs them (SUITE in the Makefile). */
const SUITE = ['atomic_counter', 'lock_amoswap', 'lock_lrsc', 'lock_ticket', 'ipi', 'timer', 'ring', 'code_patch'] as const;
/** Guests that never finish, with the line they print once every hart is stuck. */
const HANG_GUESTS = [
  { name: 'hang_spin', ready: /^HANG hang_spin: \d+ harts spin on a lock nobody releases$/m },
  { name: 'hang_wfi', ready: /^HANG hang_wfi: \d+ harts in WFI with interrupts off$/m },
] as const;

const SMP_COUNTS = [2, 4, 8] as const;

interface Config {
  label: string;
  smp: number;
  extra: string[];
}

const TSEMU_CONFIGS: Config[] = [
  ...SMP_COUNTS.map((smp) => ({ label: `-smp ${smp}`, smp, extra: [] })),
  { label: '-smp 8 -accel tcg,thread=single', smp: 8, extra: ['-accel', 'tcg,thread=single'] },
];

const STRESS_RUNS = positiveIntFromEnv('SMP_SPEC_RUNS', 20);
const JOBS = positiveIntFromEnv('SMP_SPEC_JOBS', 2);
const QEMU_TIMEOUT_MS = 30_000;
/** A guest waits at most 20 s for another hart before it reports FAIL; a run must get that far. */
const TSEMU_TIMEOUT_MS = 60_000;
const EXIT_AFTER_SIGINT_MS = 1000;
/** QEMU 7.2 (os-posix.c): "<prog>: terminating on signal N from pid P (<name of P>)". */
const QEMU_SIGNAL_MESSAGE = /^qemu-system-riscv64: terminating on signal 2 from pid \d+ \(.*\)\n$/;

/** QEMU's message as tsemu prints it: its own program name, and no sender (Node cannot know it). */
function tsemuSignalMessage(qemuStderr: string): string {
  return qemuStderr.replace(/^qemu-system-riscv64: /, 'tsemu-system-riscv64: ').replace(/ from pid \d+ \(.*\)$/m, '');
}

function positiveIntFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return n;
}

function elfPath(guest: string): string {
  return join(repoRoot(), 'tests', 'smp', 'bin', `${guest}.elf`);
}

function guestArgs(guest: string, smp: number, extra: readonly string[] = []): string[] {
  return virtKernelArgs(elfPath(guest), ['-smp', String(smp), ...extra]);
}

function describeRun(r: GuestRunResult, what: string): string {
  return `${what}: status=${r.status} signal=${r.signal} timedOut=${r.timedOut} (${r.durationMs} ms)\n` +
    `--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;
}

/** The console output a passing guest prints: the hart count, then one PASS line per test. */
function expectPassingOutput(r: GuestRunResult, tests: readonly string[], smp: number, what: string): void {
  const lines = r.stdout.split('\n');
  expect(r.timedOut, describeRun(r, what)).to.equal(false);
  expect(r.stdout, describeRun(r, what)).not.to.match(/FAIL/);
  expect(lines[0], describeRun(r, what)).to.equal(`smp: ${smp} harts`);
  expect(lines.slice(1, -1).map((l) => l.replace(/ \(\d+ checks\)$/, '')), describeRun(r, what))
    .to.deep.equal(tests.map((t) => `PASS ${t}`));
  expect(lines[lines.length - 1], describeRun(r, what)).to.equal('');
  expect(r.status, describeRun(r, what)).to.equal(0);
}

/** QEMU runs are memoized: the suite section and the differential comparisons share them. */
const qemuRuns = new Map<string, Promise<GuestRunResult>>();
function qemuReference(guest: string, smp: number): Promise<GuestRunResult> {
  const key = `${guest}@${smp}`;
  let run = qemuRuns.get(key);
  if (!run) {
    run = runQemu(guestArgs(guest, smp), { timeoutMs: QEMU_TIMEOUT_MS });
    qemuRuns.set(key, run);
  }
  return run;
}

/** Runs the tasks with at most `jobs` in flight; results in task order. */
async function runPool<T>(tasks: readonly (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

/** tsemu must reproduce QEMU's console output, stderr and exit status exactly. */
function expectSameAsQemu(t: GuestRunResult, q: GuestRunResult, what: string): void {
  const both = `${describeRun(t, `tsemu ${what}`)}\n${describeRun(q, `QEMU ${what}`)}`;
  expect(t.timedOut, both).to.equal(false);
  expect(t.stdout, both).to.equal(q.stdout);
  expect(t.stderr, both).to.equal(q.stderr);
  expect(t.status, both).to.equal(q.status);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

describe('SMP guests (tests/smp)', function () {
  before(function () {
    for (const guest of [...SUITE, 'all', ...HANG_GUESTS.map((g) => g.name)]) {
      if (!existsSync(elfPath(guest))) throw new Error(`${elfPath(guest)} missing: run make -C tests/smp`);
    }
  });

  describe('on QEMU (reference)', function () {
    this.timeout(4 * QEMU_TIMEOUT_MS);
    for (const smp of SMP_COUNTS) {
      for (const guest of SUITE) {
        it(`${guest} passes at -smp ${smp}`, async function () {
          expectPassingOutput(await qemuReference(guest, smp), [guest], smp, `QEMU ${guest} -smp ${smp}`);
        });
      }
      it(`all (every guest in one boot) passes at -smp ${smp}`, async function () {
        expectPassingOutput(await qemuReference('all', smp), SUITE, smp, `QEMU all -smp ${smp}`);
      });
    }
  });

  describe('on tsemu, compared with QEMU', function () {
    for (const config of TSEMU_CONFIGS) {
      it(`every guest once at ${config.label}`, async function () {
        this.timeout(QEMU_TIMEOUT_MS + SUITE.length * TSEMU_TIMEOUT_MS);
        const started = performance.now();
        const runs = await runPool(
          SUITE.map((guest) => () => runTsemu(guestArgs(guest, config.smp, config.extra), { timeoutMs: TSEMU_TIMEOUT_MS })),
          JOBS,
        );
        const elapsed = performance.now() - started;
        for (let i = 0; i < SUITE.length; i++) {
          expectSameAsQemu(runs[i], await qemuReference(SUITE[i], config.smp), `${SUITE[i]} ${config.label}`);
        }
        console.log(`      tsemu ${config.label}: ${SUITE.length} guests in ${seconds(elapsed)} s (${JOBS} at a time)`);
      });
    }

    for (const config of TSEMU_CONFIGS) {
      it(`all ${STRESS_RUNS} runs in a row at ${config.label}`, async function () {
        this.timeout(QEMU_TIMEOUT_MS + STRESS_RUNS * TSEMU_TIMEOUT_MS);
        const reference = await qemuReference('all', config.smp);
        expectPassingOutput(reference, SUITE, config.smp, `QEMU all -smp ${config.smp}`);
        const started = performance.now();
        const runs = await runPool(
          Array.from({ length: STRESS_RUNS }, () => () =>
            runTsemu(guestArgs('all', config.smp, config.extra), { timeoutMs: TSEMU_TIMEOUT_MS })),
          JOBS,
        );
        const elapsed = performance.now() - started;
        const durations = runs.map((r) => r.durationMs);
        console.log(`      tsemu ${config.label}: ${STRESS_RUNS} runs in ${seconds(elapsed)} s ` +
          `(${JOBS} at a time; per run min ${seconds(Math.min(...durations))} s, max ${seconds(Math.max(...durations))} s)`);
        const failed = runs.findIndex((r) => r.stdout !== reference.stdout || r.stderr !== reference.stderr ||
          r.status !== reference.status || r.timedOut);
        if (failed >= 0) {
          const count = runs.filter((r) => r.stdout !== reference.stdout || r.status !== reference.status).length;
          expectSameAsQemu(runs[failed], reference, `all ${config.label}, run ${failed + 1} of ${STRESS_RUNS} (${count} differ)`);
        }
      });
    }
  });

  describe('a guest that never finishes leaves tsemu responsive to SIGINT', function () {
    this.timeout(2 * TSEMU_TIMEOUT_MS);
    const SETTLE_MS = 300;
    const options = (ready: RegExp) => ({
      readyPattern: ready, settleMs: SETTLE_MS, signal: 'SIGINT' as const,
      readyTimeoutMs: TSEMU_TIMEOUT_MS, exitTimeoutMs: 10_000,
    });
    const describeSignalRun = (r: SignalRunResult, what: string): string =>
      `${what}: status=${r.status} signal=${r.termSignal} signalled=${r.signalled} killed=${r.killed} ` +
      `exit ${r.exitLatencyMs.toFixed(0)} ms after SIGINT\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;

    const qemuHangRuns = new Map<string, Promise<SignalRunResult>>();
    const qemuHangRun = (guest: string, ready: RegExp): Promise<SignalRunResult> => {
      let run = qemuHangRuns.get(guest);
      if (!run) {
        run = runUntilReadyThenSignal(QEMU_BINARY, guestArgs(guest, 8), options(ready));
        qemuHangRuns.set(guest, run);
      }
      return run;
    };

    for (const hang of HANG_GUESTS) {
      it(`${hang.name}: QEMU (reference) exits with status 0 and "terminating on signal 2"`, async function () {
        const r = await qemuHangRun(hang.name, hang.ready);
        const what = describeSignalRun(r, `QEMU ${hang.name}`);
        expect(r.signalled, what).to.equal(true);
        expect(r.killed, what).to.equal(false);
        expect(r.status, what).to.equal(0);
        expect(r.stderr, what).to.match(QEMU_SIGNAL_MESSAGE);
      });

      for (const config of TSEMU_CONFIGS.filter((c) => c.smp === 8)) {
        it(`${hang.name} at ${config.label}: SIGINT ends tsemu within ${EXIT_AFTER_SIGINT_MS} ms like QEMU`, async function () {
          const q = await qemuHangRun(hang.name, hang.ready);
          const r = await runUntilReadyThenSignal(process.execPath, [tsemuScript(), ...guestArgs(hang.name, 8, config.extra)],
            options(hang.ready));
          const what = `${describeSignalRun(r, `tsemu ${hang.name} ${config.label}`)}\n${describeSignalRun(q, `QEMU ${hang.name}`)}`;
          console.log(`      exited ${r.exitLatencyMs.toFixed(0)} ms after SIGINT (QEMU: ${q.exitLatencyMs.toFixed(0)} ms)`);
          expect(r.signalled, what).to.equal(true);
          expect(r.killed, what).to.equal(false);
          expect(r.exitLatencyMs, what).to.be.below(EXIT_AFTER_SIGINT_MS);
          expect(r.status, what).to.equal(q.status);
          expect(r.stdout, what).to.equal(q.stdout);
          expect(r.stderr, what).to.equal(tsemuSignalMessage(q.stderr));
        });
      }
    }
  });
});
