/**
 * tsemu's virt device tree (src/machine/virt-fdt.ts), read back with the test DTB reader
 * tests/support/dtb.ts, and compared with QEMU 7.2's (`-M virt,dumpdtb`) through the committed
 * transcripts tests/transcripts/hw/virt-fdt/*.json (virt-fdt.oracle.spec.ts checks them against a
 * live QEMU, and makes the same checks through dtc).
 */
import { expect } from 'chai';
import { buildVirtFdt } from '../../src/machine/virt-fdt.js';
import { readTranscript } from '../support/transcripts.js';
import { decompileDtb, findNode, pruneNodes, treeFromJson } from './dts-tree.js';
import {
  checkHighRamAndInitrd, checkKeyNodes, checkOverrides, HIGH_RAM, MiB, normalise, NOT_EMULATED, OVERRIDES, QEMU_CASES,
  withoutRngSeed, type QemuTree,
} from './virt-fdt-cases.js';

describe('machine/virt-fdt', () => {
  it('decompiles (tests/support/dtb.ts) and has the key nodes', () => {
    checkKeyNodes(decompileDtb(buildVirtFdt({ numHarts: 2, ramBase: 0x80000000, ramSize: 256 * MiB, virtioCount: 8 })));
  });

  it('describes only virtioCount transports and honours isa/mmu overrides', () => {
    checkOverrides(decompileDtb(buildVirtFdt(OVERRIDES)));
  });

  it('encodes RAM above 4 GiB and initrd bounds', () => {
    checkHighRamAndInitrd(decompileDtb(buildVirtFdt(HIGH_RAM)));
  });

  it('rejects hart counts outside 1..16', () => {
    const base = { ramBase: 0x80000000, ramSize: 64 * MiB, virtioCount: 8 };
    expect(() => buildVirtFdt({ ...base, numHarts: 0 })).to.throw(RangeError);
    expect(() => buildVirtFdt({ ...base, numHarts: 17, maxHarts: 17 })).to.throw(RangeError);
    expect(() => buildVirtFdt({ ...base, numHarts: 3, maxHarts: 2 })).to.throw(RangeError);
  });

  describe('matches QEMU 7.2 (qemu-system-riscv64 -M virt,dumpdtb; transcripts)', function () {
    const qemuTree = (key: string): ReturnType<typeof treeFromJson> => treeFromJson(readTranscript<QemuTree>(key));

    for (const smp of [1, 4] as const) {
      it(`-smp ${smp} -m 128M: same nodes, properties, order and values`, () => {
        const qemu = qemuTree(QEMU_CASES[smp === 1 ? 'smp1' : 'smp4'].key);
        pruneNodes(qemu, (name) => NOT_EMULATED.test(name));
        const ours = withoutRngSeed(decompileDtb(buildVirtFdt({ numHarts: smp, ramBase: 0x80000000, ramSize: 128 * MiB, virtioCount: 8 })));
        expect(normalise(ours)).to.deep.equal(normalise(qemu));
      });
    }

    it('-kernel -initrd -append: same /chosen', () => {
      const chosen = findNode(qemuTree(QEMU_CASES.chosen.key), '/chosen');
      const start = Number(/<(0x[0-9a-f]+)>/.exec(chosen?.props.get('linux,initrd-start') ?? '')?.[1]);
      const end = Number(/<(0x[0-9a-f]+)>/.exec(chosen?.props.get('linux,initrd-end') ?? '')?.[1]);
      const ours = withoutRngSeed(decompileDtb(buildVirtFdt({
        numHarts: 2,
        ramBase: 0x80000000,
        ramSize: 256 * MiB,
        virtioCount: 8,
        bootargs: 'console=ttyS0 rw',
        initrd: { start, end },
      })));
      const ourChosen = findNode(ours, '/chosen');
      expect(chosen, 'QEMU has a /chosen').to.not.equal(undefined);
      expect(ourChosen && normalise(ourChosen)).to.deep.equal(chosen && normalise(chosen));
    });
  });
});
