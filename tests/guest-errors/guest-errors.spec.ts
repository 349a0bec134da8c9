/**
 * tsemu's -d guest_errors / -d unimp output for tests/guest/bin/guest_errors.elf against what
 * QEMU 7.2 printed for the same command line (committed transcripts, guest-errors.oracle.spec.ts
 * checks them against a live QEMU): the same lines, byte for byte, in the same order, to the
 * same place (stderr or the -D file), including QEMU's messages without a trailing newline; at
 * -smp 2 too, where the log is written by two vCPU workers and the main thread's devices.
 */
import { expect } from 'chai';
import { runTsemu } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { describeRun, RECIPES, runRecipe, transcriptKey, type LogOutcome } from './guest-errors-runs.js';

const TSEMU_TIMEOUT_MS = 60_000;

describe('guest error logs (tsemu vs QEMU transcripts)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + 10_000);

  for (const recipe of RECIPES) {
    it(`${recipe.what}: QEMU's log, console output and exit status`, async function () {
      const q = readTranscript<LogOutcome>(transcriptKey(recipe));
      const t = await runRecipe(runTsemu, recipe, TSEMU_TIMEOUT_MS);
      expect(t.result.timedOut, describeRun(t)).to.equal(false);
      expect(t.outcome.log, describeRun(t)).to.equal(q.log);
      expect(t.outcome.stderr, describeRun(t)).to.equal(q.stderr);
      expect(t.outcome.stdout, describeRun(t)).to.equal(q.stdout);
      expect(t.outcome.status, describeRun(t)).to.equal(q.status);
    });
  }

  it('the transcripts hold what the recipes are about', function () {
    const both = readTranscript<LogOutcome>('guest-errors/guest-errors-unimp');
    const errors = readTranscript<LogOutcome>('guest-errors/guest-errors');
    const unimp = readTranscript<LogOutcome>('guest-errors/unimp');
    expect(both.stdout).to.match(/^PASS guest_errors/m);
    expect(readTranscript<LogOutcome>('guest-errors/no-log').log).to.equal('');
    expect(unimp.log).to.include('CSR_MTVEC: reserved mode not supported\n').and.include('aclint-swi: invalid read: ');
    expect(errors.log).to.include("region '(null)', reason: rejected\n").and.not.include('CSR_MTVEC');
    // both items together log exactly the lines of each alone, interleaved
    expect(both.log.length).to.equal(errors.log.length + unimp.log.length);
    expect(readTranscript<LogOutcome>('guest-errors/logfile-with-int').log).to.include('riscv_cpu_do_interrupt: hart:0');
    expect(readTranscript<LogOutcome>('guest-errors/pmp').log).to.include('pmp violation - access is partially inside\n');
  });
});
