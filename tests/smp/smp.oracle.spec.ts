/**
 * Oracle tier of the SMP suite: every guest on a live QEMU 7.2 passes at -smp 2, 4 and 8 and
 * prints exactly what its committed transcript (tests/transcripts/smp/GUEST-smpN.json) holds;
 * the guests that never finish, stopped with SIGINT at -smp 8, exit with status 0 and QEMU's
 * "terminating on signal 2 from pid N (name)" message, kept in
 * tests/transcripts/smp/GUEST-smp8-sigint.json with the sender replaced. smp.spec.ts holds tsemu
 * to these transcripts.
 */
import { expect } from 'chai';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { runUntilReadyThenSignal } from './signal-run.js';
import {
  describeRun, describeSignalRun, expectGuestsBuilt, expectPassingOutput, finishingRuns, guestArgs, HANG_GUESTS, HANG_SMP,
  hangKey, outcome, QEMU_SIGNAL_MESSAGE, QEMU_TIMEOUT_MS, runKey, signalOptions, signalOutcome,
} from './smp-runs.js';

describe('SMP guests (tests/smp): QEMU 7.2 live (oracle)', function () {
  before(function () {
    requireTool(QEMU_BINARY);
    expectGuestsBuilt();
  });

  describe('on QEMU (reference)', function () {
    this.timeout(QEMU_TIMEOUT_MS + 10_000);
    for (const { guest, smp, tests } of finishingRuns()) {
      const name = guest === 'all' ? 'all (every guest in one boot)' : guest;
      it(`${name} passes at -smp ${smp} and matches its transcript`, async function () {
        const args = guestArgs(guest, smp);
        const q = await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS });
        expect(q.timedOut, describeRun(q, `QEMU ${guest} -smp ${smp}`)).to.equal(false);
        expectPassingOutput(q, tests, smp, `QEMU ${guest} -smp ${smp}`);
        verifyTranscript(runKey(guest, smp), outcome(q), [QEMU_BINARY, ...args]);
      });
    }
  });

  describe('a guest that never finishes: QEMU stopped by SIGINT', function () {
    this.timeout(QEMU_TIMEOUT_MS + 20_000);
    for (const hang of HANG_GUESTS) {
      it(`${hang.name}: exits with status 0 and "terminating on signal 2", as its transcript holds`, async function () {
        const args = guestArgs(hang.name, HANG_SMP);
        const r = await runUntilReadyThenSignal(QEMU_BINARY, args, signalOptions(hang.ready));
        const what = describeSignalRun(r, `QEMU ${hang.name}`);
        console.log(`      exited ${r.exitLatencyMs.toFixed(0)} ms after SIGINT`);
        expect(r.signalled, what).to.equal(true);
        expect(r.killed, what).to.equal(false);
        expect(r.status, what).to.equal(0);
        expect(r.stderr, what).to.match(QEMU_SIGNAL_MESSAGE);
        verifyTranscript(hangKey(hang.name), signalOutcome(r), [QEMU_BINARY, ...args, '(SIGINT 300 ms after the HANG line)']);
      });
    }
  });
});
