/**
 * tsemu's `riscv,isa` for each -cpu case of virt-isa-cases.ts against QEMU 7.2's (the committed
 * transcript): through the -cpu parser and the string builder, and in the DTB the real binary dumps.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { parseCpuModel } from '../../src/cli/cpu-model.js';
import { isaString } from '../../src/target/riscv/isa.js';
import { repoRoot } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { CPU_CASES, dumpIsa, TRANSCRIPT_KEY } from './virt-isa-cases.js';

describe('device tree riscv,isa for -cpu rv64 properties (QEMU 7.2 transcript)', function () {
  const qemu = readTranscript<Record<string, string>>(TRANSCRIPT_KEY);

  for (const cpu of CPU_CASES) {
    it(`-cpu ${cpu}: QEMU's string (QEMU run with h=false)`, function () {
      const expected = qemu[cpu];
      expect(isaString(parseCpuModel(cpu).extensions)).to.equal(expected);
    });
  }

  it('is what the binary writes into the DTB it dumps', function () {
    this.timeout(30_000);
    const bin = join(repoRoot(), 'bin', 'tsemu-system-riscv64.js');
    const cpu = 'rv64,zbb=false';
    expect(dumpIsa(process.execPath, [bin], cpu)).to.equal(qemu[cpu]);
  });
});
