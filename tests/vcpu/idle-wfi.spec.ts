/**
 * Idle means idle (issue: "a halted hart sleeps in Atomics.wait, whatever mie says"): the
 * wfi_halt guest parks hart 1 with `csrw mie, zero; wfi` for 100 ms of guest time while hart 0
 * counts mtime. QEMU halts that vCPU until an interrupt is pending and enabled, which never
 * happens; tsemu's vCPU must sleep in Atomics.wait rather than return from zero-length waits over
 * and over. The vCPU's own count of its sleeps (TSEMU_STATS) tells the two apart without timing
 * anything: sleeping, hart 1 goes to sleep a handful of times (before its release, at its wfi);
 * spinning, tens of thousands of times in those 100 ms.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { repoRoot, runTsemu, virtKernelArgs } from '../support/run-guest.js';

/** Sleeps a parked hart may need: waiting for its release, then one at its wfi (woken at exit). */
const MAX_IDLE_SLEEPS = 10;

describe('vcpu: a hart halted with wfi and mie = 0 sleeps', function () {
  this.timeout(30_000);

  it('wfi_halt at -smp 2: PASS, and hart 1 went to sleep only a handful of times', async function () {
    const elf = join(repoRoot(), 'tests/guest/bin/wfi_halt.elf');
    const r = await runTsemu(virtKernelArgs(elf, ['-smp', '2']), { env: { TSEMU_STATS: '1' }, timeoutMs: 20_000 });
    expect(r.stdout, r.stderr).to.include('PASS wfi_halt');
    expect(r.status).to.equal(0);
    const m = /\[stats\] hart 1: \d+ instructions; (\d+) sleeps/.exec(r.stderr);
    expect(m, `no stats line for hart 1 in:\n${r.stderr}`).to.not.equal(null);
    expect(Number(m?.[1]), 'times hart 1 went to sleep').to.be.at.most(MAX_IDLE_SLEEPS);
  });
});
