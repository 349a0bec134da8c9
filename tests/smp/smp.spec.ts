/**
 * SMP guest suite (tests/smp/bin, built from tests/smp/src by its Makefile), tsemu against the
 * committed QEMU 7.2 transcripts (tests/transcripts/smp/*.json; smp.oracle.spec.ts checks them
 * against a live QEMU).
 *
 * - QEMU (the reference, from the transcripts): every guest passed at -smp 2, 4 and 8.
 * - tsemu: every guest once per configuration (-smp 2, 4, 8, and -smp 8 with
 *   -accel tcg,thread=single), then bin/all.elf (every guest in one boot)
 *   STRESS_RUNS times per configuration. Each run must print exactly what QEMU
 *   printed for the same -smp (the guests' output is deterministic: only hart
 *   0 prints, and only facts that do not depend on the interleaving) and exit
 *   with the same status.
 * - Responsiveness: guests that never finish (every hart spinning on a lock
 *   nobody releases; every hart in WFI with interrupts off) must leave tsemu
 *   responsive: SIGINT ends it within a second, with status 0 and the message
 *   QEMU printed (QEMU adds " from pid N (name)", which Node cannot know).
 *
 * Environment: SMP_SPEC_JOBS (tsemu processes run at once, default 2),
 * SMP_SPEC_RUNS (stress runs per configuration, default 20).
 */
import { expect } from 'chai';
import { runTsemu, tsemuScript, type GuestRunResult } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { runUntilReadyThenSignal } from './signal-run.js';
import {
  describeRun, describeSignalRun, expectGuestsBuilt, expectPassingOutput, finishingRuns, guestArgs, HANG_GUESTS, HANG_SMP,
  hangKey, runKey, signalOptions, SMP_COUNTS, STORED_SIGNAL_MESSAGE, SUITE, TSEMU_TIMEOUT_MS, tsemuSignalMessage, type RunOutcome,
} from './smp-runs.js';

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

function positiveIntFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return n;
}

/** QEMU's run of `guest` at -smp `smp`, from its transcript. */
function qemuReference(guest: string, smp: number): RunOutcome {
  return readTranscript<RunOutcome>(runKey(guest, smp));
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
function expectSameAsQemu(t: GuestRunResult, q: RunOutcome, what: string): void {
  const both = `${describeRun(t, `tsemu ${what}`)}\n${describeRun(q, `QEMU ${what} (transcript)`)}`;
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
    expectGuestsBuilt();
  });

  describe('on QEMU (reference, from the transcripts)', function () {
    for (const { guest, smp, tests } of finishingRuns()) {
      const name = guest === 'all' ? 'all (every guest in one boot)' : guest;
      it(`${name} passed at -smp ${smp}`, function () {
        expectPassingOutput(qemuReference(guest, smp), tests, smp, `QEMU ${guest} -smp ${smp} (transcript)`);
      });
    }
  });

  describe('on tsemu, compared with QEMU', function () {
    for (const config of TSEMU_CONFIGS) {
      it(`every guest once at ${config.label}`, async function () {
        this.timeout(SUITE.length * TSEMU_TIMEOUT_MS);
        const references = SUITE.map((guest) => qemuReference(guest, config.smp));
        const started = performance.now();
        const runs = await runPool(
          SUITE.map((guest) => () => runTsemu(guestArgs(guest, config.smp, config.extra), { timeoutMs: TSEMU_TIMEOUT_MS })),
          JOBS,
        );
        const elapsed = performance.now() - started;
        for (let i = 0; i < SUITE.length; i++) {
          expectSameAsQemu(runs[i], references[i], `${SUITE[i]} ${config.label}`);
        }
        console.log(`      tsemu ${config.label}: ${SUITE.length} guests in ${seconds(elapsed)} s (${JOBS} at a time)`);
      });
    }

    for (const config of TSEMU_CONFIGS) {
      it(`all ${STRESS_RUNS} runs in a row at ${config.label}`, async function () {
        this.timeout(STRESS_RUNS * TSEMU_TIMEOUT_MS);
        const reference = qemuReference('all', config.smp);
        expectPassingOutput(reference, SUITE, config.smp, `QEMU all -smp ${config.smp} (transcript)`);
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

    for (const hang of HANG_GUESTS) {
      const qemu = (): RunOutcome => readTranscript<RunOutcome>(hangKey(hang.name));

      it(`${hang.name}: QEMU (reference, transcript) exited with status 0 and "terminating on signal 2"`, function () {
        const q = qemu();
        const what = describeRun(q, `QEMU ${hang.name} (transcript)`);
        expect(q.stdout, what).to.match(hang.ready);
        expect(q.status, what).to.equal(0);
        expect(q.stderr, what).to.match(STORED_SIGNAL_MESSAGE);
      });

      for (const config of TSEMU_CONFIGS.filter((c) => c.smp === HANG_SMP)) {
        it(`${hang.name} at ${config.label}: SIGINT ends tsemu like QEMU (on its own: no SIGKILL 10 s later)`, async function () {
          const q = qemu();
          const r = await runUntilReadyThenSignal(process.execPath, [tsemuScript(), ...guestArgs(hang.name, HANG_SMP, config.extra)],
            signalOptions(hang.ready));
          const what = `${describeSignalRun(r, `tsemu ${hang.name} ${config.label}`)}\n${describeRun(q, `QEMU ${hang.name} (transcript)`)}`;
          console.log(`      exited ${r.exitLatencyMs.toFixed(0)} ms after SIGINT`);
          expect(r.signalled, what).to.equal(true);
          expect(r.killed, what).to.equal(false);
          // no bound on the latency itself (printed above): tests assert no timings, and a loaded
          // CI host once took 1039 ms; `killed` already fails a process that ignores the signal
          expect(r.status, what).to.equal(q.status);
          expect(r.stdout, what).to.equal(q.stdout);
          expect(r.stderr, what).to.equal(tsemuSignalMessage(q.stderr));
        });
      }
    }
  });
});
