/**
 * The recipe both tiers of the xv6 disk tests share: tests/guest/bin/xv6_disk.elf (an
 * xv6-riscv-style virtio-blk driver, tests/guest/src/xv6_disk.c) under xv6's own QEMU command
 * line and its variations, each run with fresh "sector-tag" disk images in a private directory.
 * What is compared: the console output, stderr (QEMU's virtio_error() lines and, with
 * -d guest_errors, the transport's complaints), the exit status, and a checksum of each image
 * afterwards (the guest writes sector 77). QEMU's side is tests/transcripts/virtio/NAME.json.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDiskImage, guestDir } from '../support/guest-manifest.js';
import type { GuestRunOptions, GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

export type Runner = (args: readonly string[], opts: GuestRunOptions) => Promise<GuestRunResult>;

export interface Xv6Scenario {
  readonly name: string;
  readonly what: string;
  /** Number of disk images (x0, x1, ...). */
  readonly disks: number;
  /** The command line, given the image paths. */
  args(kernel: string, disks: readonly string[]): string[];
}

/** xv6-riscv's Makefile: QEMUOPTS up to the -global. */
const XV6_MACHINE = (kernel: string): string[] => ['-machine', 'virt', '-bios', 'none', '-kernel', kernel, '-m', '128M', '-smp', '3', '-nographic'];
const drive = (file: string, id: string): string[] => ['-drive', `file=${file},if=none,format=raw,id=${id}`];
const MODERN = ['-global', 'virtio-mmio.force-legacy=false'];
const disk0 = (disks: readonly string[]): string => disks[0] ?? '';

export const XV6_SCENARIOS: readonly Xv6Scenario[] = [
  {
    name: 'xv6-makefile',
    what: "xv6's exact command line (modern transport, bus=virtio-mmio-bus.0)",
    disks: 1,
    args: (k, d) => [...XV6_MACHINE(k), ...MODERN, ...drive(disk0(d), 'x0'), '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'],
  },
  {
    name: 'xv6-legacy',
    what: 'the same with QEMU 7.2\'s default force-legacy=on (version 1)',
    disks: 1,
    args: (k, d) => [...XV6_MACHINE(k), ...drive(disk0(d), 'x0'), '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'],
  },
  {
    name: 'xv6-placement',
    what: 'no bus=: QEMU puts the device on the last transport (virtio-mmio-bus.7, IRQ 8)',
    disks: 1,
    args: (k, d) => [...XV6_MACHINE(k), ...drive(disk0(d), 'x0'), '-device', 'virtio-blk-device,drive=x0'],
  },
  {
    name: 'xv6-three-disks',
    what: 'bus=7, automatic (-> 6), bus=0: the guest scans all eight and uses transport 0',
    disks: 3,
    args: (k, d) => [
      ...XV6_MACHINE(k), ...MODERN, ...d.flatMap((file, i) => drive(file, `x${i}`)),
      '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.7', '-device', 'virtio-blk-device,drive=x1',
      '-device', 'virtio-blk-device,drive=x2,bus=virtio-mmio-bus.0',
    ],
  },
  {
    name: 'xv6-guest-errors-modern',
    what: "xv6's line with -d guest_errors: the transport's complaints in QEMU's words",
    disks: 1,
    args: (k, d) => [...XV6_MACHINE(k), ...MODERN, ...drive(disk0(d), 'x0'), '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0', '-d', 'guest_errors'],
  },
  {
    name: 'xv6-guest-errors-legacy',
    what: 'the legacy transport with -d guest_errors',
    disks: 1,
    args: (k, d) => [...XV6_MACHINE(k), ...drive(disk0(d), 'x0'), '-device', 'virtio-blk-device,drive=x0', '-d', 'guest_errors'],
  },
];

/** 1 MiB, the pattern xv6_disk.c checks (tests/support/guest-manifest.ts). */
const DISK = { sizeBytes: 1 << 20, pattern: 'sector-tag' } as const;

/** What a transcript keeps of a run. */
export type Xv6Outcome = {
  readonly stdout: string;
  /** stderr with the emulator's name as PROGRAM (QEMU's error_report() prefix). */
  readonly stderr: string;
  readonly status: number | null;
  /** sha256 of each disk image after the run. */
  readonly disks: readonly string[];
};

export const transcriptKey = (s: Xv6Scenario): string => `virtio/${s.name}`;

export function kernelPath(): string {
  return join(guestDir(), 'bin', 'xv6_disk.elf');
}

/** Runs a scenario; `command` receives the command line (for the transcript). */
export async function runScenario(run: Runner, s: Xv6Scenario, timeoutMs: number, command?: (args: readonly string[]) => void): Promise<{ result: GuestRunResult; outcome: Xv6Outcome }> {
  const dir = makeTempDir(`xv6-${s.name}`);
  try {
    const disks = Array.from({ length: s.disks }, (_, i) => join(dir, `disk${i}.img`));
    for (const d of disks) createDiskImage(DISK, d);
    const args = s.args(kernelPath(), disks);
    command?.(args);
    const result = await run(args, { timeoutMs });
    const outcome = {
      stdout: result.stdout,
      stderr: result.stderr.replace(/^(qemu|tsemu)-system-riscv64:/gm, 'PROGRAM:'),
      status: result.status,
      disks: disks.map((d) => createHash('sha256').update(readFileSync(d)).digest('hex')),
    };
    return { result, outcome };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} signal=${String(r.signal)} timedOut=${String(r.timedOut)}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout}`;
}
