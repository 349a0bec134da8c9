/**
 * The recipe both tiers of the boot-layout tests share (boot-layout.spec.ts holds tsemu to the
 * committed transcripts tests/transcripts/cli/boot-layout/*, boot-layout.oracle.spec.ts runs
 * QEMU 7.2 live): the fixture files (made here, plus the committed ELF images of
 * tests/cli/images copied beside them), the firmware/kernel/initrd/RAM setups, QEMU's command
 * line for each, and what of QEMU's answer each transcript keeps ($DIR for the fixture directory).
 */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planBoot, type BootPlan, type FirmwareChoice } from '../../src/machine/boot-layout.js';
import { makeTempDir } from '../support/tools.js';
import { imagePath, portableArgs } from './qemu-oracle.js';
import { SparseMemory } from './sparse-memory.js';

export const RAM_BASE = 0x80000000;
export const MiB = 1024 * 1024;
export const QEMU_FW_DIR = '/usr/share/qemu';
export const QEMU_OPENSBI_ELF = join(QEMU_FW_DIR, 'opensbi-riscv64-generic-fw_dynamic.elf');
export const QEMU_OPENSBI_BIN = join(QEMU_FW_DIR, 'opensbi-riscv64-generic-fw_dynamic.bin');

export const KEYS = {
  resetRom: 'cli/boot-layout/reset-rom',
  initrd: 'cli/boot-layout/initrd',
  romOverlap: 'cli/boot-layout/rom-overlap',
  loadErrors: 'cli/boot-layout/load-errors',
} as const;

export interface Setup {
  readonly bios: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly ramMiB: number;
}

export interface Fixtures {
  readonly dir: string;
  /** Path of a fixture file by name (raw.bin, fw25.bin, ..., k200.elf, k0.elf, fw.elf). */
  get(name: string): string;
  /** A path in the fixture directory that does not exist. */
  readonly missing: string;
}

/** Writes the fixture files into a fresh temporary directory. */
export function makeFixtures(): Fixtures {
  const dir = makeTempDir('boot');
  const f: Record<string, string> = {};
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
  // tests/cli/images (boot-kernel.S, boot-fw.S): a jump to itself and 4 KiB of bss, linked at
  // 0x80200000 and 0x80000000; an ELF firmware at 0x80000000 with 3 MiB of bss (entry fw_start).
  for (const [name, image] of [['k200.elf', 'boot-k200.elf'], ['k0.elf', 'boot-k0.elf'], ['fw.elf', 'boot-fw.elf']] as const) {
    f[name] = join(dir, name);
    copyFileSync(imagePath(image), join(dir, name));
  }
  return {
    dir,
    missing: join(dir, 'missing.bin'),
    get(name: string): string {
      const path = f[name];
      if (path === undefined) throw new Error(`no test file ${name}`);
      return path;
    },
  };
}

export function removeFixtures(f: Fixtures | undefined): void {
  if (f !== undefined) rmSync(f.dir, { recursive: true, force: true });
}

function biosChoice(bios: string): FirmwareChoice {
  return bios === 'none' ? { kind: 'none' } : bios === 'default' ? { kind: 'default' } : { kind: 'file', path: bios };
}

/** tsemu's boot plan for a setup. */
export function plan(s: Setup): BootPlan {
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

export function qemuArgs(s: Setup): string[] {
  const args = ['-M', 'virt', '-m', `${s.ramMiB}M`];
  if (s.bios !== 'default') args.push('-bios', s.bios);
  if (s.kernel !== undefined) args.push('-kernel', s.kernel);
  if (s.initrd !== undefined) args.push('-initrd', s.initrd);
  return args;
}

export function describeSetup(s: Setup): string {
  return qemuArgs(s).join(' ');
}

/** QEMU's command line that stops with the ROM-overlap report or a load error. */
export function qemuStopArgs(s: Setup): string[] {
  return [...qemuArgs(s), '-S', '-display', 'none', '-nodefaults'];
}

/** QEMU's command line that dumps its device tree to `dtb`. */
export function qemuDumpDtbArgs(s: Setup, dtb: string): string[] {
  const args = qemuArgs(s);
  args[1] = `virt,dumpdtb=${dtb}`;
  return [...args, '-display', 'none', '-nodefaults'];
}

/** Setups whose reset-vector ROM (0x100 bytes at 0x1000) is compared; none needs a Debian firmware file. */
export function romSetups(f: Fixtures): Setup[] {
  return [
    { bios: 'none', kernel: f.get('raw.bin'), ramMiB: 128 },
    { bios: 'none', kernel: f.get('k200.elf'), ramMiB: 128 },
    { bios: 'none', ramMiB: 128 },
    { bios: f.get('fw25.bin'), kernel: f.get('raw.bin'), ramMiB: 128 },
    { bios: f.get('fw2.bin'), kernel: f.get('raw.bin'), ramMiB: 128 },
    { bios: f.get('fw.elf'), kernel: f.get('raw.bin'), ramMiB: 128 },
    { bios: f.get('fw25.bin'), ramMiB: 128 },
    { bios: 'none', kernel: f.get('raw.bin'), ramMiB: 256 },
    { bios: 'none', kernel: f.get('raw.bin'), ramMiB: 16 },
    { bios: 'none', kernel: f.get('raw.bin'), ramMiB: 8192 },
  ];
}

/** Setups with QEMU's own OpenSBI (Debian's files): compared live only (oracle tier). */
export function openSbiRomSetups(f: Fixtures): Setup[] {
  return [
    { bios: QEMU_OPENSBI_ELF, kernel: f.get('k200.elf'), ramMiB: 512 },
    { bios: QEMU_OPENSBI_BIN, kernel: f.get('raw.bin'), ramMiB: 128 },
  ];
}

export function initrdSetups(f: Fixtures): Setup[] {
  return [
    { bios: 'none', kernel: f.get('raw.bin'), initrd: f.get('initrd.bin'), ramMiB: 128 },
    { bios: 'none', kernel: f.get('k200.elf'), initrd: f.get('initrd.bin'), ramMiB: 128 },
    { bios: f.get('fw25.bin'), kernel: f.get('raw.bin'), initrd: f.get('initrd.bin'), ramMiB: 512 },
    { bios: 'none', kernel: f.get('raw.bin'), initrd: f.get('initrd.bin'), ramMiB: 64 },
    { bios: 'none', kernel: f.get('raw.bin'), initrd: f.get('rd.uimg'), ramMiB: 128 },
    { bios: 'none', kernel: f.get('raw.bin'), initrd: f.get('empty.bin'), ramMiB: 128 },
  ];
}

export function overlapSetups(f: Fixtures): Setup[] {
  return [
    { bios: f.get('fw25.bin'), kernel: f.get('k0.elf'), ramMiB: 128 },
    { bios: f.get('fw25.bin'), kernel: f.get('big15.bin'), ramMiB: 16 },
    { bios: 'none', kernel: f.get('big15.bin'), ramMiB: 16 },
    { bios: 'none', kernel: f.get('raw.bin'), initrd: f.get('big20.bin'), ramMiB: 32 },
  ];
}

/** Unloadable files whose error tsemu words as QEMU does. */
export function loadErrorSetups(f: Fixtures): Setup[] {
  return [
    { bios: f.missing, ramMiB: 128 },
    { bios: f.dir, ramMiB: 128 },
    { bios: f.get('empty.bin'), ramMiB: 128 },
    { bios: 'none', kernel: f.get('empty.bin'), ramMiB: 128 },
    { bios: 'none', kernel: f.dir, ramMiB: 128 },
    { bios: 'none', kernel: f.get('big20.bin'), ramMiB: 16 },
    { bios: 'none', kernel: f.get('raw.bin'), initrd: f.missing, ramMiB: 128 },
  ];
}

/** A missing kernel: QEMU prints the reason on a line of its own, tsemu appends it. */
export function missingKernelSetup(f: Fixtures): Setup {
  return { bios: 'none', kernel: f.missing, ramMiB: 128 };
}

/** The reset-vector ROM QEMU built for a setup (hex). */
export type RomEntry = { readonly args: readonly string[]; readonly rom: string };
/** QEMU's /chosen initrd range for a setup. */
export type InitrdEntry = { readonly args: readonly string[]; readonly start: number; readonly end: number };
/** How QEMU stopped for a setup (stderr with $DIR). */
export type StopEntry = { readonly args: readonly string[]; readonly status: number | null; readonly stderr: string };

/** The transcript entry of a setup; fails naming it if it was never recorded. */
export function entryFor<T extends { readonly args: readonly string[] }>(entries: readonly T[], s: Setup, f: Fixtures, key: string): T {
  const wanted = JSON.stringify(portableArgs(qemuArgs(s), f.dir));
  const e = entries.find((x) => JSON.stringify(x.args) === wanted);
  if (e === undefined) throw new Error(`tests/transcripts/${key}.json has no entry for ${wanted}: record it again (TSEMU_RECORD_TRANSCRIPTS=1)`);
  return e;
}

/** The overlapping pairs QEMU reports, as "A and B" strings in tsemu's one-line form. */
export function qemuOverlapPairs(stderr: string): string[] {
  const lines = stderr.split('\n');
  const pairs: string[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('The following two regions overlap')) pairs.push(`${(lines[i + 1] ?? '').trim()} and ${(lines[i + 2] ?? '').trim()}`);
  });
  return pairs;
}

/** QEMU's error for an unloadable file: its last stderr line without the program name. */
export function qemuLoadError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return (lines[lines.length - 1] ?? '').replace(/^qemu-system-riscv64: /, '');
}
