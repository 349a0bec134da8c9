/**
 * Oracle tier of the boot-layout tests: QEMU 7.2 live with the recipe of boot-layout-cases.ts.
 * Records (and checks) the transcripts boot-layout.spec.ts holds tsemu to, with the QEMU-side
 * checks the old test made (exit statuses, an overlap report, an initrd in /chosen), and
 * compares the reset-vector ROM for QEMU's own OpenSBI (Debian's files in /usr/share/qemu, named
 * explicitly with -bios for both) with tsemu's live: that comparison needs the firmware files
 * and so lives here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildResetVectorRom } from '../../src/machine/boot-rom.js';
import { findNode, readDtb, u64 } from '../support/dtb-reader.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import {
  describeSetup, initrdSetups, KEYS, loadErrorSetups, makeFixtures, missingKernelSetup, openSbiRomSetups, overlapSetups, plan,
  qemuArgs, qemuDumpDtbArgs, qemuOverlapPairs, qemuStopArgs, QEMU_OPENSBI_BIN, QEMU_OPENSBI_ELF, removeFixtures, romSetups,
  type Fixtures, type InitrdEntry, type RomEntry, type Setup, type StopEntry,
} from './boot-layout-cases.js';
import { hex, portable, portableArgs, QEMU, readQemuBytes, runQemu } from './qemu-oracle.js';

describe('machine/boot-layout: QEMU 7.2 live (oracle)', function () {
  let f!: Fixtures;

  before(function () {
    requireTool(QEMU);
    f = makeFixtures();
  });
  after(function () {
    removeFixtures(f);
  });

  const stopEntry = (s: Setup): StopEntry => {
    const r = runQemu(qemuStopArgs(s));
    return { args: portableArgs(qemuArgs(s), f.dir), status: r.status, stderr: portable(r.stderr, f.dir) };
  };

  it('reset-vector ROM (0x100 bytes at 0x1000, read with pmemsave) for each setup', function () {
    this.timeout(120_000);
    const live: RomEntry[] = romSetups(f).map((s) => ({ args: portableArgs(qemuArgs(s), f.dir), rom: hex(readQemuBytes(qemuArgs(s), 0x1000, 0x100)) }));
    verifyTranscript(KEYS.resetRom, live, [QEMU, '-S', '-display', 'none', '-nodefaults', '-monitor', 'stdio', 'ARGS (each entry)', '< pmemsave 0x1000 256 FILE']);
  });

  it('builds the same reset-vector ROM as QEMU with QEMU’s own OpenSBI (live only: Debian’s firmware files)', function () {
    this.timeout(60_000);
    for (const file of [QEMU_OPENSBI_ELF, QEMU_OPENSBI_BIN]) if (!existsSync(file)) throw missingPrerequisite(file);
    for (const s of openSbiRomSetups(f)) {
      const qemuRom = readQemuBytes(qemuArgs(s), 0x1000, 0x100);
      const p = plan(s);
      const ours = new Uint8Array(0x100);
      ours.set(buildResetVectorRom({ startAddr: p.startAddr, fdtAddr: p.fdtAddr, kernelEntry: p.kernelEntry }));
      expect(Array.from(ours), describeSetup(s)).to.deep.equal(Array.from(qemuRom));
      expect(p.romOverlap, describeSetup(s)).to.equal(undefined);
    }
  });

  it('initrd range from /chosen of the dumped device tree', function () {
    this.timeout(60_000);
    const dtb = join(f.dir, 'q.dtb');
    const live: InitrdEntry[] = initrdSetups(f).map((s) => {
      const r = runQemu(qemuDumpDtbArgs(s, dtb));
      expect(r.status, r.stderr).to.equal(0);
      const chosen = findNode(readDtb(dtb), '/chosen');
      if (chosen === undefined || !chosen.props.has('linux,initrd-start') || !chosen.props.has('linux,initrd-end')) {
        throw new Error(`${describeSetup(s)}: no initrd in the device tree`);
      }
      return { args: portableArgs(qemuArgs(s), f.dir), start: Number(u64(chosen, 'linux,initrd-start')), end: Number(u64(chosen, 'linux,initrd-end')) };
    });
    verifyTranscript(KEYS.initrd, live, [QEMU, ...qemuDumpDtbArgs({ bios: 'ARGS (each entry)', ramMiB: 0 }, '$DIR/q.dtb')]);
  });

  it('ROM-overlap reports (status 1, at least one overlapping pair)', function () {
    this.timeout(60_000);
    const live = overlapSetups(f).map((s) => {
      const e = stopEntry(s);
      expect(e.status, describeSetup(s)).to.equal(1);
      expect(qemuOverlapPairs(e.stderr).length, describeSetup(s)).to.be.greaterThan(0);
      return e;
    });
    verifyTranscript(KEYS.romOverlap, live, [QEMU, 'ARGS (each entry)', '-S', '-display', 'none', '-nodefaults']);
  });

  it('errors for unloadable files (status 1)', function () {
    this.timeout(60_000);
    const live = [...loadErrorSetups(f), missingKernelSetup(f)].map((s) => {
      const e = stopEntry(s);
      expect(e.status, `${describeSetup(s)}\n${e.stderr}`).to.equal(1);
      return e;
    });
    verifyTranscript(KEYS.loadErrors, live, [QEMU, 'ARGS (each entry)', '-S', '-display', 'none', '-nodefaults']);
  });
});
