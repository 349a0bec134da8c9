/**
 * `-dtb FILE` (QEMU 7.2's load_device_tree, /chosen bootargs, rng-seed and initrd cells, fdt_pack)
 * on committed trees: tsemu's dump equals QEMU's (the transcript recorded by
 * dtb-option.oracle.spec.ts), the random rng-seed aside. The bad files are in bad-input.spec.ts.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { BASES, dumpArgs, dumpOf, KEY, type DtbDump } from './dtb-option-cases.js';

describe('cli: -dtb FILE, the tree QEMU 7.2 would place (transcript)', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    dir = makeTempDir('dtb-option');
    writeFileSync(join(dir, 'initrd'), Buffer.alloc(4099, 0x5a));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const base of BASES) {
    it(`${base}: the dumped buffer equals QEMU's (bootargs, initrd cells, rng-seed written; packed; 2 x (size + 10000) bytes)`, async function () {
      const out = join(dir, `${base}.out`);
      const r = await runTsemu(dumpArgs(base, join(dir, 'initrd'), out), { timeoutMs: 20_000 });
      expect(r.status, r.stderr).to.equal(0);
      const want = readTranscript<DtbDump[]>(KEY).find((d) => d.base === base);
      expect(want, `no ${base} in tests/transcripts/${KEY}.json`).to.not.equal(undefined);
      expect(dumpOf(base, readFileSync(out))).to.deep.equal(want);
    });
  }
});
