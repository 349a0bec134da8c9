/**
 * SBI conformance of tsemu-sbi on tsemu: the S-mode guest tests/sbi/guest (README.md there lists its
 * checks) runs at -smp 4 on `-bios default` and must print exactly what QEMU 7.2 printed for the same
 * guest on the same firmware (the committed transcript tests/transcripts/sbi/sbi-test-smp4.json;
 * sbi.oracle.spec.ts checks it against a live QEMU), i.e. every check passes, the cold reboot
 * happens, and the guest powers off with exit status 0. tsemu runs twice: as it runs by default, and
 * with every block compiled to JavaScript after its first run (TSEMU_TIER=js TSEMU_HOT=1).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { BUNDLED_FIRMWARE } from '../../src/machine/boot-layout.js';
import { runTsemu } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import {
  describeRun, expectPassed, FIRMWARE_ELF, lineDifferences, GUEST_ELF, TRANSCRIPT_KEY, TSEMU_TIMEOUT_MS, tsemuArgs, type SbiOutcome,
} from './sbi-runs.js';

describe('SBI conformance guest on tsemu-sbi (tsemu vs the QEMU transcript)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + 10_000);

  const qemu = (): SbiOutcome => readTranscript<SbiOutcome>(TRANSCRIPT_KEY);

  it('the guest is built and tsemu\'s -bios default is the firmware QEMU ran (firmware/bin/tsemu-sbi.elf)', function () {
    expect(existsSync(GUEST_ELF), `${GUEST_ELF} missing: make -C tests/sbi/guest`).to.equal(true);
    expect(BUNDLED_FIRMWARE).to.equal(FIRMWARE_ELF);
  });

  it('QEMU passed every check (transcript)', function () {
    expectPassed(qemu());
  });

  for (const [how, env] of [['', undefined], [' with every block compiled to JavaScript after one run', { TSEMU_TIER: 'js', TSEMU_HOT: '1' }]] as const) {
    it(`prints QEMU's output and exits like QEMU on tsemu${how}`, async function () {
      const q = qemu();
      const r = await runTsemu(tsemuArgs(), { timeoutMs: TSEMU_TIMEOUT_MS, env });
      expect(r.timedOut, describeRun(r)).to.equal(false);
      expect(lineDifferences(r.stdout, q.stdout), `tsemu's output differs from QEMU's transcript\n${describeRun(r)}`).to.deep.equal([]);
      // BASE returns the hart's own IDs: tsemu's are 0 (QEMU puts its version in marchid/mimpid)
      for (const id of ['mvendorid', 'marchid', 'mimpid']) expect(r.stdout.split('\n'), id).to.include(`INFO ${id} 0x0`);
      expect(r.status, describeRun(r)).to.equal(q.status);
    });
  }
});
