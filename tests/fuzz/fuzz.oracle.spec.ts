/**
 * CI-size runs of the fuzzers (tests/fuzz/README.md): 10^5 random instruction words on QEMU 7.2
 * and tsemu with 0 differences and 0 host exceptions, and mutated boot images with 0 stack traces
 * and 0 wedged processes. Seeds are fixed here so that CI is reproducible; `npm run fuzz` draws
 * new ones. Each failure message says how to reproduce it.
 */
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { runDiskSeed, runInputsSeed } from './inputs-fuzz.js';
import { runDtbSeed } from './dtb-fuzz.js';
import { runInsnSeed } from './insn-fuzz.js';

const INSN_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110];
const WORDS_PER_SEED = 10_000;

describe('fuzz: random instruction streams against QEMU 7.2 (oracle)', function () {
  this.timeout(600_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it(`${INSN_SEEDS.length * WORDS_PER_SEED} words, M/S/U, Sv39/Sv48, interrupts: 0 differences, 0 host exceptions`, async function () {
    const problems: string[] = [];
    let words = 0;
    // two seeds at a time: each run is one QEMU and one tsemu process, on 2 cores
    for (let i = 0; i < INSN_SEEDS.length; i += 2) {
      const runs = await Promise.all(INSN_SEEDS.slice(i, i + 2).map((s) => runInsnSeed(s, WORDS_PER_SEED)));
      for (const r of runs) {
        problems.push(...r.problems);
        if (r.problems.length === 0) words += r.steps;
      }
    }
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
    expect(words).to.equal(INSN_SEEDS.length * WORDS_PER_SEED);
  });
});

describe('fuzz: mutated ELF files and uImages (oracle tier: a few hundred emulator runs)', function () {
  this.timeout(300_000);
  before(function () {
    requireTool(QEMU_BINARY); // a guest's failure exit is checked against QEMU's
  });

  it('40 mutated images: a one-line error, a running guest or its failure exit (as on QEMU), no stack trace, no wedged process', async function () {
    const runs = await Promise.all([runInputsSeed(201, 20), runInputsSeed(202, 20)]);
    const problems = runs.flatMap((r) => r.problems);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
  });
});

describe('fuzz: mutated disk images under the virtio-blk guest (oracle tier)', function () {
  this.timeout(300_000);
  before(function () {
    requireTool(QEMU_BINARY); // a guest's failure exit is checked against QEMU's
  });

  it('20 mutated disk images (odd sizes, empty, sparse 1 TiB, random bytes): a one-line error, the guest running or failing as on QEMU, no stack trace', async function () {
    const runs = await Promise.all([runDiskSeed(203, 10), runDiskSeed(204, 10)]);
    const problems = runs.flatMap((r) => r.problems);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
  });
});

describe('fuzz: mutated device trees given with -dtb, against QEMU 7.2 (oracle tier)', function () {
  this.timeout(600_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('40 mutated trees: QEMU\'s status and error text, the dumped tree equal to QEMU\'s (but the random rng-seed), the firmware walking it; no stack trace', async function () {
    const runs = await Promise.all([runDtbSeed(603, 20, { oracle: true }), runDtbSeed(604, 20, { oracle: true })]);
    const problems = runs.flatMap((r) => r.problems);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
    expect(runs.reduce((n, r) => n + r.taken, 0)).to.be.greaterThan(0);
  });
});
