/**
 * Oracle tier of the xv6 disk tests: each scenario of xv6-disk-runs.ts on a live QEMU 7.2 passes
 * and gives exactly what its committed transcript (tests/transcripts/virtio/NAME.json) holds.
 */
import { expect } from 'chai';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { describeRun, runScenario, transcriptKey, XV6_SCENARIOS } from './xv6-disk-runs.js';

const QEMU_TIMEOUT_MS = 15_000;

describe('xv6-style virtio disk driver: QEMU 7.2 live (oracle)', function () {
  this.timeout(QEMU_TIMEOUT_MS + 10_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  for (const s of XV6_SCENARIOS) {
    it(`${s.name}: passes on QEMU and matches its transcript`, async function () {
      let command: readonly string[] = [];
      const { result, outcome } = await runScenario(runQemu, s, QEMU_TIMEOUT_MS, (args) => { command = args; });
      expect(result.timedOut, describeRun(result)).to.equal(false);
      expect(result.stdout, describeRun(result)).to.match(/^PASS xv6_disk/m);
      expect(result.status, describeRun(result)).to.equal(0);
      verifyTranscript(transcriptKey(s), outcome, [QEMU_BINARY, ...command]);
    });
  }
});
