/**
 * Boot layout (firmware, kernel, initrd, FDT placement) and the reset-vector ROM,
 * compared with what QEMU 7.2's virt machine does for the same files: its ROM is
 * read back through the monitor and its initrd range from the device tree it dumps.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BootError, calcKernelStartAddr, fdtLoadAddr, findRomOverlaps, initrdStartAddr, lookupSymbol, planBoot, resolveFirmwarePath, nodeBootFiles, type BootPlan, type FirmwareChoice } from '../../src/machine/boot-layout.js';
import { buildResetVectorRom } from '../../src/machine/boot-rom.js';
import { buildElf, GCC, hasTool, makeTempDir, QEMU, readQemuBytes, runQemu } from './qemu-oracle.js';
import { SparseMemory } from './sparse-memory.js';

const RAM_BASE = 0x80000000;
const MiB = 1024 * 1024;
const QEMU_FW_DIR = '/usr/share/qemu';
const QEMU_OPENSBI_ELF = join(QEMU_FW_DIR, 'opensbi-riscv64-generic-fw_dynamic.elf');

const ELF_SOURCE = `
  .section .text
  .globl _start
  .type _start, @function
_start:
  j _start
  .size _start, .-_start
  .section .bss
  .space 4096
`;

interface Setup {
  readonly bios: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly ramMiB: number;
}

function biosChoice(bios: string): FirmwareChoice {
  return bios === 'none' ? { kind: 'none' } : bios === 'default' ? { kind: 'default' } : { kind: 'file', path: bios };
}

function plan(s: Setup): BootPlan {
  const ramSize = s.ramMiB * MiB;
  return planBoot({
    bios: biosChoice(s.bios),
    kernel: s.kernel,
    initrd: s.initrd,
    ramSize,
    target: new SparseMemory([{ base: RAM_BASE, size: ramSize }]),
    firmwareSearchDirs: [QEMU_FW_DIR],
  });
}

function qemuArgs(s: Setup): string[] {
  const args = ['-M', 'virt', '-m', `${s.ramMiB}M`];
  if (s.bios !== 'default') args.push('-bios', s.bios);
  if (s.kernel !== undefined) args.push('-kernel', s.kernel);
  if (s.initrd !== undefined) args.push('-initrd', s.initrd);
  return args;
}

function describeSetup(s: Setup): string {
  return qemuArgs(s).join(' ');
}

/** QEMU's /chosen initrd range, from the device tree it dumps. */
function qemuInitrd(s: Setup, dir: string): { start: number; end: number } {
  const dtb = join(dir, 'q.dtb');
  const args = qemuArgs(s);
  args[1] = `virt,dumpdtb=${dtb}`;
  const r = runQemu([...args, '-display', 'none', '-nodefaults']);
  expect(r.status, r.stderr).to.equal(0);
  const dts = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' }).stdout;
  const start = /linux,initrd-start = <(0x[0-9a-f]+)>/.exec(dts)?.[1];
  const end = /linux,initrd-end = <(0x[0-9a-f]+)>/.exec(dts)?.[1];
  if (start === undefined || end === undefined) throw new Error('no initrd in the device tree');
  return { start: Number(start), end: Number(end) };
}

/** The overlapping pairs QEMU reports, as "A and B" strings in tsemu's one-line form. */
function qemuOverlapPairs(stderr: string): string[] {
  const lines = stderr.split('\n');
  const pairs: string[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('The following two regions overlap')) pairs.push(`${(lines[i + 1] ?? '').trim()} and ${(lines[i + 2] ?? '').trim()}`);
  });
  return pairs;
}

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
  let dir = '';
  const f: Record<string, string> = {};

  before(function () {
    if (!hasTool(GCC)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(GCC)');
    this.timeout(120_000);
    dir = makeTempDir('boot');
    const file = (name: string, bytes: Uint8Array): void => {
      f[name] = join(dir, name);
      writeFileSync(join(dir, name), bytes);
    };
    file('raw.bin', new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff));
    file('fw25.bin', new Uint8Array(2.5 * MiB));
    file('fw2.bin', new Uint8Array(2 * MiB));
    file('initrd.bin', new Uint8Array(1000).fill(0x5a));
    file('big15.bin', new Uint8Array(15_000_000));
    file('big20.bin', new Uint8Array(20_000_000));
    file('empty.bin', new Uint8Array(0));
    const rdImage = new Uint8Array(64 + 500);
    new DataView(rdImage.buffer).setUint32(0, 0x27051956);
    new DataView(rdImage.buffer).setUint32(12, 500);
    rdImage[30] = 3; // IH_TYPE_RAMDISK
    file('rd.uimg', rdImage);
    f['k200.elf'] = buildElf(dir, 'k200', ELF_SOURCE, ['-Wl,-Ttext=0x80200000']);
    f['k0.elf'] = buildElf(dir, 'k0', ELF_SOURCE, ['-Wl,-Ttext=0x80000000']);
    f['fw.elf'] = buildElf(dir, 'fw', ELF_SOURCE.replace(/_start/g, 'fw_start').replace('.space 4096', '.space 0x300000'), ['-Wl,-Ttext=0x80000000', '-Wl,-e,fw_start']);
  });
  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const get = (name: string): string => {
    const path = f[name];
    if (path === undefined) throw new Error(`no test file ${name}`);
    return path;
  };

  it('builds the same reset-vector ROM as QEMU for each firmware/kernel/RAM combination', function () {
    if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
    this.timeout(120_000);
    const setups: Setup[] = [
      { bios: 'none', kernel: get('raw.bin'), ramMiB: 128 },
      { bios: 'none', kernel: get('k200.elf'), ramMiB: 128 },
      { bios: 'none', ramMiB: 128 },
      { bios: get('fw25.bin'), kernel: get('raw.bin'), ramMiB: 128 },
      { bios: get('fw2.bin'), kernel: get('raw.bin'), ramMiB: 128 },
      { bios: get('fw.elf'), kernel: get('raw.bin'), ramMiB: 128 },
      { bios: get('fw25.bin'), ramMiB: 128 },
      { bios: 'none', kernel: get('raw.bin'), ramMiB: 256 },
      { bios: 'none', kernel: get('raw.bin'), ramMiB: 16 },
      { bios: 'none', kernel: get('raw.bin'), ramMiB: 8192 },
    ];
    if (existsSync(QEMU_OPENSBI_ELF)) {
      setups.push({ bios: QEMU_OPENSBI_ELF, kernel: get('k200.elf'), ramMiB: 512 }, { bios: 'default', kernel: get('raw.bin'), ramMiB: 128 });
    }
    for (const s of setups) {
      const qemuRom = readQemuBytes(qemuArgs(s), 0x1000, 0x100);
      const p = plan(s);
      const ours = new Uint8Array(0x100);
      ours.set(buildResetVectorRom({ startAddr: p.startAddr, fdtAddr: p.fdtAddr, kernelEntry: p.kernelEntry }));
      expect(Array.from(ours), describeSetup(s)).to.deep.equal(Array.from(qemuRom));
      expect(p.romOverlap, describeSetup(s)).to.equal(undefined);
    }
  });

  it('places the initrd where QEMU does', function () {
    if (!hasTool(QEMU) || !hasTool('dtc')) throw new Error('missing test prerequisite (.ci/run installs it): ' + "!hasTool(QEMU) || !hasTool('dtc')");
    this.timeout(60_000);
    const setups: Setup[] = [
      { bios: 'none', kernel: get('raw.bin'), initrd: get('initrd.bin'), ramMiB: 128 },
      { bios: 'none', kernel: get('k200.elf'), initrd: get('initrd.bin'), ramMiB: 128 },
      { bios: get('fw25.bin'), kernel: get('raw.bin'), initrd: get('initrd.bin'), ramMiB: 512 },
      { bios: 'none', kernel: get('raw.bin'), initrd: get('initrd.bin'), ramMiB: 64 },
      { bios: 'none', kernel: get('raw.bin'), initrd: get('rd.uimg'), ramMiB: 128 },
      { bios: 'none', kernel: get('raw.bin'), initrd: get('empty.bin'), ramMiB: 128 },
    ];
    for (const s of setups) expect(plan(s).initrd, describeSetup(s)).to.deep.equal(qemuInitrd(s, dir));
  });

  it('reports the ROM regions QEMU reports as overlapping', function () {
    if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
    this.timeout(60_000);
    const setups: Setup[] = [
      { bios: get('fw25.bin'), kernel: get('k0.elf'), ramMiB: 128 },
      { bios: get('fw25.bin'), kernel: get('big15.bin'), ramMiB: 16 },
      { bios: 'none', kernel: get('big15.bin'), ramMiB: 16 },
      { bios: 'none', kernel: get('raw.bin'), initrd: get('big20.bin'), ramMiB: 32 },
    ];
    for (const s of setups) {
      const q = runQemu([...qemuArgs(s), '-S', '-display', 'none', '-nodefaults']);
      expect(q.status, describeSetup(s)).to.equal(1);
      const pairs = qemuOverlapPairs(q.stderr);
      expect(pairs.length, describeSetup(s)).to.be.greaterThan(0);
      expect(plan(s).romOverlap, describeSetup(s)).to.equal(`Some ROM regions are overlapping: ${pairs.join('; ')}`);
    }
  });

  it('fails on unloadable files with QEMU’s messages', function () {
    if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
    this.timeout(60_000);
    const missing = join(dir, 'missing.bin');
    const qemuError = (s: Setup): string => {
      const r = runQemu([...qemuArgs(s), '-S', '-display', 'none', '-nodefaults']);
      expect(r.status).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      return (lines[lines.length - 1] ?? '').replace(/^qemu-system-riscv64: /, '');
    };
    const same: Setup[] = [
      { bios: missing, ramMiB: 128 },
      { bios: dir, ramMiB: 128 },
      { bios: get('empty.bin'), ramMiB: 128 },
      { bios: 'none', kernel: get('empty.bin'), ramMiB: 128 },
      { bios: 'none', kernel: dir, ramMiB: 128 },
      { bios: 'none', kernel: get('big20.bin'), ramMiB: 16 },
      { bios: 'none', kernel: get('raw.bin'), initrd: missing, ramMiB: 128 },
    ];
    for (const s of same) expect(bootError(() => plan(s)), describeSetup(s)).to.equal(qemuError(s));
    // QEMU prints the reason for a missing kernel on a line of its own; tsemu appends it.
    const s: Setup = { bios: 'none', kernel: missing, ramMiB: 128 };
    expect(bootError(() => plan(s))).to.equal(`${qemuError(s)}: No such file or directory`);
  });

  it('needs a firmware search directory for -bios default (tsemu bundles no OpenSBI)', function () {
    expect(bootError(() => resolveFirmwarePath({ kind: 'default' }, [], nodeBootFiles))).to.equal(
      'no default firmware: tsemu does not bundle OpenSBI (opensbi-riscv64-generic-fw_dynamic.bin); use -bios FILE (e.g. /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin) or -bios none',
    );
    expect(resolveFirmwarePath({ kind: 'none' }, [QEMU_FW_DIR], nodeBootFiles)).to.equal(undefined);
    if (existsSync(join(QEMU_FW_DIR, 'opensbi-riscv64-generic-fw_dynamic.bin'))) {
      expect(resolveFirmwarePath({ kind: 'default' }, [QEMU_FW_DIR], nodeBootFiles)).to.equal(join(QEMU_FW_DIR, 'opensbi-riscv64-generic-fw_dynamic.bin'));
      expect(resolveFirmwarePath({ kind: 'file', path: 'opensbi-riscv64-generic-fw_dynamic.bin' }, [QEMU_FW_DIR], nodeBootFiles)).to.equal(join(QEMU_FW_DIR, 'opensbi-riscv64-generic-fw_dynamic.bin'));
    }
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
