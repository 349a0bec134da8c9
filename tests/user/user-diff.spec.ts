/**
 * tsemu-riscv64 against committed qemu-riscv64 7.2 transcripts (tests/transcripts/user/NAME.json):
 * the static programs of tests/user give the same stdout and exit status (or signal), and
 * -strace the same lines. The dynamic ones need Debian's riscv64 libc and run in the oracle tier.
 */
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { runRecipe, STATIC_RECIPES, tsemuCommand, type UserOutcome } from './user-runs.js';

describe('user mode: tsemu-riscv64 against QEMU transcripts', function () {
  this.timeout(60_000);
  for (const r of STATIC_RECIPES) {
    it(`${r.name}: same output and exit as qemu-riscv64`, function () {
      const want = readTranscript<UserOutcome>(`user/${r.name}`);
      const got = runRecipe(tsemuCommand(), r);
      expect(got).to.deep.equal(want);
    });
  }
});
