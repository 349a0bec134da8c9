/**
 * The xv6-style disk guest on tsemu under xv6's command line and its variations (legacy and
 * modern transports, bus= and QEMU's placement, several disks, -d guest_errors): console output,
 * stderr, exit status and the disk images afterwards must be what QEMU 7.2 gave
 * (tests/transcripts/virtio/NAME.json; xv6-disk.oracle.spec.ts keeps them current).
 */
import { expect } from 'chai';
import { runTsemu } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { describeRun, runScenario, transcriptKey, XV6_SCENARIOS, type Xv6Outcome } from './xv6-disk-runs.js';

const TSEMU_TIMEOUT_MS = 60_000;

describe('xv6-style virtio disk driver (tsemu vs QEMU transcripts)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + 10_000);

  for (const s of XV6_SCENARIOS) {
    it(`${s.name}: ${s.what}`, async function () {
      const qemu = readTranscript<Xv6Outcome>(transcriptKey(s));
      expect(qemu.stdout).to.match(/^PASS xv6_disk/m);
      const { result, outcome } = await runScenario(runTsemu, s, TSEMU_TIMEOUT_MS);
      expect(result.timedOut, describeRun(result)).to.equal(false);
      expect(outcome, describeRun(result)).to.deep.equal(qemu);
    });
  }
});
