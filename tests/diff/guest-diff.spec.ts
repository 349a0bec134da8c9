/**
 * Differential test: every guest in tests/guest/manifest.json runs on tsemu and must give the
 * console output and exit status QEMU 7.2 gave for the same command line (the committed transcript
 * tests/transcripts/diff/NAME.json; guest-diff.oracle.spec.ts checks it against a live QEMU). tsemu
 * runs four times: as it runs by default (blocks interpreted until hot, then WebAssembly,
 * src/vcpu/block-cache.ts), with every block compiled to JavaScript after its first, interpreted,
 * run (TSEMU_TIER=js TSEMU_HOT=1), with every block compiled to WebAssembly at once
 * (TSEMU_TIER=wasm), and to WebAssembly in batches after one run (TSEMU_TIER=wasm TSEMU_HOT=1:
 * blocks of a batch that exit to one another become one function, a region), so every way of
 * running a block sees every guest.
 */
import { expect } from 'chai';
import { loadGuestManifest } from '../support/guest-manifest.js';
import { runTsemu } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { describeRun, runEntry, transcriptKey, type GuestOutcome } from './guest-runs.js';

const TSEMU_TIMEOUT_MS = 60_000;

describe('guest differential tests (tsemu vs QEMU transcripts)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + 10_000);

  for (const entry of loadGuestManifest()) {
    describe(entry.name, function () {
      const qemu = (): GuestOutcome => readTranscript<GuestOutcome>(transcriptKey(entry));

      it('QEMU passed it with the expected exit status (transcript)', function () {
        const q = qemu();
        expect(q.stdout, describeRun(q)).not.to.match(/FAIL/);
        expect(q.stdout, describeRun(q)).to.match(/PASS/);
        expect(q.status, describeRun(q)).to.equal(entry.expectedExit);
      });

      const variants = [
        ['', undefined],
        [' with every block compiled to JavaScript after one run', { TSEMU_TIER: 'js', TSEMU_HOT: '1' }],
        [' with every block compiled to WebAssembly at once', { TSEMU_TIER: 'wasm' }],
        // hot after one run, blocks wait for their batch together: those that link make regions
        [' with blocks compiled to WebAssembly in batches after one run (regions)', { TSEMU_TIER: 'wasm', TSEMU_HOT: '1' }],
      ] as const;
      for (const [how, env] of variants) {
        it(`produces QEMU's console output and exit status on tsemu${how}`, async function () {
          const q = qemu();
          const tsemu = await runEntry(runTsemu, entry, TSEMU_TIMEOUT_MS, env);
          expect(tsemu.timedOut, describeRun(tsemu)).to.equal(false);
          expect(tsemu.stdout, describeRun(tsemu)).to.equal(q.stdout);
          expect(tsemu.status, describeRun(tsemu)).to.equal(q.status);
        });
      }
    });
  }
});
