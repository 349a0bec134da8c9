/**
 * CI-size run of the device-tree fuzzer (dtb-fuzz.ts) with no QEMU: mutated -dtb files end in
 * QEMU's one-line (or load_device_tree's two-line) error or a dumped tree, and a taken tree under
 * the bundled firmware ends, fails as a guest or keeps running until SIGTERM; no stack trace.
 * The oracle tier (fuzz.oracle.spec.ts) runs more seeds and compares each case with QEMU 7.2.
 */
import { expect } from 'chai';
import { runDtbSeed } from './dtb-fuzz.js';

describe('fuzz: mutated device trees given with -dtb', function () {
  this.timeout(600_000);

  it('16 mutated trees: QEMU\'s error or the tree taken, the firmware walking it; no stack trace, no wedged process', async function () {
    const runs = await Promise.all([runDtbSeed(601, 8, { oracle: false }), runDtbSeed(602, 8, { oracle: false })]);
    const problems = runs.flatMap((r) => r.problems);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
    // the mutations must leave some trees loadable, or the guest half tests nothing
    expect(runs.reduce((n, r) => n + r.taken, 0)).to.be.greaterThan(0);
  });
});
