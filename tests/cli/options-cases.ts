/**
 * The recipe both tiers of the command-line tests share (options.unit.spec.ts holds tsemu to the
 * committed transcripts, options.oracle.spec.ts runs QEMU 7.2 live): the fixture files, the
 * command lines, and what of QEMU's answer each transcript keeps. Paths in a transcript are
 * written with $DIR for the fixture directory (see portable() in qemu-oracle.ts).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../support/tools.js';
import { portableArgs } from './qemu-oracle.js';

export const BASE = ['-M', 'virt', '-bios', 'none', '-S', '-display', 'none'];

export const KEYS = {
  errors: 'cli/options/errors',
  memSizes: 'cli/options/m-sizes',
  smpCounts: 'cli/options/smp-counts',
  serialMonitor: 'cli/options/serial-monitor',
  warnings: 'cli/options/warnings',
  help: 'cli/options/help',
  logItems: 'cli/options/log-items',
} as const;

export interface Fixtures {
  readonly dir: string;
  /** A 64 KiB raw disk image. */
  readonly img: string;
  /** Nine 4 KiB raw disk images. */
  readonly imgs: readonly string[];
}

export function makeFixtures(): Fixtures {
  const dir = makeTempDir('cli');
  const img = join(dir, 'disk.img');
  writeFileSync(img, new Uint8Array(64 * 1024));
  const imgs: string[] = [];
  for (let i = 0; i < 9; i += 1) {
    imgs.push(join(dir, `d${i}.img`));
    writeFileSync(join(dir, `d${i}.img`), new Uint8Array(4096));
  }
  return { dir, img, imgs };
}

export function removeFixtures(f: Fixtures | undefined): void {
  if (f !== undefined) rmSync(f.dir, { recursive: true, force: true });
}

/** A command line and how QEMU ended (stderr with $DIR for the fixture directory). */
export type QemuExit = {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stderr: string;
};

/** Cases where QEMU stops with an error before starting the guest (BASE goes in front of each). */
export function errorCases(f: Fixtures): string[][] {
  const { dir, img, imgs } = f;
  return [
    ['-foo'],
    ['--foo'],
    ['-m'],
    ['-kernel'],
    ['-D'],
    ['-M', 'foo'],
    ['-M', 'virt,foo=1'],
    ['-M', 'virt,dumpdtb'],
    ['-cpu', 'foo'],
    ['-smp', '4,maxcpus=2'],
    ['-smp', '2,sockets=2,cores=2'],
    ['-smp', '3,sockets=2'],
    ['-smp', '8,sockets=2,cores=2,threads=3'],
    ['-smp', 'foo'],
    ['-smp', '2,foo=3'],
    ['-smp', ',cpus=2'],
    ['-smp', '2,foo'],
    ['-smp', '2,dies=2'],
    ['-smp', '2,clusters=2'],
    ['-smp', '2,maxcpus=1.5'],
    ['-smp', '2,sockets=x'],
    ['-m', 'foo'],
    ['-m', '1X'],
    ['-m', 'foo=1'],
    ['-m', '128MB'],
    ['-m', '1e2'],
    ['-m', '-1'],
    ['-m', '1.5'],
    ['-m', '1.5e3K'],
    ['-m', 'size='],
    ['-m', '1.E5'],
    ['-append', 'console=ttyS0'],
    ['-initrd', join(dir, 'nope.cpio')],
    ['-drive', `file=${join(dir, 'missing.img')},format=raw,if=none,id=d0`],
    ['-drive', 'format=raw,if=none,id=d0'],
    ['-drive', `file=${img},format=raw,if=none,id=d0,readonly=maybe`],
    ['-drive', `file=${img},format=raw,if=none,id=d0,snapshot=x`],
    ['-drive', `file=${img},format=raw,if=none,id=d0,bogus=1`],
    ['-drive', `file=${img},if=foo`],
    ['-drive', `file=${img},format=raw,if=none,id=0d`],
    ['-drive', `file=${img},format=foo,if=none,id=d0`],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-drive', `file=${imgs[0] ?? ''},format=raw,if=none,id=d0`],
    ['-drive', `file=${dir}`],
    ['-drive', `file=${join(dir, 'a,,b.img')},format=raw,if=none`],
    [join(dir, 'missing.img')],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d1'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0,foo=1'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0,id=0x'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0', '-device', 'virtio-blk-device,drive=d0'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-drive', `file=${imgs[0] ?? ''},format=raw,if=none,id=d1`, '-device', 'virtio-blk-device,drive=d0,id=x', '-device', 'virtio-blk-device,drive=d1,id=x'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-drive', `file=${img},format=raw,if=none,id=d1`, '-device', 'virtio-blk-device,drive=d0', '-device', 'virtio-blk-device,drive=d1'],
    imgs.flatMap((file, i) => ['-drive', `file=${file},format=raw,if=none,id=d${i}`, '-device', `virtio-blk-device,drive=d${i}`]),
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0,bus=virtio-mmio-bus.8'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0,bus=foo'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0,bus=virtio-mmio-bus.01'],
    ['-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0,bus=main-system-bus'],
    ['-drive', `file=${imgs[0] ?? ''},format=raw,if=none,id=d0`, '-drive', `file=${imgs[1] ?? ''},format=raw,if=none,id=d1`,
      '-device', 'virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0', '-device', 'virtio-blk-device,drive=d1,bus=virtio-mmio-bus.0'],
    // the device without bus= takes the highest free transport (6), so bus 6 is full
    ['-drive', `file=${imgs[0] ?? ''},format=raw,if=none,id=d0`, '-drive', `file=${imgs[1] ?? ''},format=raw,if=none,id=d1`,
      '-drive', `file=${imgs[2] ?? ''},format=raw,if=none,id=d2`, '-device', 'virtio-blk-device,drive=d0,bus=virtio-mmio-bus.7',
      '-device', 'virtio-blk-device,drive=d1', '-device', 'virtio-blk-device,drive=d2,bus=virtio-mmio-bus.6'],
    ['-global', 'virtio-mmio.bar=1'],
    ['-global', 'virtio-mmio.force-legacy=maybe'],
    ['-global', 'virtio-mmio.force-legacy=ON'],
    ['-global', 'virtio-mmio.ioeventfd=2'],
    ['-global', 'driver=virtio-mmio,property=force-legacy,value=2'],
    ['-global', '=1'],
    ['-global', '.a=1'],
    ['-global', 'a.=1'],
    ['-global', 'virtio-blk-device.foo=1', '-drive', `file=${img},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0'],
    ['-device', 'foo'],
    ['-device', 'drive=x'],
    ['-serial', 'foo'],
    ['-serial', 'file:'],
    ['-monitor', 'foo'],
    ['-monitor', `unix:${join(dir, 'm.sock')},server,nowait,foo`],
    ['-monitor', 'tcp:127.0.0.1,server,nowait'],
    ['-qmp', 'none'],
    ['-serial', 'stdio', '-monitor', 'stdio'],
    ['-serial', 'mon:stdio', '-monitor', 'stdio'],
    ['-monitor', 'stdio', '-qmp', 'stdio'],
    ['-nographic', '-serial', 'stdio'],
    ['-nographic', '-monitor', 'stdio'],
    ['-accel', 'foo'],
    ['-accel', 'kvm'],
    ['-accel', 'tcg,foo=1'],
    ['-accel', 'tcg,thread=foo'],
    ['-display', 'foo'],
    ['-display', 'none,foo=1'],
    ['-trace', 'foo=bar'],
  ];
}

/** -m values whose RAM size QEMU's device tree reports. */
export const MEM_SIZES = ['16', '0', '0x100', '0x10M', '1.5G', '1g', '100', '16.5M', ' 64', '20000k', '1.0000001G', '2G', '536870912B', '0.75G', 'size=300M', '17.M', '0x2000000B', '', 'size=16,size=32'];

/** -smp arguments (after the first -smp) whose CPU count QEMU's device tree reports. */
export const SMP_ARGS = [['2'], ['cpus=3'], ['sockets=2,cores=2'], ['4,maxcpus=8'], ['maxcpus=4'], ['2,threads=2'], ['2', '-smp', 'maxcpus=4'], ['cpus=2,maxcpus=4,sockets=1,cores=2,threads=2'], ['8']];

/** The facts QEMU's dumped device tree gives: RAM size (0x hex) and the number of cpu@N nodes. */
export type DtbFacts = { readonly args: readonly string[]; readonly ram: string; readonly cpus: number };

/** Serial/monitor/QMP combinations QEMU accepts or refuses (run with dumpdtb, so QEMU exits at once). */
export function serialMonitorCombos(f: Fixtures): string[][] {
  const sock = join(f.dir, 'mon.sock');
  return [
    ['-nographic'],
    ['-nographic', '-serial', 'mon:stdio'],
    ['-nographic', '-serial', 'null', '-serial', 'mon:stdio'],
    ['-nographic', '-monitor', 'none'],
    ['-nographic', '-qmp', 'stdio'],
    ['-nographic', '-qmp', `unix:${sock},server,nowait`],
    ['-serial', 'stdio'],
    ['-monitor', 'stdio'],
    ['-serial', 'mon:stdio'],
    ['-serial', 'stdio', '-qmp', 'stdio'],
    ['-serial', 'mon:stdio', '-qmp', 'stdio'],
    ['-nodefaults', '-nographic', '-serial', 'stdio'],
    ['-monitor', `unix:${sock},server=on,wait=off`, '-serial', `file:${join(f.dir, 'serial.txt')}`],
  ];
}

export function serialMonitorQemuArgs(f: Fixtures, combo: readonly string[]): string[] {
  return ['-M', `virt,dumpdtb=${join(f.dir, 'c.dtb')}`, '-bios', 'none', '-display', 'none', ...combo];
}

/** Command lines QEMU accepts with a warning. */
export function warningCases(f: Fixtures): string[][] {
  return [
    ['-smp', '2,cores=0'],
    ['-drive', `file=${f.img},format=raw,if=none,readonly`],
    ['-drive', `file=${f.img},format=raw,if=none,noreadonly`],
    ['-drive', `file=${f.img},if=none`],
    ['-global', 'foo.bar=1'],
    ['-global', 'virtio-mmio.force-legacy=yes', '-global', 'virtio-mmio.ioeventfd=n', '-global', 'virtio-blk-device.foo=1'],
  ];
}

/** QEMU's warnings for a command line (its "dtb dumped" line left out), $DIR for the fixture directory. */
export type Warnings = { readonly args: readonly string[]; readonly warnings: string };

/** The command line that dumps QEMU's device tree for `args`. */
export function dumpDtbArgs(dtb: string, args: readonly string[]): string[] {
  return ['-M', `virt,dumpdtb=${dtb}`, '-bios', 'none', '-display', 'none', '-nodefaults', ...args];
}

/** What the help listings transcript keeps: only the parts tsemu's listings are compared with. */
export type HelpListings = {
  /** `-accel help`, whole. */
  readonly accel: string;
  /** `-M help`: its first line and the line of `virt`. */
  readonly machinesHeader: string;
  readonly virtLine: string;
  /** `-cpu help`, as lines. */
  readonly cpus: readonly string[];
  /** `-display help`: its first line (the backends listed depend on the QEMU packages installed). */
  readonly displaysHeader: string;
};

/** -d arguments (after BASE) whose answer is compared. */
export const LOG_ITEM_ARGS = ['help', 'foo', 'in_asm,,exec', ''];

export type LogItems = {
  /** `-d help` on its own: the item list, as lines. */
  readonly list: readonly string[];
  /** BASE -d ARG: exit status and the first line of stdout. */
  readonly cases: readonly { readonly d: string; readonly status: number | null; readonly firstLine: string }[];
};

/** Finds the transcript entry recorded for `args` (written with $DIR); fails naming the case if it was never recorded. */
export function entryFor<T extends { readonly args: readonly string[] }>(entries: readonly T[], args: readonly string[], f: Fixtures, key: string): T {
  const wanted = JSON.stringify(portableArgs(args, f.dir));
  const e = entries.find((x) => JSON.stringify(x.args) === wanted);
  if (e === undefined) throw new Error(`tests/transcripts/${key}.json has no entry for ${wanted}: record it again (TSEMU_RECORD_TRANSCRIPTS=1)`);
  return e;
}
