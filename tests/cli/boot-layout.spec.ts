/**
 * Boot layout (firmware, kernel, initrd, FDT placement) and the reset-vector ROM, compared with
 * what QEMU 7.2's virt machine did for the same files: its ROM read back through the monitor,
 * its initrd range from the device tree it dumped, its overlap reports and load errors, all kept
 * in the committed transcripts tests/transcripts/cli/boot-layout/* (boot-layout.oracle.spec.ts
 * checks them against a live QEMU, and compares the ROM for QEMU's own OpenSBI live;
 * boot-layout-cases.ts is the recipe both share).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BootError, BUNDLED_FIRMWARE, calcKernelStartAddr, fdtLoadAddr, findRomOverlaps, initrdStartAddr, lookupSymbol, resolveFirmwarePath, nodeBootFiles } from '../../src/machine/boot-layout.js';
import { buildResetVectorRom } from '../../src/machine/boot-rom.js';
import { repoRoot } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { hex, local } from './qemu-oracle.js';
import {
  describeSetup, entryFor, initrdSetups, KEYS, loadErrorSetups, makeFixtures, MiB, missingKernelSetup, overlapSetups, plan,
  qemuLoadError, qemuOverlapPairs, RAM_BASE, removeFixtures, romSetups, type Fixtures, type InitrdEntry, type RomEntry, type Setup, type StopEntry,
} from './boot-layout-cases.js';

/** The firmware QEMU's -bios default loads from its data directory (/usr/share/qemu). */
const QEMU_FIRMWARE = 'opensbi-riscv64-generic-fw_dynamic.bin';

function bootError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof BootError) return err.message;
    throw err;
  }
  throw new Error('no BootError');
}

describe('machine/boot-layout', function () {
  let f!: Fixtures;

  before(function () {
    f = makeFixtures();
  });
  after(function () {
    removeFixtures(f);
  });

  const get = (name: string): string => f.get(name);

  it('builds the same reset-vector ROM as QEMU for each firmware/kernel/RAM combination (transcript)', function () {
    const recorded = readTranscript<RomEntry[]>(KEYS.resetRom);
    for (const s of romSetups(f)) {
      const qemuRom = entryFor(recorded, s, f, KEYS.resetRom).rom;
      const p = plan(s);
      const ours = new Uint8Array(0x100);
      ours.set(buildResetVectorRom({ startAddr: p.startAddr, fdtAddr: p.fdtAddr, kernelEntry: p.kernelEntry }));
      expect(hex(ours), describeSetup(s)).to.equal(qemuRom);
      expect(p.romOverlap, describeSetup(s)).to.equal(undefined);
    }
  });

  it('places the initrd where QEMU does (transcript)', function () {
    const recorded = readTranscript<InitrdEntry[]>(KEYS.initrd);
    for (const s of initrdSetups(f)) {
      const q = entryFor(recorded, s, f, KEYS.initrd);
      expect(plan(s).initrd, describeSetup(s)).to.deep.equal({ start: q.start, end: q.end });
    }
  });

  it('reports the ROM regions QEMU reports as overlapping (transcript)', function () {
    const recorded = readTranscript<StopEntry[]>(KEYS.romOverlap);
    for (const s of overlapSetups(f)) {
      const q = entryFor(recorded, s, f, KEYS.romOverlap);
      expect(q.status, describeSetup(s)).to.equal(1);
      const pairs = qemuOverlapPairs(local(q.stderr, f.dir));
      expect(pairs.length, describeSetup(s)).to.be.greaterThan(0);
      expect(plan(s).romOverlap, describeSetup(s)).to.equal(`Some ROM regions are overlapping: ${pairs.join('; ')}`);
    }
  });

  it('fails on unloadable files with QEMU’s messages (transcript)', function () {
    const recorded = readTranscript<StopEntry[]>(KEYS.loadErrors);
    const qemuError = (s: Setup): string => {
      const q = entryFor(recorded, s, f, KEYS.loadErrors);
      expect(q.status, describeSetup(s)).to.equal(1);
      return qemuLoadError(local(q.stderr, f.dir));
    };
    const same = loadErrorSetups(f);
    for (const s of same) expect(bootError(() => plan(s)), describeSetup(s)).to.equal(qemuError(s));
    // QEMU prints the reason for a missing kernel on a line of its own; tsemu appends it.
    const s = missingKernelSetup(f);
    expect(bootError(() => plan(s))).to.equal(`${qemuError(s)}: No such file or directory`);
  });

  it('resolves -bios default to the bundled firmware, and -bios NAME as a path or in the search directories (as QEMU)', function () {
    // -bios default: tsemu's own SBI firmware, in the package (firmware/bin), never a search directory.
    expect(BUNDLED_FIRMWARE).to.equal(join(repoRoot(), 'firmware', 'bin', 'tsemu-sbi.elf'));
    expect(existsSync(BUNDLED_FIRMWARE), `${BUNDLED_FIRMWARE} is committed`).to.equal(true);
    expect(resolveFirmwarePath({ kind: 'default' }, [], nodeBootFiles)).to.equal(BUNDLED_FIRMWARE);
    expect(resolveFirmwarePath({ kind: 'none' }, [], nodeBootFiles)).to.equal(undefined);
    // A data directory laid out like QEMU's (/usr/share/qemu), with a stand-in for its OpenSBI.
    const dataDir = join(f.dir, 'share-qemu');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, QEMU_FIRMWARE), new Uint8Array(16));
    expect(resolveFirmwarePath({ kind: 'none' }, [dataDir], nodeBootFiles)).to.equal(undefined);
    expect(resolveFirmwarePath({ kind: 'file', path: QEMU_FIRMWARE }, [join(f.dir, 'nowhere'), dataDir], nodeBootFiles)).to.equal(join(dataDir, QEMU_FIRMWARE));
    expect(resolveFirmwarePath({ kind: 'file', path: get('fw2.bin') }, [dataDir], nodeBootFiles)).to.equal(get('fw2.bin'));
    // A missing file, or a missing bundled firmware, fails with QEMU's message (the search directories do not stand in for default).
    expect(bootError(() => resolveFirmwarePath({ kind: 'file', path: 'nothing.bin' }, [dataDir], nodeBootFiles))).to.equal('Unable to load the RISC-V firmware "nothing.bin"');
    const gone = join(f.dir, 'no-firmware.elf');
    expect(bootError(() => resolveFirmwarePath({ kind: 'default' }, [dataDir], nodeBootFiles, gone))).to.equal(`Unable to load the RISC-V firmware "${gone}"`);
  });

  it('keeps symbol tables in QEMU’s lookup order (kernel before firmware)', function () {
    const p = plan({ bios: get('fw.elf'), kernel: get('k200.elf'), ramMiB: 128 });
    expect(p.symbolTables.map((t) => t.map((s) => s.name))).to.deep.equal([['_start'], ['fw_start']]);
    expect(lookupSymbol(p.symbolTables, 0x80200000)).to.equal('_start');
    expect(lookupSymbol(p.symbolTables, 0x80000000)).to.equal('fw_start');
    expect(p.firmware?.format).to.equal('elf');
    expect(p.kernel?.format).to.equal('elf');
    // The firmware's end (its bss included) decides the kernel start; the ELF kernel ignores it.
    expect(calcKernelStartAddr(p.firmware?.address ?? 0n)).to.equal(0x80400000n);
  });

  it('computes addresses with QEMU’s formulas', function () {
    expect(calcKernelStartAddr(0x80000000n)).to.equal(0x80000000n);
    expect(calcKernelStartAddr(0x80000001n)).to.equal(0x80200000n);
    expect(initrdStartAddr(0x80200000n, 128 * MiB)).to.equal(0x84200000n);
    expect(initrdStartAddr(0x80200000n, 1024 * MiB)).to.equal(0x88200000n);
    expect(fdtLoadAddr(RAM_BASE, 128 * MiB)).to.equal(0x87e00000);
    expect(fdtLoadAddr(RAM_BASE, 4096 * MiB)).to.equal(0xbfe00000);
    expect(findRomOverlaps([{ name: 'a', start: 0n, size: 16n }, { name: 'b', start: 16n, size: 16n }])).to.equal(undefined);
    expect(findRomOverlaps([{ name: 'b', start: 8n, size: 16n }, { name: 'a', start: 0n, size: 9n }])).to.equal(
      'Some ROM regions are overlapping: a (addresses 0x0000000000000000 - 0x0000000000000009) and b (addresses 0x0000000000000008 - 0x0000000000000018)',
    );
  });
});
