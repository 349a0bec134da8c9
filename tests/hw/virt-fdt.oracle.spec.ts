/**
 * Oracle tier of the virt device-tree tests: tsemu's tree decompiled by dtc has the key nodes
 * (the checks virt-fdt.spec.ts makes with the test DTB reader), and QEMU 7.2's dumped trees
 * (`qemu-system-riscv64 -M virt,dumpdtb=F`, decompiled by dtc) are what the committed transcripts
 * tests/transcripts/hw/virt-fdt/*.json hold (the test DTB reader reads them the same way).
 */
import { expect } from 'chai';
import { buildVirtFdt } from '../../src/machine/virt-fdt.js';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { decompileDtb, dtcDecompile, findNode, treeToJson } from './dts-tree.js';
import { checkHighRamAndInitrd, checkKeyNodes, checkOverrides, HIGH_RAM, MiB, OVERRIDES, QEMU_CASES, qemuDump, withoutRngSeed } from './virt-fdt-cases.js';

describe('machine/virt-fdt through dtc, and QEMU 7.2 live (oracle)', () => {
  before(function () {
    requireTool('dtc');
  });

  it('decompiles with dtc and has the key nodes', () => {
    checkKeyNodes(dtcDecompile(buildVirtFdt({ numHarts: 2, ramBase: 0x80000000, ramSize: 256 * MiB, virtioCount: 8 })));
  });

  it('describes only virtioCount transports and honours isa/mmu overrides (dtc)', () => {
    checkOverrides(dtcDecompile(buildVirtFdt(OVERRIDES)));
  });

  it('encodes RAM above 4 GiB and initrd bounds (dtc)', () => {
    checkHighRamAndInitrd(dtcDecompile(buildVirtFdt(HIGH_RAM)));
  });

  describe('QEMU 7.2 -M virt,dumpdtb matches its transcripts', () => {
    before(function () {
      requireTool(QEMU_BINARY);
    });

    for (const c of Object.values(QEMU_CASES)) {
      it(`${c.args.join(' ')}: the transcript ${c.key} is QEMU's tree`, () => {
        let command: string[] = [];
        const [dtc, ours] = qemuDump(c.args, (dtb) => [dtcDecompile(dtb), decompileDtb(dtb)], (cmd) => { command = cmd; });
        expect(ours, 'the test DTB reader reads QEMU\'s tree as dtc does').to.deep.equal(dtc);
        expect(findNode(dtc, '/chosen')?.props.get('rng-seed'), 'QEMU passes a random seed of 8 cells').to.match(/^<(0x[0-9a-f]+ ){7}0x[0-9a-f]+>$/);
        verifyTranscript(c.key, treeToJson(withoutRngSeed(dtc)), command);
      });
    }
  });
});
