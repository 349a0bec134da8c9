/**
 * Oracle tier of the DTB tests (needs dtc): the builder's output round-trips through
 * `dtc -I dtb -O dts` with every property kind and in insertion order; the test DTB reader
 * tests/support/dtb.ts prints exactly what dtc prints for the builder's trees, tsemu's virt
 * device trees and QEMU 7.2's own (dumpdtb); and the dtc transcripts hw/dtb/edge-* (the edge
 * cases of dtb-edge.dts compiled and decompiled by dtc) are what dtc gives now.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildVirtFdt } from '../../src/machine/virt-fdt.js';
import { dtbToDts } from '../support/dtb.js';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { dtcDecompile, dtcDts } from './dts-tree.js';
import { checkEveryPropertyKind, checkInsertionOrder, dtcEdgeCase, edgeCommand, edgeKey, EDGE_VARIANTS, sampleFdt } from './fdt-cases.js';

const MiB = 1024 * 1024;

describe('hw/fdt: DTB builder and the test DTB reader against dtc (oracle)', () => {
  before(function () {
    requireTool('dtc');
  });

  it('round-trips through dtc with every property kind', () => {
    checkEveryPropertyKind(dtcDecompile(sampleFdt().build()));
  });

  it('keeps insertion order of nodes and properties (dtc)', () => {
    checkInsertionOrder(dtcDecompile(sampleFdt().build()));
  });

  for (const v of EDGE_VARIANTS) {
    it(`dtb-edge.dts compiled by dtc ${v.args.join(' ') || '(defaults)'}: the transcript holds what dtc gives, and the reader prints it`, () => {
      const live = dtcEdgeCase(v.args);
      verifyTranscript(edgeKey(v.name), live, edgeCommand(v.args), 'dtc');
      expect(dtbToDts(new Uint8Array(Buffer.from(live.dtb, 'base64')))).to.equal(live.dts);
    });
  }

  it("prints what dtc prints for the builder's trees and tsemu's virt device trees", () => {
    const dtbs = [
      sampleFdt().build(),
      buildVirtFdt({ numHarts: 2, ramBase: 0x80000000, ramSize: 256 * MiB, virtioCount: 8 }),
      buildVirtFdt({ numHarts: 5, ramBase: 0x80000000, ramSize: 5 * 1024 * MiB, virtioCount: 3, initrd: { start: 0x88200000, end: 0x88200006 }, bootargs: 'console=ttyS0 "quoted"\\' }),
    ];
    for (const dtb of dtbs) expect(dtbToDts(dtb)).to.equal(dtcDts(dtb));
  });

  it("prints what dtc prints for QEMU 7.2's device trees (a padded dump: only totalsize is read)", () => {
    requireTool(QEMU_BINARY);
    const dir = makeTempDir('dtb-reader');
    try {
      for (const smp of ['1', '3']) {
        const file = join(dir, `q${smp}.dtb`);
        execFileSync(QEMU_BINARY, ['-M', `virt,dumpdtb=${file}`, '-nographic', '-smp', smp], { stdio: 'ignore', timeout: 30_000 });
        const dtb = new Uint8Array(readFileSync(file));
        expect(dtbToDts(dtb)).to.equal(dtcDts(dtb));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
