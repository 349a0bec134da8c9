/**
 * Oracle tier of the differential guest tests: every guest of tests/guest/manifest.json on a live
 * QEMU 7.2 prints a PASS, no FAIL, exits with the manifest's status, and gives exactly what its
 * committed transcript (tests/transcripts/diff/NAME.json) holds, which guest-diff.spec.ts holds
 * tsemu to.
 */
import { expect } from 'chai';
import { loadGuestManifest } from '../support/guest-manifest.js';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { describeRun, outcome, runEntry, transcriptKey } from './guest-runs.js';

const QEMU_TIMEOUT_MS = 15_000;

describe('guest differential tests: QEMU 7.2 live (oracle)', function () {
  this.timeout(QEMU_TIMEOUT_MS + 10_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  for (const entry of loadGuestManifest()) {
    it(`${entry.name}: passes on QEMU and matches its transcript`, async function () {
      let command: readonly string[] = [];
      const q = await runEntry(runQemu, entry, QEMU_TIMEOUT_MS, undefined, (args) => { command = args; });
      expect(q.timedOut, describeRun(q)).to.equal(false);
      expect(q.stdout, describeRun(q)).not.to.match(/FAIL/);
      expect(q.stdout, describeRun(q)).to.match(/PASS/);
      expect(q.status, describeRun(q)).to.equal(entry.expectedExit);
      verifyTranscript(transcriptKey(entry), outcome(q), [QEMU_BINARY, ...command]);
    });
  }
});
