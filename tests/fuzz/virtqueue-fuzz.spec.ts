/**
 * CI-size run of the virtqueue fuzzer (virtqueue-fuzz.ts): mutated descriptor rings on the
 * virtio-mmio + virtio-blk model, in process, so it needs no QEMU and runs in `npm test`. The
 * device answers or stops as QEMU's virtio_error() does; no exception escapes; after a reset it
 * serves a read again. Both outcomes must occur, or the mutations are not reaching the checks.
 */
import { expect } from 'chai';
import { runVirtqueueSeed } from './virtqueue-fuzz.js';

describe('fuzz: mutated virtqueue descriptor rings on the virtio-blk model', function () {
  this.timeout(120_000);

  it('4 seeds x 2,500 cases: answered or broken with one line, never an exception, a read works after reset', function () {
    const runs = [301, 302, 303, 304].map((seed) => runVirtqueueSeed(seed, 2_500));
    const problems = runs.flatMap((r) => r.problems);
    expect(problems.slice(0, 5), problems.slice(0, 5).join('\n\n')).to.deep.equal([]);
    const broken = runs.reduce((n, r) => n + r.broken, 0);
    const answered = runs.reduce((n, r) => n + r.answered, 0);
    expect(broken, 'cases that stopped the device').to.be.greaterThan(1000);
    expect(answered, 'cases the device answered').to.be.greaterThan(1000);
  });
});
